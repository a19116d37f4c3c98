"""Benchmark 5: a 120-question form — rendering it for filling in, and validating a full
submission — plus one autosave, all as server time (no network, no browser)."""

from __future__ import annotations

import datetime as dt
import gc
import time
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from bench.report import Figure, line, median, say
from dolbom import db
from dolbom.config import ROOT, Settings
from dolbom.forms import operations as ops
from dolbom.forms import responses as rs
from dolbom.forms import yamlio
from dolbom.forms.answers import Context
from dolbom.forms.fill import raw_answers
from dolbom.forms.models import Form, FormResponse
from dolbom.identity.models import Membership, User
from dolbom.identity.passwords import hash_password
from dolbom.tenancy.operations import create_tenant
from dolbom.tenancy.packs import read_pack

NAME = "5 forms"
SLUG = "formbench"
EMAIL = "bench-forms@bench.kr"
PASSWORD = "bench password, not a secret"
RUNS = 60
WARMUP = 5
SECTIONS = 12
PER_SECTION = 10  # 120 questions


def definition() -> dict[str, Any]:
    """Twelve sections of ten questions covering every type, with conditions and scores."""
    sections = []
    for s in range(SECTIONS):
        p = f"s{s}_"
        questions: list[dict[str, Any]] = [
            {"key": p + "text", "type": "text", "label": f"{s}-1 이름이나 메모", "required": True},
            {"key": p + "num", "type": "number", "label": f"{s}-2 횟수", "unit": "회", "min": 0,
             "max": 100, "integer": True, "required": True},
            {"key": p + "date", "type": "date", "label": f"{s}-3 날짜", "max": "today"},
            {"key": p + "choice", "type": "choice", "label": f"{s}-4 빈도", "required": True,
             "options": [{"value": f"o{i}", "label": f"선택지 {i}", "score": i} for i in range(5)]},
            {"key": p + "multi", "type": "multi", "label": f"{s}-5 해당 항목",
             "options": [{"value": f"m{i}", "label": f"항목 {i}", "score": 1} for i in range(6)]},
            {"key": p + "yes", "type": "yesno", "label": f"{s}-6 해당합니까?", "required": True,
             "scores": {"yes": 1, "no": 0}},
            {"key": p + "follow", "type": "textarea", "label": f"{s}-7 그렇다면 자세히",
             "show_if": f"{p}yes == true", "required": True},
            {"key": p + "scale", "type": "scale", "label": f"{s}-8 정도", "min": 1, "max": 5,
             "required": True},
            {"key": p + "grid", "type": "grid", "label": f"{s}-9 일상 활동", "required": True,
             "items": [{"key": f"i{i}", "label": f"활동 {i}"} for i in range(6)],
             "levels": [{"value": "independent", "label": "자립", "score": 0},
                        {"value": "partial", "label": "부분도움", "score": 1},
                        {"value": "full", "label": "완전도움", "score": 2}]},
            {"key": p + "dong", "type": "dong", "label": f"{s}-10 행정동"},
        ]  # fmt: skip
        sections.append({"key": f"sec{s}", "title": f"섹션 {s + 1}", "questions": questions})
    sums = " + ".join(f"score(s{s}_choice)" for s in range(SECTIONS))
    return {
        "key": "bench120",
        "title": "벤치마크 120문항",
        "sections": sections,
        "scores": [
            {"key": "total", "label": "합계", "expr": sums,
             "levels": [{"code": "high", "label": "높음", "min": 30},
                        {"code": "low", "label": "낮음", "min": 0}]},
            {"key": "dependent", "label": "도움 필요",
             "expr": " + ".join(f"count(s{s}_grid, ['partial', 'full'])" for s in range(SECTIONS))},
        ],
    }  # fmt: skip


