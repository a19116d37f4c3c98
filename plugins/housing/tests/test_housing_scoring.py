"""The priority score comes from the city's published rule parameters: a new version applies to
new entries (and to a recompute), an old entry keeps the breakdown it was decided with; a
tenant without the rule set queues by date and says so. Also: the plugin's tables match its
migration, and the demo seed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from housing_support import (
    a_case,
    entry_form,
    entry_id_from,
    entry_of_case,
    housing_tenant,
    rows,
    token,
)

from dolbom import db
from dolbom.clock import today
from dolbom.rules.operations import import_ruleset
from dolbom.tenancy.operations import set_plugin
from dolbom.tenant_settings import set_value
from dolbom_housing import scoring
from dolbom_housing.models import Base, Building, Flat, QueueEntry, Tenancy

RULES = Path(__file__).resolve().parents[3] / "tenants" / "jeonju" / "rules" / "care_housing.yaml"


def facts(**kw: object) -> scoring.Facts:
    base = {"age": 70, "discharge_on": None, "lives_alone": None, "ltc_grade": None,
            "income_band": None, "unsafe_housing": False}  # fmt: skip
    return scoring.Facts(**(base | kw))  # type: ignore[arg-type]


def test_points_follow_the_parameters(pack_tenant):
    slug = housing_tenant(pack_tenant)
    day = dt.date(2026, 11, 24)
    with db.tenant_session(slug) as s:
        rules = scoring.load_rules(s, slug, day)
    assert rules is not None and (rules.key, rules.version) == ("jeonju-care-housing", 1)

    def total(**kw: object) -> int | None:
        return scoring.score(facts(**kw), rules, day).total

    assert total() == 0
    assert total(discharge_on=day - dt.timedelta(days=30)) == 30  # the 30th day still counts
    assert total(discharge_on=day - dt.timedelta(days=31)) == 0
    assert total(discharge_on=day + dt.timedelta(days=5)) == 30  # a planned discharge
    assert total(age=75) == 10 and total(age=84) == 10 and total(age=85) == 20  # not both
    assert total(lives_alone=True) == 15 and total(lives_alone=None) == 0
    assert total(ltc_grade="인지지원등급") == 10 and total(ltc_grade="등급외") == 0
    assert total(income_band="차상위") == 10 and total(income_band="중위50") == 0
    assert total(unsafe_housing=True) == 10
    full = scoring.score(facts(age=90, discharge_on=day, lives_alone=True, ltc_grade="1등급",
                               income_band="수급", unsafe_housing=True), rules, day)  # fmt: skip
    assert full.total == 30 + 20 + 15 + 10 + 10 + 10
    assert scoring.threshold_of(full.lines) == 40
    assert all("재구성" in line["citation"] for line in full.lines)
    young = scoring.score(facts(age=60), rules, day)
    assert any(line.get("warning") for line in young.lines)  # under the admission age: said so
    assert scoring.score(facts(), None, day).total is None


def test_a_new_version_applies_to_new_entries_and_old_ones_keep_theirs(pack_tenant, signed_in):
    slug = housing_tenant(pack_tenant)
    c = signed_in("coordinator", slug)
    t = token(c, slug)
    first = a_case(slug)
    old_id = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(first)})
    )
    assert entry_of_case(slug, first).score == 75

    # The city publishes 40 points for a recent discharge from today on (version 2).
    source = RULES.read_text(encoding="utf-8").replace(
        "    - {from: 2020-01-01, value: 30, cite: {source: 전주시 케어안심주택 입주자 선정 기준 (재구성), note: 병원 퇴원 어르신 우선 입주}}",
        "    - {from: 2020-01-01, value: 30, cite: {source: 전주시 케어안심주택 입주자 선정 기준 (재구성), note: 병원 퇴원 어르신 우선 입주}}\n"
        f"    - {{from: {today().isoformat()}, value: 40, cite: {{source: 전주시 케어안심주택 입주자 선정 기준 개정 (재구성), note: 퇴원 배점 상향}}}}",
    )  # fmt: skip
    assert source != RULES.read_text(encoding="utf-8")
    with db.tenant_transaction(slug) as s:
        assert import_ruleset(s, slug, source, user_id=None).number == 2

    second = a_case(slug, name="한봄")
    new_id = entry_id_from(
        c.post(f"/{slug}/p/housing/queue/new", data={"csrf_token": t, **entry_form(second)})
    )
    new, old = entry_of_case(slug, second), entry_of_case(slug, first)
    assert (new.score, new.rule_version) == (85, 2)
    assert (old.score, old.rule_version) == (75, 1)  # as it was decided
    assert {x["key"]: x["points"] for x in old.breakdown}["discharge_points"] == 30
    page = c.get(f"/{slug}/p/housing/queue/{old_id}")
    assert "제1판으로 매긴 점수" in page.text and "지금은 제2판이 시행 중" in page.text
    page = c.get(f"/{slug}/p/housing/queue/{new_id}")
    assert "개정 (재구성)" in page.text and "지금은 제" not in page.text
    queue = c.get(f"/{slug}/p/housing/queue/").text
    assert queue.index(f'data-testid="entry-{new_id}"') < queue.index(
        f'data-testid="entry-{old_id}"'
    )

    # The coordinator recomputes: every waiting entry now on version 2.
    assert c.post(f"/{slug}/p/housing/queue/recompute", data={"csrf_token": t}).status_code == 303
    assert (entry_of_case(slug, first).score, entry_of_case(slug, first).rule_version) == (85, 2)


def test_queue_by_date_without_the_rule_set(make_tenant, pack_tenant, signed_in):
    slug = make_tenant()  # a tenant with no pack: no rule sets at all
    set_plugin(slug, "housing", True)
    c = signed_in("coordinator", slug)
    t = token(c, slug)
    later, earlier = a_case(slug, name="나중"), a_case(slug, name="먼저")
    for case_id, day in ((later, today()), (earlier, today() - dt.timedelta(days=3))):
        c.post(f"/{slug}/p/housing/queue/new",
               data={"csrf_token": t, **entry_form(case_id, applied_on=day.isoformat())})  # fmt: skip
    assert [e.score for e in rows(slug, QueueEntry)] == [None, None]
    queue = c.get(f"/{slug}/p/housing/queue/")
    assert (
        "대기 순서는 등록일 순입니다" in queue.text and 'data-testid="recompute"' not in queue.text
    )
    assert queue.text.index("먼저") < queue.text.index("나중")
    page = c.get(f"/{slug}/p/housing/queue/{entry_of_case(slug, earlier).id}")
    assert "점수 없이 등록일 순으로 대기" in page.text

    # A Jeonju tenant pointed at a rule set it does not have behaves the same.
    jeonju = housing_tenant(pack_tenant)
    with db.tenant_transaction(jeonju) as s:
        set_value(s, scoring.RULE_SET_SETTING.key, "nosuch-care-housing")
        assert scoring.load_rules(s, jeonju, today()) is None


def test_tables_match_the_migration(pack_tenant):
    slug = housing_tenant(pack_tenant)
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{db.schema_for(slug)}"')
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, type_, parent: (
                    type_ != "table" or name in Base.metadata.tables
                )
            },
        )
        assert compare_metadata(context, Base.metadata) == []


def test_demo_seed(pack_tenant):
    from dolbom.cases.synthetic import generate
    from dolbom.plugins.host import get_host

    slug = housing_tenant(pack_tenant)
    with db.tenant_transaction(slug) as s:
        generate(s, slug, 150, seed=7, user_id=1)
    for _ in range(2):  # the second run finds rows and adds nothing
        with db.tenant_transaction(slug) as s:
            get_host().call("dolbom_demo_data", frozenset({"housing"}), tenant_slug=slug, session=s,
                            staff={"coordinator": 1, "admin": 2, "worker": 3, "provider": 4})  # fmt: skip
    buildings = rows(slug, Building)
    assert [(b.status, b.planned_flats) for b in buildings] == [("open", None), ("planned", 285)]
    flats = rows(slug, Flat)
    assert len(flats) == 50 and all(f.building_id == buildings[0].id for f in flats)
    occupied = [f for f in flats if f.status == "occupied"]
    tenancies = rows(slug, Tenancy)
    assert len(occupied) == len(tenancies) and 10 <= len(tenancies) <= 40
    entries = rows(slug, QueueEntry)
    assert 1 <= len(entries) <= 6 and all(e.score is not None for e in entries)
    with db.tenant_session(slug) as s:
        people = {t.person_id for t in tenancies} | {e.person_id for e in entries}
        assert len(people) == len(tenancies) + len(entries)
        assert (
            s.scalar(
                sa.select(sa.func.count()).select_from(Tenancy).where(Tenancy.moved_in_on > today())
            )
            == 0
        )
