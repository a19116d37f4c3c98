"""Sign-in, throttling, session rotation, logout, idle timeout and CSRF."""

from __future__ import annotations

from dolbom import kv
from dolbom.identity.models import Role
from tests.fixtures import PASSWORD, csrf_from, login


def test_sign_in_and_out(client, make_tenant, make_user):
    slug = make_tenant()
    email = make_user("coordinator", slug)
    r = login(client, email)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == f"/{slug}/"
    page = client.get(f"/{slug}/")
    token = csrf_from(page.text)
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302
    assert client.get(f"/{slug}/").status_code == 302  # back to the sign-in page


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    wrong = login(client, email, "not the password")
    unknown = login(client, "nobody@nowhere.kr", "whatever")
    assert wrong.status_code == unknown.status_code == 401
    message = "이메일 또는 비밀번호가 올바르지 않습니다."
    assert message in wrong.text and message in unknown.text


def test_lockout_after_repeated_failures_also_for_unknown_names(client, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    for _ in range(5):
        assert login(client, email, "bad").status_code == 401
        assert login(client, "ghost@nowhere.kr", "bad").status_code == 401
    locked_known = login(client, email, PASSWORD)  # even the right password is refused now
    locked_unknown = login(client, "ghost@nowhere.kr", "bad")
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert "15분 뒤에 다시 시도하세요" in locked_known.text
    assert locked_known.text.count("로그인 시도가 너무 많습니다") == 1
    # No e-mail addresses as Redis keys.
    assert not [k for k in kv.get_redis().keys("*") if b"@" in k]


def test_session_is_rotated_at_sign_in(app, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("dolbom_session").value
    login(client, email)
    first = client.get_cookie("dolbom_session").value
    assert first != before
    stolen = app.test_client()
    stolen.set_cookie("dolbom_session", first)
    assert stolen.get("/admin/").status_code == 200  # a copied cookie works while the session does
    # Signing in again (e.g. someone else at the same desk) starts a new session, ends the old.
    token = csrf_from(client.get("/admin/").text)
    client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert client.get_cookie("dolbom_session").value != first
    assert client.get("/admin/").status_code == 200
    assert stolen.get("/admin/").status_code == 302


def test_logout_ends_the_session_server_side(app, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    client = app.test_client()
    login(client, email)
    cookie = client.get_cookie("dolbom_session").value
    token = csrf_from(client.get("/admin/").text)
    client.post("/logout", data={"csrf_token": token})
    replay = app.test_client()
    replay.set_cookie("dolbom_session", cookie)
    assert replay.get("/admin/").status_code == 302


def test_idle_timeout_slides_and_expires(app, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    client = app.test_client()
    login(client, email)
    r = kv.get_redis()
    (key,) = r.keys("session:*")
    idle = app.config["SESSION_IDLE_SECONDS"]
    r.expire(key, 5)
    client.get("/admin/")
    assert idle - 5 < r.ttl(key) <= idle  # activity restarts the idle clock
    r.delete(key)  # what the TTL does after `idle` seconds without a request
    assert client.get("/admin/").status_code == 302


def test_sessions_end_after_a_working_day_however_active(app, make_user):
    import json

    from dolbom.identity.sessions import MAX_AGE_SECONDS

    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    client = app.test_client()
    login(client, email)
    r = kv.get_redis()
    (key,) = r.keys("session:*")
    data = json.loads(r.get(key))
    data["started"] -= MAX_AGE_SECONDS + 1  # as if signed in 12 hours ago
    r.set(key, json.dumps(data), keepttl=True)
    assert client.get("/admin/").status_code == 302
    assert not r.exists(key)


def test_cookie_flags(app, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    client = app.test_client()
    r = login(client, email)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_secure_cookie_in_production_settings(settings):
    from dataclasses import replace

    from dolbom.app import create_app

    prod = create_app(replace(settings, secure_cookies=True), connect=False)
    client = prod.test_client()
    r = client.get("/login", base_url="https://dolbom.example")
    assert "Secure" in r.headers["Set-Cookie"]
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_csrf_is_required_for_every_state_change(client, make_user, make_tenant):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    login(client, email)
    slug = make_tenant()
    for url in (
        "/logout",
        "/lang",
        f"/admin/tenants/{slug}/export",
        f"/admin/tenants/{slug}/plugins/testplugin",
    ):
        r = client.post(url, data={"lang": "en", "enabled": "1"})
        assert r.status_code == 400, url
        assert "보안 토큰" in r.text
    # htmx sends the token in a header inherited from <body>.
    token = csrf_from(client.get("/admin/").text)
    r = client.post(
        "/lang", data={"lang": "en"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_login_form_errors_are_shown_next_to_fields(client):
    page = client.get("/login")
    r = client.post(
        "/login", data={"csrf_token": csrf_from(page.text), "email": "", "password": ""}
    )
    assert r.status_code == 422
    assert "이메일을 입력하세요." in r.text and "비밀번호를 입력하세요." in r.text


def test_login_redirects_only_to_this_site(client, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    page = client.get("/login")
    r = client.post(
        "/login?next=https://evil.example/x",
        data={"csrf_token": csrf_from(page.text), "email": email, "password": PASSWORD},
    )
    assert r.headers["Location"] == "/admin/"


def test_language_switch(client, make_user):
    email = make_user(platform_role=Role.PLATFORM_OPERATOR)
    login(client, email)
    token = csrf_from(client.get("/admin/").text)
    client.post("/lang", data={"lang": "en", "csrf_token": token, "next": "/admin/"})
    page = client.get("/admin/")
    assert 'lang="en"' in page.text
    assert "Tenants" in page.text


def test_deactivation_and_membership_changes_reach_live_sessions(app, make_tenant, make_user):
    import sqlalchemy as sa

    from dolbom import db
    from dolbom.identity.models import Membership, User
    from dolbom.identity.operations import deactivate_user, refresh_sessions

    slug = make_tenant()
    email = make_user("coordinator", slug)
    client = app.test_client()
    login(client, email)
    assert client.get(f"/{slug}/").status_code == 200
    with db.shared_session() as s, s.begin():
        user = s.scalar(sa.select(User).where(User.email == email))
        s.execute(sa.delete(Membership).where(Membership.user_id == user.id))
        s.expire_all()
        refresh_sessions(s, [user.id])
    assert client.get(f"/{slug}/").status_code == 403  # at once, not at the next sign-in
    with db.shared_session() as s, s.begin():
        deactivate_user(s, s.scalar(sa.select(User).where(User.email == email)))
    assert client.get("/").status_code == 302  # signed out everywhere
    assert login(app.test_client(), email).status_code == 401


def test_parallel_guesses_cannot_pass_the_limit():
    from concurrent.futures import ThreadPoolExecutor

    from dolbom.identity import throttle

    with ThreadPoolExecutor(16) as pool:
        allowed = list(pool.map(lambda _: throttle.attempt("a@b.kr", "10.0.0.9", 5, 15), range(32)))
    assert allowed.count(True) == 5