def submission() -> MultiDict[str, str]:
    data: MultiDict[str, str] = MultiDict()
    for s in range(SECTIONS):
        p = f"s{s}_"
        data.add(p + "text", "김돌봄 메모")
        data.add(p + "num", "12")
        data.add(p + "date", "2026-03-27")
        data.add(p + "choice", "o3")
        data.add(p + "multi", "m1")
        data.add(p + "multi", "m4")
        data.add(p + "yes", "yes")
        data.add(p + "follow", "주 2회 방문이 필요합니다.")
        data.add(p + "scale", "4")
        for i in range(6):
            data.add(f"{p}grid.i{i}", "partial" if i % 2 else "independent")
        data.add(p + "dong", "pyeonghwa1")
    return data


def _prepare() -> tuple[int, int]:
    pack = read_pack(ROOT / "tenants" / "jeonju")
    pack.slug = SLUG
    pack.forms = []
    pack.rules = []  # they read the pack's forms
    create_tenant(SLUG, "벤치시", pack=pack)
    with db.tenant_transaction(SLUG) as s:
        version = ops.import_form(s, yamlio.dump(definition()), user_id=None, publish_now=True)
        form = s.scalar(sa.select(Form).where(Form.id == version.form_id))
        assert form is not None
        response = rs.start_response(s, form, user_id=1, dong_code="pyeonghwa1")
        response_id = response.id
    with db.shared_session() as s, s.begin():
        user = User(email=EMAIL, name="벤치 담당", password_hash=hash_password(PASSWORD))
        s.add(user)
        s.flush()
        tenant_id = s.scalar(sa.text("SELECT id FROM dolbom.tenant WHERE slug = :s"), {"s": SLUG})
        s.add(Membership(user_id=user.id, tenant_id=tenant_id, role="coordinator", dong_codes=[]))
    return response_id, user.id


def _timed(fn: Any, runs: int = RUNS) -> list[float]:
    for _ in range(WARMUP):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run() -> list[Figure]:
    from dolbom.app import create_app

    say(f"[{NAME}] a 120-question form (12 sections: every type, conditions, 2 scores)")
    response_id, _user_id = _prepare()
    app = create_app(Settings.from_env(), connect=False)
    client = app.test_client()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    url = f"/{SLUG}/assessments/{response_id}"
    first = client.get(url)
    assert first.status_code == 200 and first.text.count('class="q') >= 120, first.status_code
    # As dolbom.wsgi does after start-up under gunicorn: long-lived objects leave the collector.
    gc.freeze()

    render = _timed(lambda: client.get(url))
    figures = [
        Figure(NAME, "render 120-question form (GET, server, median)", median(render), "ms", 20)
    ]
    line(figures[-1])

    with db.tenant_session(SLUG) as s:
        response = s.get(FormResponse, response_id)
        assert response is not None
        cf = rs.compiled(response.version, SLUG)
    raw = raw_answers(cf, submission())
    ctx = Context(dt.date(2026, 11, 23), {"pyeonghwa1"})

    def validate() -> None:
        answers, errors = rs.parse_all(cf, raw, ctx)
        _ev, missing, rule_errors = rs.submission_problems(cf, answers, {})
        assert not errors and not missing and not rule_errors, (errors, missing, rule_errors)

    check = _timed(validate, RUNS * 3)
    figures.append(
        Figure(NAME, "validate a full 120-answer submission (median)", median(check), "ms", 5)
    )
    line(figures[-1])

    headers = {"HX-Request": "true", "HX-Request-Type": "partial", "X-CSRFToken": _csrf(first.text)}
    values = iter(range(10**6))

    def autosave() -> None:
        r = client.post(
            f"{url}/answer/s5_num", data={"s5_num": str(next(values) % 100)}, headers=headers
        )
        assert r.status_code == 200, r.status_code

    save = _timed(autosave)
    figures.append(Figure(NAME, "autosave one answer (POST, server, median)", median(save), "ms"))
    line(figures[-1])
    return figures


def _csrf(html: str) -> str:
    return html.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
