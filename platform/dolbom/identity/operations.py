"""Sign-in as a plain function: the view only renders what this decides."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from dolbom.config import Settings
from dolbom.identity import sessions, throttle
from dolbom.identity.models import User
from dolbom.identity.passwords import hash_password, verify_password


@dataclass
class SignIn:
    user: User | None
    locked: bool = False


def authenticate(
    session: Session, settings: Settings, email: str, password: str, ip: str
) -> SignIn:
    email = email.strip().lower()
    if not throttle.attempt(email, ip, settings.login_max_failures, settings.login_lockout_minutes):
        return SignIn(user=None, locked=True)
    user = session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    # Verify even for unknown e-mails (against a dummy hash) so timing tells nothing.
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return SignIn(user=None, locked=False)
    throttle.succeeded(email, ip)
    return SignIn(user=user)


def create_user(
    session: Session, email: str, name: str, password: str | None, platform_role: str | None = None
) -> User:
    user = User(
        email=email.strip().lower(),
        name=name,
        platform_role=platform_role,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def deactivate_user(session: Session, user: User) -> None:
    """Deactivate and sign out everywhere at once (every live session ends now)."""
    user.active = False
    session.flush()
    sessions.end_all(user.id)


def refresh_sessions(session: Session, user_ids: list[int]) -> None:
    """After memberships or roles changed: live sessions see the change on their next request."""
    if not user_ids:
        return
    users = session.scalars(
        sa.select(User).where(User.id.in_(user_ids)).options(selectinload(User.memberships))
    )
    for user in users:
        sessions.refresh_user(user)
