"""What a plugin is and what it may contribute. Plugins import only from this module and
`dolbom.plugins.hookspecs` (re-exported here); `dolbom.plugins.services` (also re-exported)
is how they read and change core data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from flask import Blueprint
from sqlalchemy.orm import Session

from dolbom.db import NAMING, tenant_session
from dolbom.identity.access import tenant_roles
from dolbom.jobs import JobContext, enqueue, job_id, tenant_job
from dolbom.plugins import services
from dolbom.plugins.hookspecs import hookimpl
from dolbom.plugins.services import *  # noqa: F403  (the core-data functions, one import)
from dolbom.web.context import db as request_session
from dolbom.web.htmx import is_partial, layout

__all__ = [
    "NAMING",
    "DolbomPlugin",
    "JobContext",
    "NavItem",
    "enqueue",
    "is_partial",
    "job_id",
    "layout",
    "tenant_roles",
    "Panel",
    "SettingSpec",
    "TenantContext",
    "hookimpl",
    "request_session",
    "set_setting",
    "setting",
    "tenant_job",
    "tenant_session",
    *services.__all__,
]


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str  # a Flask endpoint; url_for fills in the tenant
    roles: frozenset[str] = frozenset()  # empty: every member of the tenant


@dataclass(frozen=True)
class Panel:
    title: str
    body: str  # plain text: escaped when shown
    lines: tuple[str, ...] = ()  # further plain-text lines, a list under the body
    link_label: str | None = None  # one link to the plugin's page about it
    link_url: str | None = None


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: object = None


def setting(session: Session, spec: SettingSpec) -> object:
    """A plugin setting's value for the tenant `session` is bound to, or its default."""
    from dolbom.tenant_settings import get

    return get(session, spec.key, spec.default)


def set_setting(session: Session, key: str, value: object) -> None:
    """Store a plugin's per-tenant value (JSON) in the tenant `session` is bound to."""
    from dolbom.tenant_settings import set_value

    set_value(session, key, value)


@dataclass(frozen=True)
class TenantContext:
    slug: str
    name: str
    role: str | None
    user_id: int | None


class DolbomPlugin:
    """Base class. Subclass it, set the class attributes, decorate hook methods with `hookimpl`
    and point an entry point in the `dolbom.plugins` group at the class."""

    name: ClassVar[str]
    title: ClassVar[str]
    # A blueprint factory; the host mounts the result at /<slug>/p/<name>/ for the tenant's
    # members (signed in, with a membership; roles are the plugin's to check).
    blueprint: ClassVar[Callable[[], Blueprint] | None] = None
    # Pages for anyone, without signing in (a resident's report form), at
    # /<slug>/p/<name>/public/. Still 404 where the tenant has the plugin off. CSRF applies;
    # throttle submissions with `rate_limited`.
    public_blueprint: ClassVar[Callable[[], Blueprint] | None] = None
    # Tenant-stream migration branch: a folder of Alembic revisions and the plugin's own
    # metadata (tables without schema, like core tenant tables).
    migrations: ClassVar[Path | None] = None
    metadata: ClassVar[sa.MetaData | None] = None
    settings: ClassVar[tuple[SettingSpec, ...]] = ()
    # A Babel translations folder (`<lang>/LC_MESSAGES/messages.mo`) for the plugin's own
    # strings; the app merges it after the core's catalogue.
    translations: ClassVar[Path | None] = None
    # RQ jobs by kind: the function must be importable by the worker.
    jobs: ClassVar[dict[str, Callable[..., object]]] = {}
    # Tenant jobs taking no ids that `dolbom cron` queues every hour for each tenant with the
    # plugin on: a sweep that finishes work whose job was lost (a worker killed, Redis lost).
    hourly: ClassVar[tuple[Callable[..., object], ...]] = ()
