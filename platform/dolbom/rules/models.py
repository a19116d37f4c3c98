"""Rule sets, their versions, and the decisions made with them (tenant tables).

Like forms: a numbered version is published and never changes; the one version without a
number is the draft. A decision records everything needed to explain it later — the version,
the date, the facts as they were, the result and the explanation as shown — and the database
refuses to change or delete it: re-evaluating adds a new decision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dolbom.db import TenantBase, utcnow

_TS = sa.DateTime(timezone=True)

DECISION_APPEND_ONLY_DDL = (
    "CREATE FUNCTION rule_decision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'rule_decision is append-only'; END $$",
    "CREATE TRIGGER rule_decision_no_change BEFORE UPDATE OR DELETE ON rule_decision "
    "FOR EACH ROW EXECUTE FUNCTION rule_decision_append_only()",
    "CREATE TRIGGER rule_decision_no_truncate BEFORE TRUNCATE ON rule_decision "
    "FOR EACH STATEMENT EXECUTE FUNCTION rule_decision_append_only()",
)


class ImmutableRuleVersion(RuntimeError):
    """Something tried to change or delete a published rule set version."""


class RuleSet(TenantBase):
    __tablename__ = "rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(50), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    current_number: Mapped[int | None] = mapped_column()

    versions: Mapped[list[RuleSetVersion]] = relationship(
        back_populates="rule_set", order_by="RuleSetVersion.id", lazy="raise_on_sql"
    )


class RuleSetVersion(TenantBase):
    __tablename__ = "rule_set_version"
    __table_args__ = (
        sa.UniqueConstraint("rule_set_id", "number"),
        sa.Index(
            "uq_rule_set_version_draft",
            "rule_set_id",
            unique=True,
            postgresql_where=sa.text("number IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(sa.ForeignKey("rule_set.id"), index=True)
    number: Mapped[int | None] = mapped_column()  # None: the draft
    title: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.Text, deferred=True)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    valid: Mapped[bool] = mapped_column(default=True)  # drafts may hold errors; published never
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    created_by: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(_TS)
    published_by: Mapped[int | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    rule_set: Mapped[RuleSet] = relationship(back_populates="versions")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}

    @property
    def is_draft(self) -> bool:
        return self.number is None


@event.listens_for(RuleSetVersion, "before_update")
def _refuse_published_update(_mapper: Any, _conn: Any, target: RuleSetVersion) -> None:
    number = inspect(target).attrs.number.history
    was = number.deleted[0] if number.deleted else (number.unchanged or [None])[0]
    if was is not None:
        raise ImmutableRuleVersion(f"published rule set version {target.id} cannot change")


@event.listens_for(RuleSetVersion, "before_delete")
def _refuse_published_delete(_mapper: Any, _conn: Any, target: RuleSetVersion) -> None:
    if target.number is not None:
        raise ImmutableRuleVersion(f"published rule set version {target.id} cannot be deleted")


class RuleDecision(TenantBase):
    """One evaluation of a case against one published rule set version, as of a date."""

    __tablename__ = "rule_decision"
    __table_args__ = ({"info": {"after_create": DECISION_APPEND_ONLY_DDL}},)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    rule_set_key: Mapped[str] = mapped_column(sa.String(50))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("rule_set_version.id"))
    version_number: Mapped[int] = mapped_column()
    as_of: Mapped[date] = mapped_column(sa.Date)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the facts as they were
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # per programme, explained
    created_at: Mapped[datetime] = mapped_column(_TS, default=utcnow)
    created_by: Mapped[int] = mapped_column()

    version: Mapped[RuleSetVersion] = relationship(lazy="joined", innerjoin=True)

    def counts(self) -> dict[str, int]:
        out = {"eligible": 0, "not_eligible": 0, "undetermined": 0}
        for r in self.results:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out
