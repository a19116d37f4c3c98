"""Demo tenants and accounts for `make run` (demo mode only: never in production)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.cases.models import Case
from dolbom.cases.synthetic import generate
from dolbom.catalogue.models import Programme, Provider
from dolbom.catalogue.packs import load_catalogue
from dolbom.config import ROOT
from dolbom.db import get_engine, tenant_transaction
from dolbom.forms.operations import add_missing_forms
from dolbom.identity.models import Membership, Role, User
from dolbom.identity.operations import create_user
from dolbom.ministry.models import MinistryPublished
from dolbom.rules.operations import add_missing_rulesets
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.operations import create_tenant
from dolbom.tenancy.packs import read_pack

PASSWORD = "dolbom-demo-2026"
DEMO_CASES = 300
# The two tenants with every demo account and synthetic cases.
TENANTS = ("jeonju", "daejeon")


def pack_tenants() -> list[str]:
    """Every shipped pack becomes a demo tenant (Jeonju, Daejeon and the 2019 pilot local
    governments); the others get an administrator account, to configure what their pack lacks."""
    return sorted(p.name for p in (ROOT / "tenants").iterdir() if (p / "tenant.yaml").is_file())


def other_tenants() -> list[str]:
    return [slug for slug in pack_tenants() if slug not in TENANTS]


# The frontline worker's dong, by tenant: 평화1동 is Jeonju's pilot counter.
WORKER_DONG = {"jeonju": "pyeonghwa1", "daejeon": "dunsan1"}


def _demo_provider(slug: str) -> int | None:
    """The demo provider account works for the first institution serving the demo worker's dong."""
    with tenant_transaction(slug) as s:
        for provider in s.scalars(sa.select(Provider).order_by(Provider.id)):
            if provider.covers(WORKER_DONG[slug]):
                return provider.id
    return None


def accounts() -> list[tuple[str, str]]:
    rows = [("operator@demo.kr", "플랫폼 운영자"), ("ministry@demo.kr", "보건복지부 분석가")]
    for slug in TENANTS:
        rows += [
            (f"admin.{slug}@demo.kr", "기관 관리자"),
            (f"coordinator.{slug}@demo.kr", "시군구 통합돌봄 담당"),
            (f"worker.{slug}@demo.kr", "읍면동 통합돌봄 창구"),
            (f"provider.{slug}@demo.kr", "제공기관 담당자"),
        ]
    rows += [(f"admin.{slug}@demo.kr", "기관 관리자") for slug in other_tenants()]
    return rows


def seed() -> list[str]:
    """Create what is missing; leave what exists. Returns what was created."""
    created: list[str] = []
    with Session(get_engine()) as s:
        existing = set(s.scalars(sa.select(Tenant.slug)))
    for slug in pack_tenants():
        pack = read_pack(ROOT / "tenants" / slug)
        if slug not in existing:
            create_tenant(slug, pack.name, region=pack.region, pack=pack)
            created.append(f"tenant {slug}")
        elif slug in TENANTS:
            # An instance made before a form joined the pack gets it, published, on next start.
            with tenant_transaction(slug) as s:
                created += [f"form {slug}/{k}" for k in add_missing_forms(s, pack.forms)]
                created += [f"rules {slug}/{k}" for k in add_missing_rulesets(s, slug, pack.rules)]
                if pack.catalogue and not s.scalar(
                    sa.select(sa.func.count()).select_from(Programme)
                ):
                    load_catalogue(s, pack.catalogue)  # an instance from before the catalogue
                    created.append(f"catalogue {slug}")
    with Session(get_engine()) as s, s.begin():
        tenants = {t.slug: t for t in s.scalars(sa.select(Tenant))}
        users = {u.email: u for u in s.scalars(sa.select(User))}

        def user(email: str, name: str, platform_role: str | None = None) -> User:
            if email not in users:
                users[email] = create_user(s, email, name, PASSWORD, platform_role)
                created.append(email)
            return users[email]

        user("operator@demo.kr", "플랫폼 운영자", Role.PLATFORM_OPERATOR)
        user("ministry@demo.kr", "보건복지부 분석가", Role.MINISTRY_ANALYST)
        for slug in TENANTS:
            tenant = tenants[slug]
            roles = [
                ("admin", "기관 관리자", Role.CITY_ADMIN, []),
                ("coordinator", "시군구 통합돌봄 담당", Role.COORDINATOR, []),
                ("worker", "읍면동 통합돌봄 창구", Role.FRONTLINE_WORKER, [WORKER_DONG[slug]]),
                ("provider", "제공기관 담당자", Role.PROVIDER_STAFF, []),
            ]
            for prefix, name, role, dongs in roles:
                u = user(f"{prefix}.{slug}@demo.kr", f"{tenant.name} {name}")
                if not any(m.tenant_id == tenant.id for m in u.memberships):
                    s.add(
                        Membership(user_id=u.id, tenant_id=tenant.id, role=role, dong_codes=dongs,
                                   provider_id=_demo_provider(slug) if role == Role.PROVIDER_STAFF else None)
                    )  # fmt: skip
        for slug in other_tenants():
            tenant = tenants[slug]
            u = user(f"admin.{slug}@demo.kr", f"{tenant.name} 기관 관리자")
            if not any(m.tenant_id == tenant.id for m in u.memberships):
                s.add(Membership(user_id=u.id, tenant_id=tenant.id, role=Role.CITY_ADMIN))
        staff = {email: u.id for email, u in users.items()}
    for slug in TENANTS:
        # A few hundred synthetic cases, so the case screens and the rules' what-if have data:
        # the demo worker's dong is theirs, the rest the coordinator's.
        with tenant_transaction(slug) as s:
            if not s.scalar(sa.select(sa.func.count()).select_from(Case)):
                generate(s, slug, DEMO_CASES, seed=sum(map(ord, slug)),
                         user_id=staff[f"coordinator.{slug}@demo.kr"],
                         workers={WORKER_DONG[slug]: staff[f"worker.{slug}@demo.kr"]})  # fmt: skip
                created.append(f"{DEMO_CASES} demo cases {slug}")
    _plugins_demo(staff)
    # The ministry's figures: without a rollup the analyst's pages would be empty until the
    # first night. Once, when nothing has been published yet.
    with Session(get_engine()) as s:
        published = s.scalar(sa.select(sa.func.count()).select_from(MinistryPublished))
    if not published:
        from dolbom.ministry.jobs import rollup_all

        done = rollup_all()
        created.append(f"ministry rollup of {done['tenants']} tenants")
    return created


def _plugins_demo(staff: dict[str, int]) -> None:
    """Switch on the plugins a demo tenant's pack names (an instance made before a plugin joined
    the pack gets it), then let each plugin add its example rows."""
    from dolbom.plugins.host import get_host
    from dolbom.tenancy.operations import set_plugin

    host = get_host()
    for slug in TENANTS:
        pack = read_pack(ROOT / "tenants" / slug)
        with Session(get_engine()) as s:
            tenant = s.scalar(sa.select(Tenant).where(Tenant.slug == slug))
            enabled = tenant.enabled_plugins() if tenant else frozenset()
        for p in pack.plugins:
            if p not in enabled and p in host.plugins:
                set_plugin(slug, p, True)
        wanted = frozenset(p for p in pack.plugins if p in host.plugins)
        roles = {role: staff[f"{role}.{slug}@demo.kr"] for role in
                 ("admin", "coordinator", "worker", "provider")}  # fmt: skip
        with tenant_transaction(slug) as s:
            host.call("dolbom_demo_data", wanted, tenant_slug=slug, session=s, staff=roles)
