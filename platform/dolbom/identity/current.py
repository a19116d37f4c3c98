"""The signed-in user as Flask-Login sees it: a snapshot kept with the session in Redis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from flask_login import LoginManager, UserMixin

from dolbom.identity import sessions
from dolbom.tenancy.directory import GENERATION_KEY

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "로그인이 필요합니다."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # we rotate server-side tokens ourselves


@dataclass(frozen=True)
class MembershipInfo:
    tenant_id: int
    user_id: int
    role: str
    dong_codes: tuple[str, ...]
    provider_id: int | None


class CurrentUser(UserMixin):
    def __init__(self, data: dict[str, Any], token: str) -> None:
        self.user_id: int = data["id"]
        self.email: str = data["email"]
        self.name: str = data["name"]
        self.platform_role: str | None = data["platform_role"]
        self.locale: str | None = data["locale"]
        self.token = token
        self._memberships = {
            m["tenant_id"]: MembershipInfo(
                m["tenant_id"],
                self.user_id,
                m["role"],
                tuple(m["dong_codes"]),
                m["provider_id"],
            )
            for m in data["memberships"]
        }

    def get_id(self) -> str:
        # The session token, not the user id: ending the token ends the session.
        return self.token

    def membership(self, tenant_id: int) -> MembershipInfo | None:
        return self._memberships.get(tenant_id)

    @property
    def memberships(self) -> list[MembershipInfo]:
        return list(self._memberships.values())


def idle_seconds() -> int:
    return int(current_app.config["SESSION_IDLE_SECONDS"])


@login_manager.user_loader
def load_user(token: str) -> CurrentUser | None:
    # The tenant directory's generation comes along in the same Redis round trip.
    data, (generation,) = sessions.resolve(token, idle_seconds(), also=(GENERATION_KEY,))
    g.tenant_generation = generation or b"0"
    return CurrentUser(data, token) if data is not None else None
