"""Changing a tenant's staff: invite, role and scope, deactivate and reactivate, reset the
password, remove from the tenant — each recorded in the console's change log in the caller's
transaction, each reaching the member's live sessions at once.

The rules: a tenant always keeps an active city administrator; a whole account is switched off
or on only by a tenant that is its only one (otherwise the member is removed from this tenant);
a form rendered from an older state of the member is refused, not merged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dolbom.console.changes import record_change
from dolbom.identity import sessions
from dolbom.identity.models import Membership, Role, User
from dolbom.identity.operations import create_user, deactivate_user, refresh_sessions
from dolbom.identity.passwords import hash_password
from dolbom.staff import queries, setup_links
from dolbom.staff.queries import DONG_ROLES, ROLES

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
DUPLICATE = _l("이미 계정이 있는 이메일입니다. 같은 사람이면 그 계정을 쓰세요.")
STALE = _l("다른 관리자가 먼저 이 직원의 계정을 바꿨습니다. 지금 상태를 확인한 뒤 다시 하세요.")
LAST_ADMIN = {
    "demote": _l("마지막 관리자는 다른 역할로 바꿀 수 없습니다. 먼저 다른 사람을 기관 관리자로 지정하세요."),
    "deactivate": _l("마지막 관리자는 비활성화할 수 없습니다. 먼저 다른 사람을 기관 관리자로 지정하세요."),
    "remove": _l("마지막 관리자는 이 기관에서 뺄 수 없습니다. 먼저 다른 사람을 기관 관리자로 지정하세요."),
}  # fmt: skip
SHARED_ACCOUNT = _l(
    "다른 기관에도 소속된 계정이라 계정 전체를 켜고 끌 수 없습니다. "
    "이 기관에서만 쓰지 못하게 하려면 '이 기관에서 빼기'를 하세요."
)


class StaffError(Exception):
    """A refused change: a message, and per-field messages where a field is to blame."""

    status = 422

    def __init__(self, message: object, fields: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.fields = fields or {}


class Conflict(StaffError):
    status = 409


@dataclass(frozen=True)
class Scope:
    role: str
    dong_codes: list[str]
    provider_id: int | None


@dataclass
class Reading:
    """What a form said: the values to show again and, if nothing is wrong, what to save."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    scope: Scope | None = None
    name: str = ""
    email: str = ""


def read_scope(
    session: Session, form: MultiDict[str, str], *, current: Membership | None = None
) -> Reading:
    """Role, dongs and provider. Every submitted dong and provider must be this tenant's (a
    current dong, an active provider — or what the member already has); dongs are kept only
    for the roles that work by dong, a provider only for provider staff."""
    role = form.get("role", "")
    codes = list(dict.fromkeys(c for c in form.getlist("dong_codes") if c))
    raw = form.get("provider_id", "").strip()
    values = {"role": role, "dong_codes": codes, "provider_id": raw}
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = str(_l("알 수 없는 역할입니다. 목록에서 고르세요."))
    allowed = {d.code for d in queries.current_dongs(session)}
    allowed |= set(current.dong_codes or []) if current else set()
    if any(c not in allowed for c in codes):
        errors["dong_codes"] = str(
            _l("이 기관의 현재 행정동이 아닌 동이 있습니다. 목록에서 고르세요.")
        )
    provider_id = None
    if raw:
        found = queries.provider(session, int(raw)) if raw.isdecimal() and len(raw) < 10 else None
        keep = current is not None and found is not None and found.id == current.provider_id
        if found is None or not (found.active or keep):
            errors["provider_id"] = str(_l("이 기관의 제공기관이 아닙니다. 목록에서 고르세요."))
        else:
            provider_id = found.id
    if role == Role.PROVIDER_STAFF and provider_id is None and "provider_id" not in errors:
        errors["provider_id"] = str(_l("제공기관 담당자는 소속 제공기관을 골라야 합니다."))
    if role == Role.FRONTLINE_WORKER and not codes and "dong_codes" not in errors:
        errors["dong_codes"] = str(_l("읍면동 담당자는 담당 동을 하나 이상 고르세요."))
    if errors:
        return Reading(values, errors)
    scope = Scope(role, sorted(codes) if role in DONG_ROLES else [],
                  provider_id if role == Role.PROVIDER_STAFF else None)  # fmt: skip
    return Reading(values, scope=scope)


def read_invitation(session: Session, form: MultiDict[str, str]) -> Reading:
    reading = read_scope(session, form)
    name = form.get("name", "").strip()
    email = form.get("email", "").strip().lower()
    reading.values.update(name=name, email=email)
    if not name:
        reading.errors["name"] = str(_l("이름을 적으세요."))
    elif len(name) > 100:
        reading.errors["name"] = str(_l("이름은 100자까지입니다."))
    if not email:
        reading.errors["email"] = str(_l("이메일을 적으세요."))
    elif len(email) > 254 or not EMAIL_RE.fullmatch(email):
        reading.errors["email"] = str(_l("이메일 형식이 올바르지 않습니다 (예: hong@city.go.kr)."))
    elif queries.email_taken(session, email):
        reading.errors["email"] = str(DUPLICATE)
    if reading.errors:
        reading.scope = None
    reading.name, reading.email = name, email
    return reading


