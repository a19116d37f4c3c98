"""The pack format refuses every malformed pack with the file and field at fault, all errors at
once, before anything is written. Each case breaks one thing in a copy of a shipped pack."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dolbom.tenancy.packs import PackError, read_pack
from tests.fixtures import ROOT

PACKS = sorted(p.name for p in (ROOT / "tenants").iterdir() if (p / "tenant.yaml").exists())


@pytest.mark.parametrize("name", PACKS)
def test_every_shipped_pack_reads(name):
    pack = read_pack(ROOT / "tenants" / name)
    assert pack.slug == name
    assert pack.name
    assert pack.profile.get("pilot_field") or name == "daejeon"
    if not (ROOT / "tenants" / name / "districts.yaml").exists():
        assert any("districts.yaml" in t or "행정동" in t for t in pack.todo), (
            "a pack without districts must say the city has to fill them in"
        )


def test_the_seventeen_demo_tenants_are_shipped():
    assert len(PACKS) == 17


PLUGINS = "plugins: [reports, blindspots]"  # Daejeon's line: edits anchor on it


def _edit(file: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def _write(file: str, text: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / file).write_text(text, encoding="utf-8")

    return apply


def _bytes(file: str, data: bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / file).write_bytes(data)

    return apply


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("missing name", _edit("tenant.yaml", "name: 대전광역시\n", ""), "tenant.yaml: name: 필수"),
    ("bad slug", _edit("tenant.yaml", "slug: daejeon", "slug: Daejeon!"), "tenant.yaml: slug"),
    ("reserved slug", _edit("tenant.yaml", "slug: daejeon", "slug: admin"), "예약어"),
    ("unknown top key", _edit("tenant.yaml", PLUGINS, PLUGINS + "\ncolour: red"),
     "tenant.yaml: colour: 알 수 없는 항목"),
    ("unknown profile key", _edit("tenant.yaml", "  name_en: Daejeon", "  name_en: Daejeon\n  mayor: 김"),
     "profile.mayor: 알 수 없는 항목"),
    ("bad ordinance date", _edit("tenant.yaml", "  name_en: Daejeon",
                                 "  name_en: Daejeon\n  ordinance: {title: 조례, promulgated: 2026-02-30}"),
     "profile.ordinance.promulgated: 날짜는 YYYY-MM-DD"),
    ("negative staff", _edit("tenant.yaml", "  name_en: Daejeon",
                             "  name_en: Daejeon\n  staff: {count: -3}"),
     "profile.staff.count: 0 이상의 정수"),
    ("bad pilot field", _edit("tenant.yaml", "  name_en: Daejeon",
                              "  name_en: Daejeon\n  pilot_field: children"),
     "profile.pilot_field"),
    ("todo not a list", _edit("tenant.yaml", PLUGINS, PLUGINS + "\ntodo: 조례"),
     "tenant.yaml: todo"),
    ("plugins not a list", _edit("tenant.yaml", PLUGINS, "plugins: 3"), "plugins"),
    ("service level 0", _edit("tenant.yaml", PLUGINS,
                              PLUGINS + "\nservice_levels: {survey: 0, judgement: 30, plan: 14, meeting: 14}"),
     "service_levels.survey"),
    ("monitoring months", _edit("tenant.yaml", PLUGINS, PLUGINS + "\nmonitoring_months: [0, 99]"),
     "monitoring_months"),
    ("unknown standard form", _edit("tenant.yaml", "standard_forms: [kfrail", "standard_forms: [nope, kfrail"),
     "standard_forms: 'nope'"),
    ("yaml syntax", _write("tenant.yaml", "slug: [daejeon\n"), "YAML 형식 오류"),
    ("not utf-8", _bytes("tenant.yaml", "slug: 대전".encode("cp949")), "UTF-8"),
    ("top is a list", _write("tenant.yaml", "- a\n- b\n"), "최상위는 키: 값"),
    ("districts without gu", _write("districts.yaml", "dongs: []\n"), "districts.yaml: gu:"),
    ("duplicate dong", _write("districts.yaml", "gu:\n  - code: a\n    name: 가구\n    dongs:\n"
                              "      - {code: d1, name: 일동}\n      - {code: d1, name: 이동}\n"),
     "gu[0].dongs[1].code: 코드 'd1'가 중복"),
    ("period backwards", _write("districts.yaml", "gu:\n  - code: a\n    name: 가구\n    dongs:\n"
                                "      - {code: d1, name: 일동, valid_from: 2025-01-01, valid_to: 2024-01-01}\n"),
     "gu[0].dongs[0].valid_to: 종료일은 시작일보다 뒤"),
    ("unknown successor", _write("districts.yaml", "gu:\n  - code: a\n    name: 가구\n    dongs:\n"
                                 "      - {code: d1, name: 일동, valid_to: 2024-01-01, successor: zz}\n"),
     "successor: 'zz' 동이 없습니다"),
    ("programme unknown field", _edit("catalogue.yaml", "    field: daily_care", "    field: cooking"),
     "catalogue.yaml: programmes[0].field"),
    ("programme bad unit", _edit("catalogue.yaml", "    unit: hours", "    unit: litres"),
     "programmes[0].unit"),
    ("programme negative cost", _edit("catalogue.yaml", "    unit_cost: 17000", "    unit_cost: -1"),
     "programmes[0].unit_cost"),
    ("programme unknown rule set", _edit("catalogue.yaml", "rule_set: daejeon-basic-services, programme: temporary_home_care",
                                         "rule_set: nowhere, programme: temporary_home_care"),
     "programmes[0].rules.rule_set"),
    ("programme unknown form", _edit("catalogue.yaml", "    unit_cost: 17000", "    unit_cost: 17000\n    form: nope"),
     "programmes[0].form: 팩에 'nope' 서식이 없습니다"),
    ("programme active not bool", _edit("catalogue.yaml", "    unit_cost: 17000", "    unit_cost: 17000\n    active: maybe"),
     "programmes[0].active"),
    ("provider unknown dong", _edit("providers.yaml", "dongs: [eunhaengseonhwa, daeheung]", "dongs: [atlantis]"),
     "providers.yaml: providers[0].dongs: 'atlantis'"),
    ("provider unknown programme", _edit("providers.yaml", "{programme: nutrition, capacity: 80}",
                                         "{programme: piano, capacity: 80}"),
     "providers[0].services[0].programme"),
    ("provider zero capacity", _edit("providers.yaml", "{programme: nutrition, capacity: 80}",
                                     "{programme: nutrition, capacity: 0}"),
     "providers[0].services[0].capacity"),
    ("provider bad type", _edit("providers.yaml", "type: welfare_centre", "type: castle"),
     "providers[0].type"),
]  # fmt: skip


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "daejeon"
    shutil.copytree(ROOT / "tenants" / "daejeon", folder)
    return folder


@pytest.mark.parametrize(("case", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_pack_is_refused_with_file_and_field(pack_copy, case, mutate, expected):
    mutate(pack_copy)
    with pytest.raises(PackError) as refused:
        read_pack(pack_copy)
    assert any(expected in e for e in refused.value.errors), refused.value.errors


def test_all_errors_are_listed_at_once(pack_copy):
    _edit("tenant.yaml", PLUGINS, PLUGINS + "\ncolour: red")(pack_copy)
    _edit("tenant.yaml", "  name_en: Daejeon", "  name_en: Daejeon\n  mayor: 김")(pack_copy)
    _write("districts.yaml", "gu:\n  - code: a\n    dongs:\n      - {code: d1}\n")(pack_copy)
    with pytest.raises(PackError) as refused:
        read_pack(pack_copy)
    text = "\n".join(refused.value.errors)
    for part in ("colour", "profile.mayor", "gu[0].name", "gu[0].dongs[0].name"):
        assert part in text
