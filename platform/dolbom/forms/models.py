"""Forms, their versions and the responses made with them (tenant tables).

A version with a number is published and never changes (enforced below on every flush);
the one version without a number is the form's draft. A response pins the version it was made
with, so it always renders with the questions it was answered against."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.db import TenantBase, utcnow

_TS = sa.DateTime(timezone=True)


class ImmutableVersion(RuntimeError):
    """Something tried to change or delete a published version."""


class Form(TenantBase):
    __tablename__ = "form"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(50), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    # The number of the newest published version, kept here so lists need no aggregate.
    current_number: Mapped[int | None] = mapped_column()

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.id", lazy="raise_on_sql"
    )


class FormVersion(TenantBase):
    __tablename__ = "form_version"
    __table_args__ = (
        sa.UniqueConstraint("form_id", "number"),
        # At most one draft per form.
        sa.Index(
            "uq_form_version_draft",
            "form_id",
            unique=True,
            postgresql_where=sa.text("number IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id"), index=True)
    number: Mapped[int | None] = mapped_column()  # None: the draft
    title: Mapped[str] = mapped_column(sa.String(200))
    # Deferred: pages read the compiled form from the per-process cache; the document itself
    # (tens of KB for a large form) is loaded only when that cache has no entry.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB, deferred=True)
    # The YAML text as imported, exported verbatim while the definition is unchanged since.
    source: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    valid: Mapped[bool] = mapped_column(default=True)  # drafts may hold errors; published never
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(_TS)
    published_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    form: Mapped[Form] = relationship(back_populates="versions")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    @property
    def is_draft(self) -> bool:
        return self.number is None


@event.listens_for(FormVersion, "before_update")
def _refuse_published_update(_mapper: Any, _conn: Any, target: FormVersion) -> None:
    number = inspect(target).attrs.number.history
    was = number.deleted[0] if number.deleted else (number.unchanged or [None])[0]
    if was is not None:
        raise ImmutableVersion(f"published form version {target.id} cannot change")


@event.listens_for(FormVersion, "before_delete")
def _refuse_published_delete(_mapper: Any, _conn: Any, target: FormVersion) -> None:
    if target.number is not None:
        raise ImmutableVersion(f"published form version {target.id} cannot be deleted")


class FormResponse(TenantBase):
    """One filling-in of a form version: a draft saved answer by answer, then complete."""

    __tablename__ = "form_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("form_version.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # What was typed but could not be taken (key → {"raw", "error"}): kept so nothing is lost.
    pending: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    dong_code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    case_id: Mapped[int | None] = mapped_column(index=True)  # attached by case management
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    created_by: Mapped[int] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column(_TS)
    submitted_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    version: Mapped[FormVersion] = relationship(lazy="joined", innerjoin=True)
    form: Mapped[Form] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}


class FormResponseRevision(TenantBase):
    """The values a complete response had before a correction, and why it was corrected."""

    __tablename__ = "form_response_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("form_response.id"), index=True)
    at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    by: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(500))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONB)
    changed: Mapped[list[str]] = mapped_column(JSONB, default=list)  # question keys
