"""Packs against running tenants: export → apply to a fresh tenant gives the same
configuration; the difference names exactly what changes; applying is all or nothing; a merge
in a pack moves people, open cases and scopes to the successor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.cases.models import Case
from dolbom.catalogue.models import Programme, Provider
from dolbom.console.models import ConfigChange
from dolbom.districts.models import Dong
from dolbom.identity.models import Membership, User
from dolbom.packs.apply import apply_pack, preview
from dolbom.packs.diff import effective
from dolbom.packs.export import export_pack
from dolbom.packs.snapshot import from_tenant
from dolbom.people.models import Person
from dolbom.tenancy.packs import PackError, read_pack
from tests.fixtures import ROOT


def snapshot(slug: str):  # type: ignore[no-untyped-def]
    with db.tenant_session(slug) as s:
        return from_tenant(s, slug)


def as_pack(folder: Path, slug: str):  # type: ignore[no-untyped-def]
    """A pack folder read for tenant `slug` (packs name their own slug; tests use unique ones)."""
    pack = read_pack(folder)
    pack.slug = slug
    return pack


def test_export_then_apply_to_a_fresh_tenant_is_identical(pack_tenant, make_tenant, tmp_path):
    jeonju = pack_tenant("jeonju")
    folder = export_pack(jeonju, tmp_path / "out")
    fresh = make_tenant(name="빈 기관")
    changes = apply_pack(fresh, as_pack(folder, fresh), user_id=None)
    assert len(effective(changes)) > 47 + 96  # programmes, providers, dongs, forms, rules …
    a, b = snapshot(jeonju), snapshot(fresh)
    assert a.areas == b.areas
    assert preview(fresh, as_pack(folder, fresh)) == []  # nothing left to apply
    # and the export of the copy is the same files
    again = export_pack(fresh, tmp_path / "again")
    for path in sorted(folder.rglob("*.yaml")):
        other = (again / path.relative_to(folder)).read_text().replace(fresh, jeonju)
        assert path.read_text() == other, path.name


def test_the_shipped_pack_against_its_own_tenant_has_no_difference(pack_tenant):
    slug = pack_tenant("jeonju")
    assert effective(preview(slug, as_pack(ROOT / "tenants" / "jeonju", slug))) == []


def test_diff_names_each_added_changed_and_removed_item(pack_tenant, tmp_path):
    slug = pack_tenant("daejeon")
    folder = tmp_path / "daejeon"
    shutil.copytree(ROOT / "tenants" / "daejeon", folder)
    text = (folder / "catalogue.yaml").read_text()
    text = text.replace("unit_cost: 17000", "unit_cost: 18000", 1)
    (folder / "catalogue.yaml").write_text(text)
    meta = (folder / "tenant.yaml").read_text()
    (folder / "tenant.yaml").write_text(
        meta.replace(
            "plugins: [reports, blindspots]",
            "plugins: [reports, blindspots]\nmonitoring_months: [1, 3, 6]",
        )
    )
    prov = (folder / "providers.yaml").read_text()
    start = prov.index("  - key: jung_welfare")
    end = prov.index("  - key:", start + 10)
    (folder / "providers.yaml").write_text(prov[:start] + prov[end:])
    changes = {(c.area, c.key): c for c in effective(preview(slug, as_pack(folder, slug)))}
    assert set(changes) == {
        ("programmes", "temporary_home_care"),
        ("settings", "monitoring_months"),
        ("providers", "jung_welfare"),
    }
    cost = changes[("programmes", "temporary_home_care")]
    assert cost.action == "change" and cost.fields == [("unit_cost", 17000, 18000)]
    assert changes[("settings", "monitoring_months")].action == "add"
    assert changes[("providers", "jung_welfare")].action == "remove"
    apply_pack(slug, as_pack(folder, slug), user_id=None)
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(Programme.unit_cost).where(
            Programme.key == "temporary_home_care")) == 18000  # fmt: skip
        assert s.scalar(sa.select(Provider.id).where(Provider.key == "jung_welfare")) is None
        entries = s.scalars(sa.select(ConfigChange).where(ConfigChange.source == "pack:daejeon"))
        logged = {(e.area, e.subject): (e.before, e.after) for e in entries}
    assert logged[("programme", "programmes/temporary_home_care")] == (
        {"unit_cost": 17000},
        {"unit_cost": 18000},
    )
    assert ("provider", "providers/jung_welfare") in logged


def test_a_failure_midway_leaves_the_tenant_unchanged(pack_tenant, tmp_path):
    """A real failure in the database half-way through (a trigger refusing one provider's
    insert, after districts, forms, rules and programmes were written): nothing stays."""
    slug = pack_tenant("daejeon")
    folder = tmp_path / "daejeon"
    shutil.copytree(ROOT / "tenants" / "daejeon", folder)
    (folder / "tenant.yaml").write_text(
        (folder / "tenant.yaml").read_text().replace("name: 대전광역시", "name: 대전광역시 (바뀜)")
    )
    cat = (folder / "catalogue.yaml").read_text()
    (folder / "catalogue.yaml").write_text(cat.replace("unit_cost: 17000", "unit_cost: 19000", 1))
    prov = (folder / "providers.yaml").read_text()
    (folder / "providers.yaml").write_text(
        prov + "  - key: zz_new\n    name: 새 기관 (예시)\n    type: welfare_centre\n"
        "    dongs: all\n    services:\n      - {programme: nutrition, capacity: 5}\n"
    )
    before = snapshot(slug)
    schema = db.schema_for(slug)
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(
            f"""CREATE FUNCTION "{schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'injected failure'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON "{schema}".provider
            FOR EACH ROW WHEN (NEW.key = 'zz_new') EXECUTE FUNCTION "{schema}".refuse();"""
        )
    with pytest.raises(sa.exc.DBAPIError, match="injected failure"):
        apply_pack(slug, as_pack(folder, slug), user_id=None)
    after = snapshot(slug)
    assert after.areas == before.areas
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ConfigChange)) == 0


def test_refusals_are_all_listed_and_nothing_applied(pack_tenant, tmp_path):
    slug = pack_tenant("jeonju")
    with db.tenant_transaction(slug) as s:
        s.add(Person(name="평화 주민", dong_code="pyeonghwa1"))
    folder = tmp_path / "jeonju"
    shutil.copytree(ROOT / "tenants" / "jeonju", folder)
    dist = (folder / "districts.yaml").read_text()
    (folder / "districts.yaml").write_text(
        dist.replace("      - {code: pyeonghwa1, name: 평화1동}\n", "")
    )
    prov = (folder / "providers.yaml").read_text()
    (folder / "providers.yaml").write_text(
        prov.replace("pyeonghwa1, ", "").replace(", pyeonghwa1", "")
    )
    before = snapshot(slug)
    with pytest.raises(PackError) as refused:
        apply_pack(slug, as_pack(folder, slug), user_id=None)
    assert any("dongs/pyeonghwa1" in e and "주민 1명" in e for e in refused.value.errors)
    assert snapshot(slug).areas == before.areas


def test_a_merge_in_a_pack_moves_people_open_cases_and_scopes(pack_tenant, make_user, tmp_path):
    """A city before the 2025 merge (금암1동 and 금암2동 current) receives the pack with it."""
    slug = pack_tenant("jeonju")
    # Roll the tenant back to before the merge: 금암동 absent, 금암1·2동 open.
    with db.tenant_transaction(slug) as s:
        s.execute(sa.update(Dong).where(Dong.code.in_(["geumam1", "geumam2"]))
                  .values(valid_to=None, successor_code=None))  # fmt: skip
        s.execute(sa.update(Provider).values(
            dong_codes=sa.func.array_replace(Provider.dong_codes, "geumam", "geumam1")))  # fmt: skip
        s.execute(sa.delete(Dong).where(Dong.code == "geumam"))
        people = [Person(name=f"금암 {i}", dong_code=c) for i, c in
                  enumerate(["geumam1", "geumam2", "geumam2"])]  # fmt: skip
        s.add_all(people)
        s.flush()
        s.add(Case(person_id=people[0].id, dong_code="geumam1", stage="provision"))
        s.add(Case(person_id=people[1].id, dong_code="geumam2", stage="closed"))
    worker = make_user("frontline_worker", slug, dongs=["geumam1", "jinbuk"])
    changes = apply_pack(slug, as_pack(ROOT / "tenants" / "jeonju", slug), user_id=None)
    assert {(c.area, c.key, c.action) for c in effective(changes)} >= {
        ("dongs", "geumam", "add"),
        ("dongs", "geumam1", "change"),
        ("dongs", "geumam2", "change"),
    }
    with db.tenant_session(slug) as s:
        assert sorted(s.scalars(sa.select(Person.dong_code).where(Person.name.like("금암 %")))) \
            == ["geumam"] * 3  # fmt: skip
        stages = dict(s.execute(sa.select(Case.stage, Case.dong_code)).all())
        assert stages == {"provision": "geumam", "closed": "geumam2"}  # history keeps the old
        assert s.scalar(sa.select(Dong.name).where(Dong.code == "geumam2")) == "금암2동"
        uid = s.scalar(sa.select(User.id).where(User.email == worker))
        scope = s.scalar(sa.select(Membership.dong_codes).where(Membership.user_id == uid))
        assert scope == ["geumam", "jinbuk"]