def snapshot(m: Membership) -> dict[str, Any]:
    """What the change log keeps of a member (never a password or a link)."""
    return {
        "name": m.user.name,
        "role": m.role,
        "dong_codes": sorted(m.dong_codes or []),
        "provider_id": m.provider_id,
        "active": m.user.active,
    }


@dataclass(frozen=True)
class SetupLink:
    user: User
    token: str
    valid_until: str


def invite(
    session: Session, tenant_id: int, *, name: str, email: str, scope: Scope, by: int
) -> SetupLink:
    """A new account without a password, its membership here, and a set-up link."""
    try:
        with session.begin_nested():
            user = create_user(session, email, name, None)
    except IntegrityError:  # the same e-mail, saved by someone else a moment ago
        raise StaffError(DUPLICATE, {"email": str(DUPLICATE)}) from None
    m = Membership(user_id=user.id, tenant_id=tenant_id, role=scope.role,
                   dong_codes=scope.dong_codes, provider_id=scope.provider_id)  # fmt: skip
    user.memberships.append(m)
    session.flush()
    until = setup_links.valid_until()
    record_change(session, "staff", user.email, before=None,
                  after={**snapshot(m), "setup_link_until": until}, user_id=by, action="invite")  # fmt: skip
    return SetupLink(user, setup_links.issue(user.id), until)


def _check(session: Session, m: Membership, state: str, *, losing_admin: str | None) -> None:
    """The form's state is the member's current one; and if the change takes an active
    administrator away, another one remains."""
    if state != queries.state_of(m):
        raise Conflict(STALE)
    if (
        losing_admin
        and m.role == Role.CITY_ADMIN
        and m.user.active
        and queries.other_active_admins(session, m.tenant_id, m.id) == 0
    ):
        message = str(LAST_ADMIN[losing_admin])
        raise StaffError(message, {"role": message} if losing_admin == "demote" else {})


def change_scope(session: Session, m: Membership, scope: Scope, *, state: str, by: int) -> None:
    demoted = scope.role != Role.CITY_ADMIN
    _check(session, m, state, losing_admin="demote" if demoted else None)
    before = snapshot(m)
    m.role, m.dong_codes, m.provider_id = scope.role, scope.dong_codes, scope.provider_id
    session.flush()
    record_change(session, "staff", m.user.email, before=before, after=snapshot(m), user_id=by)
    refresh_sessions(session, [m.user_id])


def _only_here(m: Membership) -> None:
    if m.user.platform_role or any(o.tenant_id != m.tenant_id for o in m.user.memberships):
        raise StaffError(SHARED_ACCOUNT)


def deactivate(session: Session, m: Membership, *, state: str, by: int) -> None:
    """Switch the account off: every live session ends now, a pending link stops working."""
    _check(session, m, state, losing_admin="deactivate")
    if not m.user.active:
        raise StaffError(_l("이미 비활성화된 계정입니다."))
    _only_here(m)
    _switch_off(session, m.user, by)


def _switch_off(session: Session, user: User, by: int) -> None:
    deactivate_user(session, user)
    setup_links.revoke(user.id)
    record_change(session, "staff", user.email, before={"active": True}, after={"active": False},
                  user_id=by, action="deactivate")  # fmt: skip


def reactivate(session: Session, m: Membership, *, state: str, by: int) -> None:
    _check(session, m, state, losing_admin=None)
    if m.user.active:
        raise StaffError(_l("이미 활성 계정입니다."))
    _only_here(m)
    m.user.active = True
    session.flush()
    record_change(session, "staff", m.user.email, before={"active": False}, after={"active": True},
                  user_id=by, action="reactivate")  # fmt: skip


def reset_password(session: Session, m: Membership, *, state: str, by: int) -> SetupLink:
    """Clear the password, end every session, and issue a new set-up link (the old one, if
    any, stops working)."""
    _check(session, m, state, losing_admin=None)
    user = m.user
    if not user.active:
        raise StaffError(_l("비활성화된 계정입니다. 먼저 다시 활성화하세요."))
    had = user.password_hash is not None
    user.password_hash = None
    session.flush()
    sessions.end_all(user.id)
    until = setup_links.valid_until()
    record_change(session, "staff", user.email, before={"password_set": had},
                  after={"password_set": False, "setup_link_until": until},
                  user_id=by, action="reset_password")  # fmt: skip
    return SetupLink(user, setup_links.issue(user.id), until)


def remove(session: Session, m: Membership, *, state: str, by: int) -> bool:
    """Take the member out of this tenant. An account left with no tenant at all is switched
    off too (kept, so the names in case histories stay). True if that happened."""
    _check(session, m, state, losing_admin="remove")
    user = m.user
    before = snapshot(m)
    user.memberships.remove(m)  # delete-orphan: the row goes at flush
    session.flush()
    record_change(session, "staff", user.email, before=before, after=None, user_id=by,
                  action="remove")  # fmt: skip
    if not user.memberships and not user.platform_role and user.active:
        _switch_off(session, user, by)
        return True
    refresh_sessions(session, [user.id])
    return False


def set_password(session: Session, user: User, password: str) -> None:
    """From a set-up link: the new password; any session still open ends."""
    user.password_hash = hash_password(password)
    session.flush()
    sessions.end_all(user.id)
