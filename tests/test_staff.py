"""Staff accounts in the city administrator's console: invite and the one-time set-up link,
every refused input, role and scope edits reaching live sessions, deactivation ending sessions
at once, the last administrator kept, stale edits refused, the change log, and access."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from dolbom import db, kv
from dolbom.catalogue.models import Provider
from dolbom.console.models import ConfigChange
from dolbom.districts.models import Dong, Gu
from dolbom.identity.models import Membership, User
from dolbom.tenancy.models import Tenant
from tests.fixtures import PASSWORD, csrf_from, login

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
DOMAIN = "@staff-test.kr"  # every account the tests invite; removed after each test
NEW_PASSWORD = "blue kettle morning rain"


@dataclass
class City:
    slug: str
    provider_id: int
    closed_provider_id: int

    def url(self, path: str = "") -> str:
        return f"/{self.slug}/console/staff/{path}"


@pytest.fixture(autouse=True)
def _remove_invited(settings):  # type: ignore[no-untyped-def]
    yield
    with db.shared_session() as s, s.begin():
        s.execute(sa.delete(User).where(User.email.like(f"%{DOMAIN}")))


def _make_city(make_tenant) -> City:  # type: ignore[no-untyped-def]
    slug = make_tenant()
    with db.tenant_transaction(slug) as s:
        gu = Gu(code="east", name="동구")
        s.add(gu)
        s.flush()
        s.add_all([
            Dong(code="d1", name="가람동", gu_id=gu.id),
            Dong(code="d2", name="나래동", gu_id=gu.id),
            Dong(code="old", name="옛터동", gu_id=gu.id, valid_to=dt.date(2020, 1, 1),
                 successor_code="d1"),
        ])  # fmt: skip
        care = Provider(key="care", name="행복재가센터", type="home_care", all_dongs=True)
        closed = Provider(key="closed", name="문닫은센터", type="home_care", active=False)
        s.add_all([care, closed])
        s.flush()
        return City(slug, care.id, closed.id)


@pytest.fixture
def city(make_tenant) -> City:  # type: ignore[no-untyped-def]
    return _make_city(make_tenant)


def uid(email: str) -> int:
    with db.shared_session() as s:
        return s.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email.lower()))


def account(email: str) -> User | None:
    with db.shared_session() as s:
        return s.scalar(sa.select(User).where(User.email == email.lower()))


def membership(email: str, slug: str) -> Membership | None:
    with db.shared_session() as s:
        return s.scalar(
            sa.select(Membership).join(User).join(Tenant, Tenant.id == Membership.tenant_id)
            .where(User.email == email.lower(), Tenant.slug == slug)
        )  # fmt: skip


def changes(slug: str, action: str | None = None) -> list[ConfigChange]:
    with db.tenant_session(slug) as s:
        query = sa.select(ConfigChange).where(ConfigChange.area == "staff")
        if action:
            query = query.where(ConfigChange.action == action)
        return list(s.scalars(query.order_by(ConfigChange.id)))


class Console:
    """A signed-in client on the staff console of one tenant."""

    def __init__(self, client, city: City) -> None:  # type: ignore[no-untyped-def]
        self.c, self.city = client, city
        self.token = csrf_from(client.get(f"/{city.slug}/").text)

    def get(self, path: str = "", **kw):  # type: ignore[no-untyped-def]
        return self.c.get(self.city.url(path), **kw)

    def post(self, path: str, data: dict | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
        return self.c.post(self.city.url(path), data={"csrf_token": self.token, **(data or {})},
                           headers=headers or {})  # fmt: skip

    def invite(self, name: str = "새 직원", email: str | None = None, role: str = "frontline_worker",
               dongs: tuple[str, ...] = ("d1",), provider: str = "", headers: dict | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
        email = email or f"new-{uuid.uuid4().hex[:8]}{DOMAIN}"
        return self.post("invite", {"name": name, "email": email, "role": role,
                                    "dong_codes": list(dongs), "provider_id": provider}, headers)  # fmt: skip

    def state(self, user_id: int) -> str:
        page = self.get(str(user_id))
        assert page.status_code == 200, page.text
        return re.search(r'name="state" value="([0-9a-f]+)"', page.text).group(1)

    def act(self, user_id: int, action: str, state: str | None = None):  # type: ignore[no-untyped-def]
        state = state if state is not None else self.state(user_id)
        return self.post(f"{user_id}/{action.replace('_', '-')}", {"state": state})

    def edit(self, user_id: int, role: str, dongs: tuple[str, ...] = (), provider: str = "",
             state: str | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
        state = state if state is not None else self.state(user_id)
        return self.post(str(user_id), {"role": role, "dong_codes": list(dongs),
                                        "provider_id": provider, "state": state}, headers)  # fmt: skip


@pytest.fixture
def admin(city, signed_in) -> Console:  # type: ignore[no-untyped-def]
    return Console(signed_in("city_admin", city.slug, name="관리자"), city)


def link_in(text: str) -> str:
    match = re.search(r'value="(https?://[^"]+/invite/([A-Za-z0-9_-]+))"', text)
    assert match, "no set-up link on the page"
    return match.group(1).split("localhost", 1)[1]


def field_error(text: str, name: str) -> str:
    match = re.search(rf'data-testid="error-{name}">([^<]*)<', text)
    return html.unescape(match.group(1)) if match else ""


def set_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf_token": csrf_from(page.text), "password": password,
                                   "confirm": password if confirm is None else confirm})  # fmt: skip


# --- invite and the set-up link ---------------------------------------------------------------


def test_invite_set_password_through_the_link_and_sign_in(app, admin, city):
    page = admin.get("invite")
    assert page.status_code == 200 and 'data-testid="invite-form"' in page.text
    assert "옛터동" not in page.text  # only current dongs to choose from
    email = f"Hong.Gildong{DOMAIN}"
    r = admin.invite("홍길동", email, "frontline_worker", ("d1", "d2"))
    assert r.status_code == 200, r.text
    text = html.unescape(r.text)
    assert 'data-testid="invite-link"' in text and "이메일을 보내지 않습니다" in text
    path = link_in(r.text)
    token = path.rsplit("/", 1)[1]

    user = account(email)
    assert user is not None and user.password_hash is None and user.active
    m = membership(email, city.slug)
    assert (m.role, sorted(m.dong_codes), m.provider_id) == ("frontline_worker", ["d1", "d2"], None)
    # Only the token's hash is kept, and nothing of it in the change log.
    r_ = kv.get_redis()
    assert r_.get(f"invite:{hashlib.sha256(token.encode()).hexdigest()}") == str(user.id).encode()
    assert not [k for k in r_.keys("*") if token.encode() in k or token.encode() in (r_.get(k) if r_.type(k) == b"string" else b"")]  # fmt: skip
    (entry,) = changes(city.slug, "invite")
    assert entry.subject == email.lower() and entry.before is None
    assert entry.after["role"] == "frontline_worker" and entry.after["dong_codes"] == ["d1", "d2"]
    assert token not in str(entry.after)

    # The list shows the new member, their dongs by name, waiting for a password.
    listing = admin.get().text
    row = re.search(rf'data-testid="staff-row-{user.id}">(.*?)</tr>', listing, re.S).group(1)
    assert "홍길동" in row and "가람동, 나래동" in row and "비밀번호 설정 전" in row

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "홍길동" in page.text and email.lower() in page.text
    assert login(app.test_client(), email, NEW_PASSWORD).status_code == 401  # no password yet
    mismatch = set_password(visitor, path, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 422 and "두 비밀번호가 같지 않습니다." in mismatch.text
    short = set_password(visitor, path, "short")
    assert short.status_code == 422 and "10자 이상" in short.text
    done = set_password(visitor, path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert "비밀번호를 정했습니다" in visitor.get("/login").text
    assert kv.get_redis().get(f"invite:{hashlib.sha256(token.encode()).hexdigest()}") is None

    member = app.test_client()
    assert login(member, email.upper(), NEW_PASSWORD).status_code == 302
    assert member.get(f"/{city.slug}/").status_code == 200
    # Used up: the same link again is a clear "gone", not an error.
    again = visitor.get(path)
    assert again.status_code == 410 and "이 링크는 쓸 수 없습니다" in again.text


def test_unusable_links_get_a_clear_page(app, admin, city):
    visitor = app.test_client()
    assert visitor.get("/invite/not-a-token").status_code == 404
    unknown = visitor.get("/invite/" + "A" * 43)
    assert unknown.status_code == 410 and "7일" in unknown.text
    r = admin.invite(email=f"late{DOMAIN}")
    path = link_in(r.text)
    token = path.rsplit("/", 1)[1]
    kv.get_redis().delete(f"invite:{hashlib.sha256(token.encode()).hexdigest()}")  # expired
    assert visitor.get(path).status_code == 410
    posted = visitor.post(path, data={"csrf_token": "x", "password": NEW_PASSWORD})
    assert posted.status_code in (400, 410)  # no CSRF token from a page, or gone: never a 500


def test_an_htmx_invite_swaps_the_form_or_the_link(admin, city):
    refused = admin.invite(name="", email="nope", headers=HX)
    assert refused.status_code == 422
    assert "<html" not in refused.text and 'id="invite-form"' in refused.text
    assert "이름을 적으세요." in field_error(refused.text, "name")
    ok = admin.invite(email=f"hx{DOMAIN}", headers=HX)
    assert ok.status_code == 200 and "<html" not in ok.text
    assert 'data-testid="invite-link"' in ok.text


def test_a_provider_staff_member_belongs_to_a_provider(admin, city):
    r = admin.invite("제공 담당", f"prov{DOMAIN}", "provider_staff", ("d1",), str(city.provider_id))
    assert r.status_code == 200, r.text
    m = membership(f"prov{DOMAIN}", city.slug)
    assert (m.role, m.provider_id, m.dong_codes) == ("provider_staff", city.provider_id, [])
    row = re.search(rf'data-testid="staff-row-{m.user_id}">(.*?)</tr>', admin.get().text, re.S)
    assert "행복재가센터" in row.group(1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "Taken{d}"}, "email", "이미 계정이 있는 이메일입니다"),
        ({"email": "no-at-sign.kr"}, "email", "이메일 형식이 올바르지 않습니다"),
        ({"email": "a@b"}, "email", "이메일 형식이 올바르지 않습니다"),
        ({"email": ""}, "email", "이메일을 적으세요"),
        ({"name": "  "}, "name", "이름을 적으세요"),
        ({"role": "platform_operator"}, "role", "알 수 없는 역할입니다"),
        ({"role": "chief"}, "role", "알 수 없는 역할입니다"),
        ({"dong_codes": ["old"]}, "dong_codes", "현재 행정동이 아닌 동이 있습니다"),
        ({"dong_codes": ["d1", "nowhere"]}, "dong_codes", "현재 행정동이 아닌 동이 있습니다"),
        ({"dong_codes": []}, "dong_codes", "하나 이상 고르세요"),
        ({"role": "provider_staff", "provider_id": ""}, "provider_id", "소속 제공기관을 골라야"),
        ({"role": "provider_staff", "provider_id": "999999"}, "provider_id", "이 기관의 제공기관이 아닙니다"),
        ({"role": "provider_staff", "provider_id": "99999999999999"}, "provider_id", "이 기관의 제공기관이 아닙니다"),
        ({"role": "provider_staff", "provider_id": "x"}, "provider_id", "이 기관의 제공기관이 아닙니다"),
        ({"role": "provider_staff", "provider_id": "closed"}, "provider_id", "이 기관의 제공기관이 아닙니다"),
    ],
)  # fmt: skip
def test_bad_invites_are_refused_next_to_the_field(admin, city, make_user, data, field, message):
    make_user("coordinator", city.slug, email=f"taken{DOMAIN}")
    if data.get("provider_id") == "closed":
        data = {**data, "provider_id": str(city.closed_provider_id)}
    form = {"name": "김철수", "email": f"fresh{DOMAIN}", "role": "frontline_worker",
            "dong_codes": ["d1"], "provider_id": ""} | {k: v.replace("{d}", DOMAIN) if isinstance(v, str) else v for k, v in data.items()}  # fmt: skip
    before = len(changes(city.slug))
    r = admin.post("invite", form)
    assert r.status_code == 422, r.text
    assert message in field_error(r.text, field), html.unescape(r.text)
    assert "김철수" in r.text or field == "name"  # what was typed stays
    assert account(f"fresh{DOMAIN}") is None and len(changes(city.slug)) == before


def test_a_provider_of_another_tenant_is_not_one_of_ours(admin, city, make_tenant):
    other = _make_city(make_tenant)
    with db.tenant_transaction(other.slug) as s:
        extra = Provider(key="elsewhere", name="다른시센터", type="home_care")
        s.add(extra)
        s.flush()
        foreign = extra.id  # an id that exists only in the other tenant
    r = admin.invite(role="provider_staff", provider=str(foreign), email=f"f{DOMAIN}")
    assert r.status_code == 422
    assert "이 기관의 제공기관이 아닙니다" in field_error(r.text, "provider_id")


# --- the list --------------------------------------------------------------------------------


def test_list_search_filter_pages_and_empty_state(admin, city):
    with db.shared_session() as s, s.begin():
        tid = s.scalar(sa.select(Tenant.id).where(Tenant.slug == city.slug))
        for i in range(55):
            u = User(email=f"bulk{i:02d}{DOMAIN}", name=f"가나{i:02d}", active=i != 3)
            u.memberships.append(Membership(tenant_id=tid, role="coordinator" if i % 2 else "frontline_worker",
                                            dong_codes=["d2"]))  # fmt: skip
            s.add(u)
        s.add(User(email=f"outsider{DOMAIN}", name="가나밖", active=True))  # no membership here
    first = admin.get()
    assert first.status_code == 200 and 'data-testid="staff-list"' in first.text
    assert "56명" in first.text and "1 / 2" in first.text  # 55 + the administrator
    assert first.text.count('data-testid="staff-row-') == 50 and "가나밖" not in first.text
    second = admin.get("", query_string={"page": 2})
    assert second.text.count('data-testid="staff-row-') == 6
    found = admin.get("", query_string={"q": "BULK07"})
    assert found.text.count('data-testid="staff-row-') == 1 and "가나07" in found.text
    by_name = admin.get("", query_string={"q": "가나0"})
    assert by_name.text.count('data-testid="staff-row-') == 10
    inactive_id = uid(f"bulk03{DOMAIN}")
    inactive = re.search(rf'data-testid="staff-row-{inactive_id}">(.*?)</tr>', by_name.text, re.S)
    assert "비활성" in inactive.group(1)
    coords = admin.get("", query_string={"role": "coordinator"})
    assert "27명" in coords.text and "가나01" in coords.text and "가나00" not in coords.text
    partial = admin.get("", query_string={"q": "%"}, headers=HX)
    assert partial.status_code == 200 and "<html" not in partial.text
    assert 'data-testid="staff-empty"' in partial.text  # % is a character, not a wildcard
    assert "찾는 조건에 맞는 직원이 없습니다" in partial.text


def test_names_are_shown_as_text(admin, city):
    name = '<img src=x onerror=alert(1)><div hx-get="/admin" hx-trigger="load">'
    assert admin.invite(name, f"xss{DOMAIN}").status_code == 200
    page = admin.get().text
    assert "<img src=x" not in page and 'hx-trigger="load"' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --- role and scope --------------------------------------------------------------------------


def test_a_role_change_reaches_a_live_session_and_is_logged(app, admin, city, signed_in):
    coordinator = signed_in("coordinator", city.slug, dongs=["d1"])
    member_id = uid(coordinator.email)
    assert coordinator.get(city.url()).status_code == 403
    r = admin.edit(member_id, "city_admin")
    assert r.status_code == 303, r.text
    assert coordinator.get(city.url()).status_code == 200  # at once, no new sign-in
    page = admin.get(str(member_id))
    assert "역할과 담당 범위를 저장했습니다." in page.text
    (entry,) = changes(city.slug, "update")
    assert entry.before == {"role": "coordinator", "dong_codes": ["d1"]}
    assert entry.after == {"role": "city_admin", "dong_codes": []}
    # And back, by htmx: 204 and a redirect header.
    back = admin.edit(member_id, "coordinator", ("d2",), headers=HX)
    assert back.status_code == 204 and back.headers["HX-Redirect"].endswith(f"/staff/{member_id}")
    assert coordinator.get(city.url()).status_code == 403
    assert membership(coordinator.email, city.slug).dong_codes == ["d2"]


def test_scope_edits_are_checked_like_invites(admin, city, signed_in):
    worker = signed_in("frontline_worker", city.slug, dongs=["old", "d1"])
    member_id = uid(worker.email)
    page = admin.get(str(member_id))
    assert "옛터동" in page.text and "폐지된 동" in page.text  # still in scope, shown
    # A retired dong the member already has may stay; one they do not have may not be added.
    assert admin.edit(member_id, "frontline_worker", ("old", "d2")).status_code == 303
    assert sorted(membership(worker.email, city.slug).dong_codes) == ["d2", "old"]
    coordinator = signed_in("coordinator", city.slug)
    refused = admin.edit(uid(coordinator.email), "coordinator", ("old",), headers=HX)
    assert refused.status_code == 422 and "<html" not in refused.text
    assert "현재 행정동이 아닌 동" in field_error(refused.text, "dong_codes")
    for role, provider, field, message in [
        ("boss", "", "role", "알 수 없는 역할"),
        ("provider_staff", "", "provider_id", "소속 제공기관을 골라야"),
        ("provider_staff", "123456", "provider_id", "이 기관의 제공기관이 아닙니다"),
    ]:
        r = admin.edit(member_id, role, ("d1",), provider)
        assert r.status_code == 422 and message in field_error(r.text, field), (role, provider)
    assert sorted(membership(worker.email, city.slug).dong_codes) == ["d2", "old"]
    assert admin.edit(member_id, "provider_staff", (), str(city.provider_id)).status_code == 303
    m = membership(worker.email, city.slug)
    assert (m.role, m.dong_codes, m.provider_id) == ("provider_staff", [], city.provider_id)


def test_two_admins_editing_the_same_member_the_second_is_refused(admin, city, signed_in):
    other = Console(signed_in("city_admin", city.slug), city)
    worker = signed_in("frontline_worker", city.slug, dongs=["d1"])
    member_id = uid(worker.email)
    seen_by_first, seen_by_second = admin.state(member_id), other.state(member_id)
    assert seen_by_first == seen_by_second
    assert admin.edit(member_id, "coordinator", state=seen_by_first).status_code == 303
    stale = other.edit(member_id, "frontline_worker", ("d2",), state=seen_by_second)
    assert stale.status_code == 409
    assert "다른 관리자가 먼저 이 직원의 계정을 바꿨습니다" in html.unescape(stale.text)
    m = membership(worker.email, city.slug)
    assert (m.role, m.dong_codes) == ("coordinator", [])  # nothing overwritten
    # The refused page carries the current state: saving from it works.
    fresh = re.search(r'name="state" value="([0-9a-f]+)"', stale.text).group(1)
    assert other.edit(member_id, "frontline_worker", ("d2",), state=fresh).status_code == 303
    # Actions too: an old state (the second admin's first one) is refused.
    assert other.act(member_id, "deactivate", state=seen_by_second).status_code == 409
    assert account(worker.email).active
    assert other.act(member_id, "deactivate", state="").status_code == 409


# --- the last administrator ------------------------------------------------------------------


def test_the_last_active_administrator_stays(admin, city, signed_in):
    me = uid(admin.c.email)
    demote = admin.edit(me, "coordinator")
    assert demote.status_code == 422 and "마지막 관리자는" in field_error(demote.text, "role")
    for action in ("deactivate", "remove"):
        r = admin.act(me, action)
        assert r.status_code == 422, action
        assert "마지막 관리자는" in html.unescape(r.text)
    assert membership(admin.c.email, city.slug).role == "city_admin"
    assert account(admin.c.email).active
    assert changes(city.slug) == []
    # A second administrator who is deactivated does not count…
    second = signed_in("city_admin", city.slug)
    second_id = uid(second.email)
    assert admin.act(second_id, "deactivate").status_code == 303
    assert admin.edit(me, "coordinator").status_code == 422
    # …an active one does: then the first may step down.
    assert admin.act(second_id, "reactivate").status_code == 303
    assert admin.edit(me, "coordinator").status_code == 303
    assert admin.get().status_code == 403  # no longer an administrator, at once
    assert membership(admin.c.email, city.slug).role == "coordinator"


# --- deactivation, reactivation, password reset, removal --------------------------------------


def test_deactivation_ends_a_signed_in_session_at_once(app, admin, city, signed_in):
    worker = signed_in("frontline_worker", city.slug, dongs=["d1"])
    member_id = uid(worker.email)
    assert worker.get(f"/{city.slug}/").status_code == 200
    r = admin.act(member_id, "deactivate")
    assert r.status_code == 303
    nxt = worker.get(f"/{city.slug}/")
    assert nxt.status_code == 302 and "/login" in nxt.headers["Location"]
    assert login(app.test_client(), worker.email).status_code == 401
    page = admin.get(str(member_id)).text
    assert "계정을 비활성화했습니다" in page and 'data-testid="action-reactivate"' in page
    twice = admin.act(member_id, "deactivate")  # e.g. a crafted post: the page has no button
    assert twice.status_code == 422 and "이미 비활성화된 계정입니다" in html.unescape(twice.text)
    (entry,) = changes(city.slug, "deactivate")
    assert entry.subject == worker.email
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    assert admin.act(member_id, "reactivate").status_code == 303
    assert login(app.test_client(), worker.email).status_code == 302
    (entry,) = changes(city.slug, "reactivate")
    assert (entry.before, entry.after) == ({"active": False}, {"active": True})


def test_an_account_in_two_tenants_is_removed_not_deactivated(
    app, admin, city, make_tenant, make_user
):
    other = _make_city(make_tenant)
    email = make_user("coordinator", tenants=[city.slug, other.slug])
    member_id = uid(email)
    client = app.test_client()
    assert login(client, email).status_code == 302
    page = admin.get(str(member_id)).text
    assert "다른 기관 1곳에도 소속된 계정입니다" in page
    refused = admin.act(member_id, "deactivate")
    assert refused.status_code == 422
    assert "다른 기관에도 소속된 계정이라" in html.unescape(refused.text)
    assert "이 기관에서 빼기" in html.unescape(refused.text)
    assert account(email).active and changes(city.slug) == []
    removed = admin.act(member_id, "remove")
    assert removed.status_code == 303
    assert "다른 기관의 소속은 그대로입니다" in admin.get().text
    assert membership(email, city.slug) is None and membership(email, other.slug) is not None
    assert account(email).active
    assert client.get(f"/{city.slug}/").status_code == 403  # this tenant gone from the session
    assert client.get(f"/{other.slug}/").status_code == 200  # the other one kept
    (entry,) = changes(city.slug, "remove")
    assert entry.before["role"] == "coordinator" and entry.after is None
    assert admin.get(str(member_id)).status_code == 404


def test_removing_from_the_only_tenant_switches_the_account_off(admin, city, signed_in):
    worker = signed_in("frontline_worker", city.slug, dongs=["d1"])
    assert admin.act(uid(worker.email), "remove").status_code == 303
    assert membership(worker.email, city.slug) is None and not account(worker.email).active
    assert worker.get(f"/{city.slug}/").status_code == 302
    assert [c.action for c in changes(city.slug)] == ["remove", "deactivate"]


def test_a_password_reset_ends_sessions_and_issues_a_new_link(app, admin, city, signed_in):
    worker = signed_in("frontline_worker", city.slug, dongs=["d1"])
    member_id = uid(worker.email)
    r = admin.act(member_id, "reset_password")
    assert r.status_code == 200 and "이메일을 보내지 않습니다" in html.unescape(r.text)
    path = link_in(r.text)
    assert worker.get(f"/{city.slug}/").status_code == 302  # signed out at once
    assert account(worker.email).password_hash is None
    assert login(app.test_client(), worker.email, PASSWORD).status_code == 401
    (entry,) = changes(city.slug, "reset_password")
    assert entry.before["password_set"] is True and entry.after["password_set"] is False
    assert "setup_link_until" in entry.after and path.rsplit("/", 1)[1] not in str(entry.after)
    # A second reset cancels the first link.
    second = link_in(admin.act(member_id, "reset_password").text)
    assert app.test_client().get(path).status_code == 410
    assert set_password(app.test_client(), second).status_code == 303
    assert login(app.test_client(), worker.email, NEW_PASSWORD).status_code == 302


def test_a_deactivated_member_has_no_usable_link(app, admin, city):
    r = admin.invite(email=f"pending{DOMAIN}")
    path = link_in(r.text)
    member_id = uid(f"pending{DOMAIN}")
    assert admin.act(member_id, "deactivate").status_code == 303
    assert app.test_client().get(path).status_code == 410
    refused = admin.act(member_id, "reset_password")
    assert refused.status_code == 422 and "먼저 다시 활성화하세요" in html.unescape(refused.text)


# --- access ----------------------------------------------------------------------------------


def _routes(user_id: int) -> list[tuple[str, str]]:
    return [("GET", ""), ("GET", "invite"), ("POST", "invite"), ("GET", str(user_id)),
            ("POST", str(user_id))] + [
        ("POST", f"{user_id}/{a}") for a in ("deactivate", "reactivate", "reset-password", "remove")
    ]  # fmt: skip


@pytest.mark.parametrize("role", ["coordinator", "frontline_worker", "provider_staff"])
def test_other_roles_get_403_on_every_route(admin, city, signed_in, role):
    target = uid(admin.c.email)
    other = Console(signed_in(role, city.slug, dongs=["d1"]), city)
    for method, path in _routes(target):
        r = other.get(path) if method == "GET" else other.post(path, {"state": "x"})
        assert r.status_code == 403, (role, method, path)
    assert changes(city.slug) == [] and membership(admin.c.email, city.slug).role == "city_admin"


def test_every_change_needs_the_csrf_token(admin, city):
    target = uid(admin.c.email)
    for method, path in _routes(target):
        if method == "POST":
            r = admin.c.post(city.url(path),
                             data={"name": "x", "email": f"c{DOMAIN}", "role": "coordinator"})  # fmt: skip
            assert r.status_code == 400 and "보안 토큰" in r.text, path
    assert changes(city.slug) == [] and account(f"c{DOMAIN}") is None


def test_another_tenants_member_is_404(admin, city, make_tenant, signed_in):
    other = _make_city(make_tenant)
    outsider = signed_in("frontline_worker", other.slug, dongs=["d1"])
    outsider_id = uid(outsider.email)
    for method, path in _routes(outsider_id)[3:]:
        r = admin.get(path) if method == "GET" else admin.post(path, {"state": "x"})
        assert r.status_code == 404, (method, path)
    assert admin.get("999999999").status_code == 404
    assert account(outsider.email).active and outsider.get(f"/{other.slug}/").status_code == 200


def test_the_copy_script_is_served(client):
    r = client.get("/static/staff/copy.js")
    assert r.status_code == 200 and "data-copy-target" in r.text
