"""Programmes and providers in the city administrator's console: the lists, creating and editing
(with the rule link and its unit), fields, assigning providers with monthly places, deactivating,
every kind of bad input (422, message next to the field, input kept), the stale save, the roles,
CSRF, and the config_change entry each change leaves."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from dolbom import db
from dolbom.cases.models import Case
from dolbom.catalogue import admin_ops as ops
from dolbom.catalogue import admin_queries as queries
from dolbom.catalogue.models import Programme, Provider, ProviderService, ServiceField
from dolbom.console.models import ConfigChange
from dolbom.people.models import Person
from dolbom.referrals.models import Referral
from tests.fixtures import csrf_from

BASE = "/{slug}/console"
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
MEAL_LINK = "jeonju-elderly-care/meal_support/meals"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


@pytest.fixture
def admin(jeonju, signed_in):  # type: ignore[no-untyped-def]
    return signed_in("city_admin", jeonju)


def _url(slug: str, path: str) -> str:
    return BASE.format(slug=slug) + path


def _token(client, slug: str) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get(_url(slug, "/programmes/")).text)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.text)


def _changes(slug: str, area: str, subject: str | None = None) -> list[ConfigChange]:
    with db.tenant_session(slug) as s:
        query = sa.select(ConfigChange).where(ConfigChange.area == area)
        if subject is not None:
            query = query.where(ConfigChange.subject == subject)
        return list(s.scalars(query.order_by(ConfigChange.id)))


def _programme(slug: str, key: str) -> Programme:
    with db.tenant_session(slug) as s:
        p = s.scalar(sa.select(Programme).where(Programme.key == key))
        assert p is not None
        return p


def _provider(slug: str, key: str) -> Provider:
    with db.tenant_session(slug) as s:
        p = s.scalar(sa.select(Provider).where(Provider.key == key))
        assert p is not None
        return p


def _offers(slug: str, provider_key: str) -> dict[str, int]:
    with db.tenant_session(slug) as s:
        return queries.offers_of(
            s, s.scalar(sa.select(Provider).where(Provider.key == provider_key))
        )


def _open_referral(slug: str, programme: str, provider: str, status: str = "sent") -> None:
    """A referral still open, without the journey that makes one (tested in test_referrals)."""
    with db.tenant_transaction(slug) as s:
        person = Person(name="의뢰 시험", dong_code="pyeonghwa1")
        s.add(person)
        s.flush()
        case = Case(person_id=person.id, dong_code="pyeonghwa1", stage="provision")
        s.add(case)
        s.flush()
        s.add(Referral(
            case_id=case.id, person_id=person.id, status=status, created_by=0,
            programme_id=s.scalar(sa.select(Programme.id).where(Programme.key == programme)),
            provider_id=s.scalar(sa.select(Provider.id).where(Provider.key == provider)),
            period_from=dt.date(2026, 1, 1), period_until=dt.date(2026, 12, 31),
        ))  # fmt: skip


def _new_programme(**change: str) -> dict[str, str]:
    data = {
        "key": "warm_lunch", "name": "따뜻한 점심", "field": "nutrition", "funding": "city",
        "budget": "₩12,000,000", "unit": "meals", "unit_cost": "6,000",
        "description": "경로당 점심", "rule_link": MEAL_LINK, "form_key": "jeonju_needs",
    }  # fmt: skip
    data.update(change)
    return data


def _programme_form(programme: Programme, **change: str) -> dict[str, str]:
    link = "/".join(
        x for x in (programme.rule_set_key, programme.rule_programme, programme.rule_entitlement)
        if x
    )  # fmt: skip
    data = {
        "name": programme.name, "field": programme.field, "funding": programme.funding,
        "budget": str(programme.budget or ""), "unit": programme.unit,
        "unit_cost": str(programme.unit_cost), "description": programme.description or "",
        "rule_link": link, "form_key": programme.form_key or "", "version": str(programme.version),
    }  # fmt: skip
    data.update(change)
    return data


def _provider_form(slug: str, provider_key: str, **change: object) -> MultiDict:
    p = _provider(slug, provider_key)
    data: list[tuple[str, str]] = [
        ("name", p.name), ("type", p.type), ("phone", p.phone or ""), ("contact", p.contact or ""),
        ("coverage", "all" if p.all_dongs else "some"), ("version", str(p.version)),
    ]  # fmt: skip
    data += [("dongs", d) for d in p.dong_codes]
    data += [(f"cap_{k}", str(v)) for k, v in _offers(slug, provider_key).items()]
    form = MultiDict(data)
    for k, v in change.items():
        if isinstance(v, list):
            form.setlist(k, v)
        else:
            form[k] = v
    return form


# ── lists


def test_programmes_are_listed_by_field_with_providers_and_places(jeonju, admin):  # type: ignore[no-untyped-def]
    page = admin.get(_url(jeonju, "/programmes/"))
    assert page.status_code == 200
    text = _text(page)
    assert 'data-testid="programme-list"' in text
    assert text.count('data-testid="programme-row-') == 47
    with db.tenant_session(jeonju) as s:
        meal = s.scalar(sa.select(Programme).where(Programme.key == "meal_support"))
        offers = s.execute(
            sa.select(sa.func.count(), sa.func.sum(ProviderService.capacity))
            .join(Provider).where(ProviderService.programme_id == meal.id, Provider.active)
        ).one()  # fmt: skip
    row = re.search(r'data-testid="programme-row-meal_support">(.*?)</tr>', text, re.S).group(1)
    assert "<td>식</td>" in row and "<td>시 자체</td>" in row
    assert f"<td>{offers[0]}</td>" in row and f"<td>{offers[1]:,}</td>" in row
    assert "₩" in row  # the budget
    # The act's fields come first, then the city's own.
    assert text.index("보건의료") < text.index("영양·식사")

    only = _text(admin.get(_url(jeonju, "/programmes/?field=nutrition"), headers=HTMX))
    assert "<html" not in only and "programme-row-meal_support" in only
    assert "programme-row-visiting_medical" not in only
    none = _text(admin.get(_url(jeonju, "/programmes/?active=0")))
    assert 'data-testid="programmes-empty"' in none


def test_providers_are_searched_filtered_and_paged(jeonju, admin):  # type: ignore[no-untyped-def]
    first = _text(admin.get(_url(jeonju, "/providers/")))
    assert 'data-testid="provider-list"' in first
    assert "96곳" in first and "1 / 5" in first
    assert first.count('data-testid="provider-row-') == 20
    last = _text(admin.get(_url(jeonju, "/providers/?page=5")))
    assert last.count('data-testid="provider-row-') == 16
    found = _text(admin.get(_url(jeonju, "/providers/?q=완산종합"), headers=HTMX))
    assert "<html" not in found and "provider-row-wansan_welfare" in found
    assert found.count('data-testid="provider-row-') == 1
    health = _text(admin.get(_url(jeonju, "/providers/?type=health_centre")))
    with db.tenant_session(jeonju) as s:
        n = s.scalar(sa.select(sa.func.count()).where(Provider.type == "health_centre"))
        housing = s.scalars(
            sa.select(Provider.key).join(ProviderService).join(Programme)
            .where(Programme.key == "care_safe_housing")
        ).all()  # fmt: skip
    assert health.count('data-testid="provider-row-') == n > 0
    offering = _text(admin.get(_url(jeonju, "/providers/?programme=care_safe_housing")))
    assert offering.count('data-testid="provider-row-') == len(housing) == 1
    assert f"provider-row-{housing[0]}" in offering
    # A search with SQL wildcards finds nothing rather than everything.
    assert "providers-empty" in admin.get(_url(jeonju, "/providers/?q=%25")).text


# ── programmes


def test_a_field_and_a_programme_are_created_edited_and_recorded(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    r = admin.post(_url(jeonju, "/programmes/fields"),
                   data={"csrf_token": token, "key": "culture", "name": "문화여가"})  # fmt: skip
    assert r.status_code == 303
    with db.tenant_session(jeonju) as s:
        assert s.get(ServiceField, "culture").name == "문화여가"
    [field] = _changes(jeonju, "programme", "field:culture")
    assert field.action == "create" and field.after == {"key": "culture", "name": "문화여가"}

    form = admin.get(_url(jeonju, "/programmes/new"))
    assert 'data-testid="programme-form"' in form.text and "문화여가" in form.text
    assert MEAL_LINK in form.text and "jeonju_needs" in form.text
    r = admin.post(_url(jeonju, "/programmes/new"),
                   data={"csrf_token": token, **_new_programme(field="culture")})  # fmt: skip
    assert r.status_code == 303, _text(r)
    assert r.headers["Location"].endswith("/console/programmes/warm_lunch/")
    p = _programme(jeonju, "warm_lunch")
    assert (p.field, p.budget, p.unit_cost, p.unit, p.active) == (
        "culture",
        12_000_000,
        6000,
        "meals",
        True,
    )
    assert (p.rule_set_key, p.rule_programme, p.rule_entitlement) == (
        "jeonju-elderly-care",
        "meal_support",
        "meals",
    )
    assert p.form_key == "jeonju_needs"
    [created] = _changes(jeonju, "programme", "warm_lunch")
    assert created.action == "create" and created.before is None
    assert created.after["budget"] == 12_000_000 and created.after["rule_entitlement"] == "meals"

    page = admin.get(_url(jeonju, "/programmes/warm_lunch/"))
    assert 'data-testid="assign-provider-form"' in page.text
    # The key cannot change: a posted one is ignored.
    r = admin.post(_url(jeonju, "/programmes/warm_lunch/"), data={"csrf_token": token,
                   **_programme_form(p, key="other", name="따뜻한 점심 (경로당)", budget="15,000,000",
                                     rule_link="", form_key="")})  # fmt: skip
    assert r.status_code == 303
    p = _programme(jeonju, "warm_lunch")
    assert p.key == "warm_lunch" and p.name == "따뜻한 점심 (경로당)" and p.budget == 15_000_000
    assert p.rule_set_key is None and p.form_key is None and p.version == 2
    update = _changes(jeonju, "programme", "warm_lunch")[-1]
    assert update.action == "update"
    assert update.before == {"name": "따뜻한 점심", "budget": 12_000_000, "rule_set_key": "jeonju-elderly-care",
                             "rule_programme": "meal_support", "rule_entitlement": "meals",
                             "form_key": "jeonju_needs"}  # fmt: skip
    assert update.after == {"name": "따뜻한 점심 (경로당)", "budget": 15_000_000, "rule_set_key": None,
                            "rule_programme": None, "rule_entitlement": None, "form_key": None}  # fmt: skip
    # Saving without a change records nothing.
    n = len(_changes(jeonju, "programme"))
    r = admin.post(_url(jeonju, "/programmes/warm_lunch/"),
                   data={"csrf_token": token, **_programme_form(_programme(jeonju, "warm_lunch"))})  # fmt: skip
    assert r.status_code == 303 and len(_changes(jeonju, "programme")) == n


def test_the_rule_link_and_its_unit(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    url = _url(jeonju, "/programmes/new")
    cases = {
        "nosuch/meal_support": "게시된 규칙 묶음 'nosuch'이(가) 없습니다",
        "jeonju-elderly-care/nosuch": "규칙 묶음 'jeonju-elderly-care'에 'nosuch' 프로그램이 없습니다",
        "jeonju-elderly-care/meal_support/hourz": "'meal_support' 프로그램에 'hourz' 급여가 없습니다",
        "jeonju-elderly-care": "규칙 묶음과 프로그램을 고르세요",
        "a/b/c/d": "규칙 묶음과 프로그램을 고르세요",
    }
    for link, message in cases.items():
        r = admin.post(url, data={"csrf_token": token, **_new_programme(rule_link=link)})
        assert r.status_code == 422, link
        assert message in _text(r), link
    # Meals are capped by 회/월; an hours programme cannot take the meals entitlement.
    r = admin.post(url, data={"csrf_token": token, **_new_programme(unit="hours")}, headers=HTMX)
    assert r.status_code == 422 and "<html" not in r.text
    assert "급여 단위 '회/월'로는 '시간' 단위 서비스의 월 상한을 정할 수 없습니다" in _text(r)
    # The entitlement left out: eligibility only, any unit.
    r = admin.post(url, data={"csrf_token": token,
                              **_new_programme(unit="hours", rule_link="jeonju-elderly-care/meal_support")})  # fmt: skip
    assert r.status_code == 303
    # An hours entitlement fits an hours programme.
    r = admin.post(url, data={"csrf_token": token, **_new_programme(
        key="extra_care", name="추가 돌봄", unit="hours",
        rule_link="jeonju-elderly-care/disabled_elder_care/hours")})  # fmt: skip
    assert r.status_code == 303
    assert _programme(jeonju, "extra_care").rule_entitlement == "hours"


def test_bad_programme_input_is_refused_next_to_each_field(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    url = _url(jeonju, "/programmes/new")
    before = len(_changes(jeonju, "programme"))
    bad = _new_programme(key="Bad Key", name="방문의료 (재택의료)", field="nosuch", funding="gift",
                         unit="kg", budget="-5", unit_cost="10,000,000,000",
                         form_key="nosuch_form", description="x" * 501)  # fmt: skip
    r = admin.post(url, data={"csrf_token": token, **bad}, headers=HTMX)
    assert r.status_code == 422
    text = _text(r)
    assert "<html" not in text and 'data-testid="programme-form"' in text

    def error(name: str) -> str:
        return re.search(rf'data-testid="error-{name}">(.*?)</p>', text, re.S).group(1)

    assert "영문 소문자로 시작하는" in error("key")
    assert "같은 이름이 이미 있습니다 (키: visiting_medical)" in error("name")
    assert error("field") == "'nosuch'는 고를 수 있는 값이 아닙니다"
    assert error("funding") == "'gift'는 고를 수 있는 값이 아닙니다"
    assert error("unit") == "'kg'는 고를 수 있는 값이 아닙니다"
    assert error("budget") == "0보다 작을 수 없습니다"
    assert "1,000,000,000을(를) 넘을 수 없습니다" in error("unit_cost")
    assert error("form_key") == "'nosuch_form' 서식이 없습니다"
    assert "500자까지" in error("description")
    # Nothing typed is lost.
    assert 'value="Bad Key"' in text and 'value="-5"' in text and 'value="10,000,000,000"' in text
    assert '<option value="nosuch_form" selected>' in text

    more = {
        "key": ("meal_support", "'meal_support' 키는 이미 쓰고 있습니다"),
        "budget": ("열두 원", "숫자로 적으세요"),
        "unit_cost": ("", "단가을(를) 적으세요"),
        "name": ("", "프로그램 이름을 적으세요"),
    }
    for name, (value, message) in more.items():
        r = admin.post(url, data={"csrf_token": token, **_new_programme(**{name: value})})
        assert r.status_code == 422 and message in _text(r), name
    r = admin.post(url, data={"csrf_token": token, **_new_programme(budget=str(10**13 + 1))})
    assert "10,000,000,000,000을(를) 넘을 수 없습니다" in _text(r)
    # Editing: a name another programme has.
    p = _programme(jeonju, "meal_support")
    r = admin.post(_url(jeonju, "/programmes/meal_support/"),
                   data={"csrf_token": token, **_programme_form(p, name="방문의료 (재택의료)")})  # fmt: skip
    assert r.status_code == 422 and "같은 이름이 이미 있습니다" in _text(r)
    assert len(_changes(jeonju, "programme")) == before
    with db.tenant_session(jeonju) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Programme)) == 47
    # Unknown programmes are 404, whatever the verb.
    assert admin.get(_url(jeonju, "/programmes/nosuch/")).status_code == 404
    assert admin.post(_url(jeonju, "/programmes/nosuch/active"),
                      data={"csrf_token": token, "active": "0"}).status_code == 404  # fmt: skip


def test_a_bad_field_is_refused(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    url = _url(jeonju, "/programmes/fields")
    for data, message in (
        ({"key": "nutrition", "name": "새 분야"}, "'nutrition' 분야가 이미 있습니다"),
        ({"key": "housing", "name": "새 분야"}, "'housing' 분야가 이미 있습니다"),
        ({"key": "new_one", "name": "주거"}, "같은 이름의 분야가 이미 있습니다"),
        ({"key": "new_one", "name": "영양·식사"}, "같은 이름의 분야가 이미 있습니다"),
        ({"key": "1x", "name": "새 분야"}, "영문 소문자로 시작하는"),
        ({"key": "new_one", "name": ""}, "분야 이름을 적으세요"),
    ):
        r = admin.post(url, data={"csrf_token": token, **data}, headers=HTMX)
        assert r.status_code == 422, data
        assert "<html" not in r.text and message in _text(r), data
        assert f'value="{data["key"]}"' in r.text
    assert _changes(jeonju, "programme") == []


def test_a_stale_programme_save_is_refused_and_the_input_kept(jeonju, admin, signed_in):  # type: ignore[no-untyped-def]
    other = signed_in("city_admin", jeonju, name="김다른")
    token, other_token = _token(admin, jeonju), _token(other, jeonju)
    loaded = _programme(jeonju, "meal_support")
    page = admin.get(_url(jeonju, "/programmes/meal_support/")).text
    assert f'name="version" value="{loaded.version}"' in page
    r = other.post(_url(jeonju, "/programmes/meal_support/"),
                   data={"csrf_token": other_token, **_programme_form(loaded, budget="999,000")})  # fmt: skip
    assert r.status_code == 303
    r = admin.post(_url(jeonju, "/programmes/meal_support/"), headers=HTMX,
                   data={"csrf_token": token, **_programme_form(loaded, unit_cost="7,500")})  # fmt: skip
    assert r.status_code == 409
    text = _text(r)
    assert 'data-testid="conflict"' in text and "김다른님이" in text and "먼저 저장했습니다" in text
    assert 'value="7,500"' in text  # the user's input
    assert 'data-testid="current-budget"' in text and "999,000" in text  # what was saved meanwhile
    now = _programme(jeonju, "meal_support")
    assert now.budget == 999_000 and now.unit_cost == loaded.unit_cost  # nothing overwritten
    assert len(_changes(jeonju, "programme", "meal_support")) == 1
    # The answer carries the new version: saving again, having seen it, goes through.
    version = re.search(r'name="version" value="(\d+)"', text).group(1)
    assert int(version) == now.version
    r = admin.post(_url(jeonju, "/programmes/meal_support/"),
                   data={"csrf_token": token, **_programme_form(now, unit_cost="7,500")})  # fmt: skip
    assert r.status_code == 303 and _programme(jeonju, "meal_support").unit_cost == 7500


def test_two_saves_at_the_same_moment_one_wins(jeonju):  # type: ignore[no-untyped-def]
    """Both forms carry the current version; the UPDATE's version check refuses the second."""
    from sqlalchemy.orm.exc import StaleDataError

    with db.tenant_session(jeonju) as s1, db.tenant_session(jeonju) as s2:
        p1 = s1.scalar(sa.select(Programme).where(Programme.key == "meal_support"))
        p2 = s2.scalar(sa.select(Programme).where(Programme.key == "meal_support"))
        kw = {"fields": queries.fields(s1), "rules": {}, "form_keys": set(), "user_id": 1}
        ops.update_programme(s1, p1, MultiDict(_programme_form(p1, rule_link="", budget="1")), **kw)
        s1.commit()
        with pytest.raises(StaleDataError):
            ops.update_programme(
                s2, p2, MultiDict(_programme_form(p2, rule_link="", budget="2")), **kw
            )
        s2.rollback()
    assert _programme(jeonju, "meal_support").budget == 1


