"""Reading a tenant's staff: the list page by page, one member, the tenant's current dongs and
providers to choose a scope from, and the state token a form carries to detect stale edits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from dolbom.catalogue.models import Provider
from dolbom.clock import today
from dolbom.districts.models import Dong, Gu
from dolbom.identity.models import Membership, Role, User

PAGE = 50
# The order roles are offered in: the administrator first, then from the city to the provider.
ROLES = (Role.CITY_ADMIN, Role.COORDINATOR, Role.FRONTLINE_WORKER, Role.PROVIDER_STAFF)
DONG_ROLES = frozenset({Role.COORDINATOR, Role.FRONTLINE_WORKER})


@dataclass(frozen=True)
class DongChoice:
    code: str
    name: str
    gu: str
    current: bool = True


@dataclass(frozen=True)
class StaffRow:
    user_id: int
    name: str
    email: str
    role: str
    active: bool
    password_set: bool
    scope: str  # dong names or the provider's name; "" for the whole city


@dataclass
class StaffPage:
    rows: list[StaffRow]
    total: int
    q: str
    role: str  # "" for every role
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE))

    def query_args(self, **change: object) -> dict[str, object]:
        """The filter as URL parameters (defaults left out), with some changed."""
        out: dict[str, object] = {"q": self.q, "role": self.role, "page": self.page, **change}
        return {k: v for k, v in out.items() if v not in ("", 1)}


def staff_page(session: Session, tenant_id: int, args: Mapping[str, str]) -> StaffPage:
    """Members of the tenant by name, searched by name or e-mail and filtered by role."""
    q = (args.get("q") or "").strip()[:100]
    role = args.get("role", "")
    role = role if role in ROLES else ""
    page_arg = args.get("page", "1")
    page = max(1, min(int(page_arg), 100_000)) if page_arg.isdecimal() else 1
    where = [Membership.tenant_id == tenant_id]
    if role:
        where.append(Membership.role == role)
    if q:
        where.append(
            sa.or_(
                User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True)
            )
        )
    total = session.scalar(
        sa.select(sa.func.count()).select_from(Membership).join(User).where(*where)
    )
    found = session.execute(
        sa.select(Membership, User).join(User).where(*where)
        .order_by(User.name, User.id).limit(PAGE).offset((page - 1) * PAGE)
    ).all()  # fmt: skip
    codes = {c for m, _u in found for c in m.dong_codes or []}
    dongs = dong_names(session, codes)
    providers = provider_names(session, {m.provider_id for m, _u in found if m.provider_id})
    rows = [
        StaffRow(u.id, u.name, u.email, m.role, u.active, u.password_hash is not None,
                 scope_label(m, dongs, providers))
        for m, u in found
    ]  # fmt: skip
    return StaffPage(rows, total or 0, q, role, page)


def scope_label(m: Membership, dongs: Mapping[str, str], providers: Mapping[int, str]) -> str:
    if m.role == Role.PROVIDER_STAFF:
        return providers.get(m.provider_id or 0, "")
    if m.role in DONG_ROLES:
        return ", ".join(sorted(dongs.get(c, c) for c in m.dong_codes or []))
    return ""


def dong_names(session: Session, codes: set[str] | Sequence[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(sa.select(Dong.code, Dong.name).where(Dong.code.in_(codes))).all())


def provider_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(sa.select(Provider.id, Provider.name).where(Provider.id.in_(ids))).all())  # fmt: skip


def current_dongs(session: Session) -> list[DongChoice]:
    """The dongs valid today (in Korea), by gu and name."""
    day = today()
    rows = session.execute(
        sa.select(Dong.code, Dong.name, Gu.name).join(Gu)
        .where(Dong.valid_from <= day, sa.or_(Dong.valid_to.is_(None), Dong.valid_to > day))
        .order_by(Gu.name, Dong.name)
    ).all()  # fmt: skip
    return [DongChoice(code, name, gu) for code, name, gu in rows]


def dong_choices(session: Session, keep: Sequence[str] = ()) -> list[DongChoice]:
    """The current dongs, plus any no-longer-current ones a member's scope still holds (so a
    save does not drop them unnoticed)."""
    choices = current_dongs(session)
    known = {d.code for d in choices}
    retired = [c for c in keep if c not in known]
    if retired:
        rows = session.execute(
            sa.select(Dong.code, Dong.name, Gu.name).join(Gu).where(Dong.code.in_(retired))
        ).all()
        names = {code: (name, gu) for code, name, gu in rows}
        choices += [DongChoice(c, *names.get(c, (c, "")), current=False) for c in retired]
    return choices


def active_providers(session: Session) -> list[Provider]:
    return list(session.scalars(sa.select(Provider).where(Provider.active).order_by(Provider.name)))


def provider(session: Session, provider_id: int) -> Provider | None:
    return session.get(Provider, provider_id)


def member(
    session: Session, tenant_id: int, user_id: int, *, lock: bool = False
) -> Membership | None:
    """One member of the tenant, with the user. `lock`: for a change, taking the tenant's
    administrators' rows first and always in the same order, so two changes that both count
    administrators wait for each other instead of deadlocking or both passing."""
    if lock:
        session.execute(
            sa.select(Membership.id)
            .where(Membership.tenant_id == tenant_id, Membership.role == Role.CITY_ADMIN)
            .order_by(Membership.id)
            .with_for_update()
        )
    query = (
        sa.select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def other_active_admins(session: Session, tenant_id: int, membership_id: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .join(User)
            .where(
                Membership.tenant_id == tenant_id,
                Membership.role == Role.CITY_ADMIN,
                Membership.id != membership_id,
                User.active,
            )
        )
        or 0
    )


def email_taken(session: Session, email: str) -> bool:
    found = session.scalar(
        sa.select(User.id).where(sa.func.lower(User.email) == email.strip().lower())
    )
    return found is not None


def state_of(m: Membership) -> str:
    """What an edit form was rendered from: a form posting another value is stale."""
    parts = [m.id, m.role, sorted(m.dong_codes or []), m.provider_id, m.user.active,
             m.user.password_hash is not None]  # fmt: skip
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]
