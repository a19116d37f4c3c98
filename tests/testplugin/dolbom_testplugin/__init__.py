"""Test plugin: one of everything a plugin can contribute."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from flask import Blueprint, g, render_template, request
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from dolbom.plugins.api import (
    NAMING,
    CaseInfo,
    DolbomPlugin,
    JobContext,
    NavItem,
    Panel,
    SettingSpec,
    TenantContext,
    enqueue_after_commit,
    hookimpl,
    rate_limited,
    request_session,
    set_setting,
    setting,
    tenant_job,
    tenant_session,
)

HERE = Path(__file__).resolve().parent
# Every hook call, so tests can prove a hook was (not) called for a tenant.
CALLS: list[tuple[str, str]] = []


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Item(Base):
    __tablename__ = "testplugin_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(50))


def make_blueprint() -> Blueprint:
    bp = Blueprint("testplugin", __name__, template_folder="templates")

    @bp.get("/")
    def index():  # type: ignore[no-untyped-def]
        items = request_session().scalars(sa.select(Item.label).order_by(Item.id)).all()
        return render_template("testplugin/index.html", items=items, tenant=g.tenant.slug)

    @bp.get("/item")
    def item():  # type: ignore[no-untyped-def]
        # A number from the URL handed to the database unchecked: out of range is a 400.
        found = request_session().get(Item, int(request.args.get("id", "0")))
        return found.label if found else "없음"

    @bp.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        # Writes inside the request's transaction, then fails: nothing may persist, and the
        # pooled connection must serve the next tenant cleanly.
        request_session().add(Item(label=f"boom-{g.tenant.slug}"))
        request_session().flush()
        raise RuntimeError("test plugin failure")

    return bp


def make_public_blueprint() -> Blueprint:
    bp = Blueprint("testplugin_public", __name__, template_folder="templates")

    @bp.route("/", methods=["GET", "POST"])
    def hello():  # type: ignore[no-untyped-def]
        if rate_limited(f"{g.tenant.slug}:testplugin", 2, 3600):
            return "천천히", 429
        return f"공개 {g.tenant.slug}"

    return bp


@tenant_job("testplugin-mark")
def mark_job(ctx: JobContext, value: str) -> str:
    with tenant_session(ctx.tenant) as session, session.begin():
        greeting = setting(session, TestPlugin.settings[0])
        set_setting(
            session, "testplugin.mark", {"tenant": ctx.tenant, "value": value, "greeting": greeting}
        )
        session.add(Item(label=f"job-{ctx.tenant}"))
    ctx.progress(100)
    return ctx.tenant


class TestPlugin(DolbomPlugin):
    name = "testplugin"
    title = "시험용 플러그인"
    blueprint = staticmethod(make_blueprint)
    public_blueprint = staticmethod(make_public_blueprint)
    migrations = HERE / "migrations"
    metadata = Base.metadata
    settings = (SettingSpec("testplugin.greeting", "인사말", "안녕하세요"),)
    jobs: ClassVar[dict] = {"testplugin-mark": mark_job}

    @hookimpl
    def dolbom_navigation(self, ctx: TenantContext) -> list[NavItem]:
        CALLS.append(("navigation", ctx.slug))
        return [NavItem("시험 플러그인", "tenant.plugin_testplugin.index")]

    @hookimpl
    def dolbom_landing_panels(self, ctx: TenantContext, session: Session) -> list[Panel]:
        CALLS.append(("landing", ctx.slug))
        count = session.scalar(sa.select(sa.func.count()).select_from(Item))
        return [Panel("시험 플러그인 패널", f"항목 {count}개")]

    @hookimpl
    def dolbom_tenant_enabled(self, tenant_slug: str, session: Session) -> None:
        CALLS.append(("enabled", tenant_slug))
        session.add(Item(label="seeded"))

    @hookimpl
    def dolbom_case_transition(
        self, tenant_slug: str, session: Session, case: CaseInfo, action: str,
        from_stage: str | None, user_id: int,
    ) -> None:  # fmt: skip
        CALLS.append(("transition", tenant_slug))
        session.add(Item(label=f"{action}:{case.id}:{case.in_service}"))
        enqueue_after_commit(session, mark_job, tenant_slug, f"case-{case.id}", action)

    @hookimpl
    def dolbom_case_panels(
        self, ctx: TenantContext, session: Session, case: CaseInfo
    ) -> list[Panel]:
        CALLS.append(("case_panel", ctx.slug))
        return [Panel("시험 사례 패널", f"단계 {case.stage_label}", ("한 줄",), "열기", "/x")]