def test_deactivating_a_programme_warns_about_open_referrals(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    _open_referral(jeonju, "meal_support", _first_provider(jeonju, "meal_support"))
    _open_referral(jeonju, "meal_support", _first_provider(jeonju, "meal_support"), "waiting")
    page = _text(admin.get(_url(jeonju, "/programmes/meal_support/")))
    assert re.search(r'data-testid="open-referrals">진행 중인 의뢰 <strong>2</strong>', page)
    p = _programme(jeonju, "meal_support")
    url = _url(jeonju, "/programmes/meal_support/active")
    r = admin.post(
        url, data={"csrf_token": token, "active": "0", "version": p.version}, headers=HTMX
    )
    assert r.status_code == 422 and "<html" not in r.text
    assert "진행 중인 의뢰가 2건 있습니다" in _text(r)
    assert _programme(jeonju, "meal_support").active
    r = admin.post(
        url, data={"csrf_token": token, "active": "0", "version": p.version, "confirm": "1"}
    )
    assert r.status_code == 303 and not _programme(jeonju, "meal_support").active
    change = _changes(jeonju, "programme", "meal_support")[-1]
    assert (change.before, change.after) == ({"active": True}, {"active": False})
    # A stale status form is refused; the current one reactivates.
    r = admin.post(url, data={"csrf_token": token, "active": "1", "version": p.version})
    assert r.status_code == 409 and "먼저 저장했습니다" in _text(r)
    r = admin.post(url, data={"csrf_token": token, "active": "1",
                              "version": _programme(jeonju, "meal_support").version})  # fmt: skip
    assert r.status_code == 303 and _programme(jeonju, "meal_support").active
    assert "programme-row-meal_support" in admin.get(_url(jeonju, "/programmes/?active=1")).text


def _first_provider(slug: str, programme: str) -> str:
    with db.tenant_session(slug) as s:
        return s.scalar(
            sa.select(Provider.key).join(ProviderService).join(Programme)
            .where(Programme.key == programme).order_by(Provider.key).limit(1)
        )  # fmt: skip


# ── providers for a programme


def test_providers_are_assigned_with_monthly_places(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    base = _url(jeonju, "/programmes/care_safe_housing")
    with db.tenant_session(jeonju) as s:
        prog = s.scalar(sa.select(Programme).where(Programme.key == "care_safe_housing"))
        free = [p.key for p in queries.unassigned_providers(s, prog)]
    newcomer = free[0]
    version = _provider(jeonju, newcomer).version
    r = admin.post(base + "/providers", data={"csrf_token": token, "provider": newcomer, "capacity": "12"},
                   headers=HTMX)  # fmt: skip
    assert r.status_code == 200 and "<html" not in r.text
    assert (
        f'data-testid="assignment-{newcomer}"' in r.text
        and 'data-testid="assign-message"' in r.text
    )
    assert _offers(jeonju, newcomer)["care_safe_housing"] == 12
    assert _provider(jeonju, newcomer).version == version + 1  # an open provider form is now stale
    change = _changes(jeonju, "programme", "care_safe_housing")[-1]
    assert (change.before, change.after) == (
        {f"provider.{newcomer}": None},
        {f"provider.{newcomer}": 12},
    )

    # Capacity 0 is allowed: open referrals carry on, new ones wait.
    r = admin.post(
        f"{base}/providers/{newcomer}", data={"csrf_token": token, f"cap_{newcomer}": "0"}
    )
    assert r.status_code == 303 and _offers(jeonju, newcomer)["care_safe_housing"] == 0
    change = _changes(jeonju, "programme", "care_safe_housing")[-1]
    assert (change.before, change.after) == (
        {f"provider.{newcomer}": 12},
        {f"provider.{newcomer}": 0},
    )
    for value, message in (("-1", "0보다 작을 수 없습니다"), ("열", "숫자로 적으세요"),
                           ("100001", "100,000을(를) 넘을 수 없습니다"), ("", "월 정원을(를) 적으세요")):  # fmt: skip
        r = admin.post(f"{base}/providers/{newcomer}", headers=HTMX,
                       data={"csrf_token": token, f"cap_{newcomer}": value})  # fmt: skip
        assert r.status_code == 422, value
        text = _text(r)
        assert re.search(rf'data-testid="error-cap_{newcomer}">[^<]*{re.escape(message)}', text), (
            value
        )
        assert f'value="{html.escape(value)}"' in r.text  # kept
    assert _offers(jeonju, newcomer)["care_safe_housing"] == 0

    for data, message in (
        ({"provider": newcomer, "capacity": "3"}, "이미 이 프로그램을 제공합니다"),
        (
            {"provider": "nosuch_provider", "capacity": "3"},
            "이 시에 'nosuch_provider' 기관이 없습니다",
        ),
        ({"provider": "", "capacity": "3"}, "기관을 고르세요"),
        ({"provider": free[1], "capacity": "-3"}, "0보다 작을 수 없습니다"),
    ):
        r = admin.post(base + "/providers", data={"csrf_token": token, **data}, headers=HTMX)
        assert r.status_code == 422 and message in _text(r), data
    # Unknown provider or programme in the address: 404.
    assert (
        admin.post(
            f"{base}/providers/nosuch", data={"csrf_token": token, "cap_nosuch": "1"}
        ).status_code
        == 404
    )
    assert (
        admin.post(f"{base}/providers/nosuch/remove", data={"csrf_token": token}).status_code == 404
    )
    assert admin.post(_url(jeonju, "/programmes/nosuch/providers"),
                      data={"csrf_token": token, "provider": newcomer, "capacity": "1"}).status_code == 404  # fmt: skip
    # A provider not offering it cannot have its places changed.
    r = admin.post(f"{base}/providers/{free[1]}", data={"csrf_token": token, f"cap_{free[1]}": "1"})
    assert r.status_code == 422 and "제공하지 않습니다" in _text(r)

    # Removing is refused while it has open referrals for the programme, with the count.
    _open_referral(jeonju, "care_safe_housing", newcomer)
    r = admin.post(f"{base}/providers/{newcomer}/remove", data={"csrf_token": token}, headers=HTMX)
    assert r.status_code == 422
    assert "진행 중인 의뢰가 1건 있어 뺄 수 없습니다" in _text(r)
    assert "care_safe_housing" in _offers(jeonju, newcomer)
    with db.tenant_transaction(jeonju) as s:
        s.execute(sa.update(Referral).values(status="completed"))
    r = admin.post(f"{base}/providers/{newcomer}/remove", data={"csrf_token": token})
    assert r.status_code == 303 and "care_safe_housing" not in _offers(jeonju, newcomer)
    change = _changes(jeonju, "programme", "care_safe_housing")[-1]
    assert (change.before, change.after) == (
        {f"provider.{newcomer}": 0},
        {f"provider.{newcomer}": None},
    )


# ── providers


def test_a_provider_is_created_edited_and_recorded(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    form = admin.get(_url(jeonju, "/providers/new")).text
    assert 'data-testid="provider-form"' in form and "pyeonghwa1" in form and "geumam1" not in form
    data = MultiDict([("csrf_token", token), ("key", "new_centre"), ("name", "새 돌봄센터"),
                      ("type", "home_care"), ("phone", "063-123-4567"), ("contact", "이담당"),
                      ("coverage", "some"), ("dongs", "pyeonghwa1"), ("dongs", "geumam"),
                      ("cap_meal_support", "10"), ("cap_housework_support", "0")])  # fmt: skip
    r = admin.post(_url(jeonju, "/providers/new"), data=data)
    assert r.status_code == 303, _text(r)
    p = _provider(jeonju, "new_centre")
    assert (p.name, p.type, p.all_dongs, p.dong_codes, p.phone, p.contact, p.active, p.sample) == (
        "새 돌봄센터",
        "home_care",
        False,
        ["pyeonghwa1", "geumam"],
        "063-123-4567",
        "이담당",
        True,
        False,
    )
    assert _offers(jeonju, "new_centre") == {"meal_support": 10, "housework_support": 0}
    [created] = _changes(jeonju, "provider", "new_centre")
    assert created.before is None
    assert created.after["services"] == {"housework_support": 0, "meal_support": 10}
    assert created.after["dong_codes"] == ["geumam", "pyeonghwa1"]

    form = _provider_form(jeonju, "new_centre", key="renamed", coverage="all", dongs=[],
                          phone="063-765-4321", cap_meal_support="15", cap_housework_support="",
                          cap_side_dish="5")  # fmt: skip
    r = admin.post(
        _url(jeonju, "/providers/new_centre/"),
        data={**form.to_dict(flat=False), "csrf_token": token},
    )
    assert r.status_code == 303, _text(r)
    p = _provider(jeonju, "new_centre")
    assert (
        p.key == "new_centre" and p.all_dongs and p.dong_codes == [] and p.phone == "063-765-4321"
    )
    assert _offers(jeonju, "new_centre") == {"meal_support": 15, "side_dish": 5}
    update = _changes(jeonju, "provider", "new_centre")[-1]
    assert update.before == {"all_dongs": False, "dong_codes": ["geumam", "pyeonghwa1"], "phone": "063-123-4567",
                             "services": {"housework_support": 0, "meal_support": 10}}  # fmt: skip
    assert update.after == {"all_dongs": True, "dong_codes": [], "phone": "063-765-4321",
                            "services": {"meal_support": 15, "side_dish": 5}}  # fmt: skip
    page = _text(admin.get(_url(jeonju, "/programmes/side_dish/")))
    assert 'data-testid="assignment-new_centre"' in page


def test_bad_provider_input_is_refused_next_to_each_field(jeonju, admin, make_tenant):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    data = MultiDict([("csrf_token", token), ("key", "9bad"), ("name", "완산종합사회복지관 (예시)"),
                      ("type", "bank"), ("phone", "call me"), ("coverage", "some"),
                      ("dongs", "geumam1"), ("cap_meal_support", "-2"), ("cap_side_dish", "1e9")])  # fmt: skip
    r = admin.post(_url(jeonju, "/providers/new"), data=data, headers=HTMX)
    assert r.status_code == 422
    text = _text(r)
    assert "<html" not in text and 'data-testid="provider-form"' in text

    def error(name: str) -> str:
        return re.search(rf'data-testid="error-{name}">(.*?)</p>', text, re.S).group(1)

    assert "영문 소문자로 시작하는" in error("key")
    assert "같은 이름이 이미 있습니다 (키: wansan_welfare)" in error("name")
    assert error("type") == "'bank'는 고를 수 있는 값이 아닙니다"
    assert "전화번호는 숫자와 -로" in error("phone")
    assert error("dongs") == "'geumam1'는 이 시의 현재 동이 아닙니다"  # merged in 2025
    assert error("cap_meal_support") == "0보다 작을 수 없습니다"
    assert error("cap_side_dish") == "숫자로 적으세요 (예: 1,200,000)"
    assert 'value="9bad"' in text and 'value="call me"' in text and 'value="-2"' in text
    assert 'value="geumam1" checked' in text  # the crafted dong is shown, to be unticked

    for change, name, message in (
        ({"key": "wansan_welfare"}, "key", "'wansan_welfare' 키는 이미 쓰고 있습니다"),
        ({"dongs": ["pyeonghwa1", "nowhere"]}, "dongs", "이 시의 현재 동이 아닙니다"),
        ({"dongs": []}, "dongs", "담당 동을 하나 이상 고르거나"),
        ({"coverage": ""}, "dongs", "담당 지역을 고르세요"),
        ({"type": ""}, "type", "기관 유형을 고르세요"),
        ({"cap_meal_support": "100001"}, "cap_meal_support", "100,000을(를) 넘을 수 없습니다"),
    ):
        form = MultiDict([("csrf_token", token), ("key", "ok_key"), ("name", "괜찮은 이름"),
                          ("type", "other"), ("coverage", "some"), ("dongs", "pyeonghwa1")])  # fmt: skip
        for k, v in change.items():
            form.setlist(k, v if isinstance(v, list) else [v])
        r = admin.post(_url(jeonju, "/providers/new"), data=form)
        assert r.status_code == 422, change
        assert message in _text(r), change
        assert re.search(rf'data-testid="error-{name}">[^<]*{re.escape(message)}', _text(r)), change
    assert _changes(jeonju, "provider") == []

    # Another city's provider is not found here (keys and ids are per tenant).
    other = make_tenant()
    with db.tenant_transaction(other) as s:
        s.add(
            Provider(
                key="elsewhere", name="다른 시 기관", type="other", all_dongs=True, dong_codes=[]
            )
        )
    assert admin.get(_url(jeonju, "/providers/elsewhere/")).status_code == 404
    assert admin.post(_url(jeonju, "/providers/elsewhere/active"),
                      data={"csrf_token": token, "active": "0"}).status_code == 404  # fmt: skip
    r = admin.post(_url(jeonju, "/programmes/meal_support/providers"),
                   data={"csrf_token": token, "provider": "elsewhere", "capacity": "1"})  # fmt: skip
    assert r.status_code == 422 and "이 시에 'elsewhere' 기관이 없습니다" in _text(r)


def test_a_provider_programme_with_open_referrals_cannot_be_dropped(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    key = _first_provider(jeonju, "meal_support")
    _open_referral(jeonju, "meal_support", key)
    form = _provider_form(jeonju, key, cap_meal_support="")
    r = admin.post(
        _url(jeonju, f"/providers/{key}/"), data={**form.to_dict(flat=False), "csrf_token": token}
    )
    assert r.status_code == 422
    assert re.search(
        r'data-testid="error-cap_meal_support">진행 중인 의뢰가 1건 있어 뺄 수 없습니다', _text(r)
    )
    assert "meal_support" in _offers(jeonju, key)
    # Deactivating the provider needs a confirmation, then works; reactivating too.
    url = _url(jeonju, f"/providers/{key}/active")
    version = _provider(jeonju, key).version
    r = admin.post(url, data={"csrf_token": token, "active": "0", "version": version}, headers=HTMX)
    assert r.status_code == 422 and "진행 중인 의뢰가 1건 있습니다" in _text(r)
    assert 'data-testid="provider-status"' in r.text and "<html" not in r.text
    r = admin.post(
        url, data={"csrf_token": token, "active": "0", "version": version, "confirm": "1"}
    )
    assert r.status_code == 303 and not _provider(jeonju, key).active
    change = _changes(jeonju, "provider", key)[-1]
    assert (change.before, change.after) == ({"active": True}, {"active": False})
    assert f"provider-row-{key}" in admin.get(_url(jeonju, "/providers/?active=0")).text
    r = admin.post(
        url, data={"csrf_token": token, "active": "1", "version": _provider(jeonju, key).version}
    )
    assert r.status_code == 303 and _provider(jeonju, key).active


def test_a_stale_provider_save_is_refused_and_the_input_kept(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    key = "wansan_welfare"
    stale = _provider_form(jeonju, key, contact="새 담당자", phone="063-999-9999")
    # Meanwhile the programme page changes this provider's places.
    old = _offers(jeonju, key)["case_management"]
    r = admin.post(_url(jeonju, f"/programmes/case_management/providers/{key}"),
                   data={"csrf_token": token, f"cap_{key}": str(old + 5)})  # fmt: skip
    assert r.status_code == 303
    r = admin.post(_url(jeonju, f"/providers/{key}/"), headers=HTMX,
                   data={**stale.to_dict(flat=False), "csrf_token": token})  # fmt: skip
    assert r.status_code == 409
    text = _text(r)
    assert 'data-testid="conflict"' in text and 'value="새 담당자"' in text
    assert 'data-testid="current-cap_case_management"' in text
    assert _offers(jeonju, key)["case_management"] == old + 5  # not put back
    assert _provider(jeonju, key).contact != "새 담당자"
    assert _changes(jeonju, "provider", key) == []


# ── who may, and the token


ROUTES = [
    ("GET", "/programmes/"), ("POST", "/programmes/fields"), ("GET", "/programmes/new"),
    ("POST", "/programmes/new"), ("GET", "/programmes/meal_support/"),
    ("POST", "/programmes/meal_support/"), ("POST", "/programmes/meal_support/active"),
    ("POST", "/programmes/meal_support/providers"),
    ("POST", "/programmes/meal_support/providers/wansan_welfare"),
    ("POST", "/programmes/meal_support/providers/wansan_welfare/remove"),
    ("GET", "/providers/"), ("GET", "/providers/new"), ("POST", "/providers/new"),
    ("GET", "/providers/wansan_welfare/"), ("POST", "/providers/wansan_welfare/"),
    ("POST", "/providers/wansan_welfare/active"),
]  # fmt: skip


def test_only_city_administrators_may(jeonju, signed_in, app):  # type: ignore[no-untyped-def]
    for role in ("frontline_worker", "coordinator", "provider_staff"):
        client = signed_in(role, jeonju, dongs=["pyeonghwa1"])
        token = csrf_from(client.get(f"/{jeonju}/").text)
        for method, path in ROUTES:
            data = (
                {"csrf_token": token, "active": "0", "key": "x", "name": "x"}
                if method == "POST"
                else None
            )
            r = client.open(_url(jeonju, path), method=method, data=data)
            assert r.status_code == 403, (role, method, path)
    assert app.test_client().get(_url(jeonju, "/programmes/")).status_code in (302, 401)
    assert _changes(jeonju, "programme") == _changes(jeonju, "provider") == []


def test_every_change_needs_the_csrf_token(jeonju, admin):  # type: ignore[no-untyped-def]
    for method, path in ROUTES:
        if method == "POST":
            r = admin.post(_url(jeonju, path), data={"active": "0", "key": "x", "name": "x"})
            assert r.status_code == 400, path
    assert _programme(jeonju, "meal_support").active and _provider(jeonju, "wansan_welfare").active


def test_names_are_shown_as_text(jeonju, admin):  # type: ignore[no-untyped-def]
    token = _token(admin, jeonju)
    evil = '<img src=x onerror=alert(1)><div hx-get="/admin" hx-trigger="load">'
    r = admin.post(_url(jeonju, "/programmes/new"),
                   data={"csrf_token": token, **_new_programme(name=evil)})  # fmt: skip
    assert r.status_code == 303
    page = admin.get(_url(jeonju, "/programmes/")).text
    assert "<img src=x" not in page and 'hx-get="/admin"' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
