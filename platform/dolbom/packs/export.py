"""A tenant's configuration written out as a pack folder (`dolbom packs export <slug>`).

The folder reads back with `read_pack`, and applying it to a fresh tenant gives the same
configuration (tests/test_packs_apply.py proves the round trip)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dolbom.db import tenant_bind
from dolbom.packs.snapshot import Snapshot, from_tenant

HEADER = (
    "# {what}: {slug}에서 내보낸 설정 팩입니다. `dolbom packs diff`로 차이를 보고 적용하세요.\n"
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _drop_none(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}


def export_pack(slug: str, target: Path) -> Path:
    """Write tenant `slug`'s configuration into `target` (created; refused if not empty)."""
    with Session(bind=tenant_bind(slug)) as session:
        snap = from_tenant(session, slug)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: 비어 있지 않은 폴더에는 내보내지 않습니다")
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    write_snapshot(snap, slug, tmp)
    if target.exists():
        target.rmdir()
    tmp.rename(target)  # the folder appears whole or not at all
    return target


def write_snapshot(snap: Snapshot, slug: str, folder: Path) -> None:
    a = snap.areas
    t = a["profile"]["tenant"]
    meta: dict[str, Any] = {"slug": slug, "name": t["name"]}
    if t.get("region"):
        meta["region"] = t["region"]
    if t.get("profile"):
        meta["profile"] = t["profile"]
    meta["plugins"] = sorted(a["plugins"])
    for key, item in a["settings"].items():
        meta[key] = item["value"]
    if t.get("todo"):
        meta["todo"] = t["todo"]
    (folder / "tenant.yaml").write_text(HEADER.format(what="기관", slug=slug) + _dump(meta))
    if a["gu"]:
        gus = []
        for code, g in a["gu"].items():
            dongs = []
            for dcode, d in a["dongs"].items():
                if d["gu"] != code:
                    continue
                dong = {"code": dcode, "name": d["name"]}
                for k in ("valid_from", "valid_to", "successor"):
                    if d.get(k):
                        dong[k] = d[k]
                dongs.append(dong)
            gus.append(_drop_none({"code": code, "name": g["name"],
                                   "population_65": g.get("population_65"), "dongs": dongs}))  # fmt: skip
        (folder / "districts.yaml").write_text(
            HEADER.format(what="행정구역", slug=slug) + _dump({"gu": gus})
        )
    for area, sub in (("forms", "forms"), ("rules", "rules")):
        if a[area]:
            (folder / sub).mkdir()
            for key in a[area]:
                (folder / sub / f"{key}.yaml").write_text(snap.texts[(area, key)])
    if a["programmes"]:
        _write_catalogue(snap, slug, folder)


def _write_catalogue(snap: Snapshot, slug: str, folder: Path) -> None:
    a = snap.areas
    programmes = []
    for key, p in a["programmes"].items():
        item: dict[str, Any] = {"key": key, "name": p["name"], "field": p["field"],
                                "funding": p["funding"], "budget": p.get("budget"),
                                "unit": p["unit"], "unit_cost": p["unit_cost"],
                                "description": p.get("description")}  # fmt: skip
        if p.get("rule_set"):
            item["rules"] = _drop_none({"rule_set": p["rule_set"],
                                        "programme": p["rule_programme"],
                                        "entitlement": p.get("rule_entitlement")})  # fmt: skip
        item["form"] = p.get("form")
        if not p.get("active", True):
            item["active"] = False
        programmes.append(_drop_none(item))
    fields = [{"key": k, "name": f["name"]} for k, f in a["fields"].items()]
    catalogue: dict[str, Any] = {"fields": fields} if fields else {}
    catalogue["programmes"] = programmes
    (folder / "catalogue.yaml").write_text(
        HEADER.format(what="서비스 목록", slug=slug) + _dump(catalogue)
    )
    if not a["providers"]:
        return
    providers = []
    all_sample = all(v.get("sample") for v in a["providers"].values())
    for key, v in a["providers"].items():
        item = {"key": key, "name": v["name"], "type": v["type"], "dongs": v["dongs"],
                "phone": v.get("phone"), "contact": v.get("contact"),
                "services": [{"programme": k, "capacity": c} for k, c in v["services"].items()]}  # fmt: skip
        if v.get("sample") and not all_sample:
            item["sample"] = True
        if not v.get("active", True):
            item["active"] = False
        providers.append(_drop_none(item))
    data: dict[str, Any] = {"sample": True} if all_sample else {}
    data["providers"] = providers
    (folder / "providers.yaml").write_text(HEADER.format(what="제공기관", slug=slug) + _dump(data))
