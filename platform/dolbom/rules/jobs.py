"""The what-if as a background job, for tenants with many open cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from dolbom.db import tenant_session
from dolbom.jobs import JobContext, tenant_job
from dolbom.rules.catalogue import compiled_version
from dolbom.rules.gather import case_facts
from dolbom.rules.models import RuleSet, RuleSetVersion
from dolbom.rules.whatif import compare


class WhatIfUnavailable(RuntimeError):
    pass


def run_whatif(session: Any, tenant: str, rule_set_id: int, draft_id: int, as_of: dt.date,
               progress: Any = None) -> dict[str, Any]:  # fmt: skip
    rs = session.get(RuleSet, rule_set_id)
    draft = session.scalar(
        sa.select(RuleSetVersion).where(RuleSetVersion.id == draft_id)
        .options(undefer(RuleSetVersion.source))
    )  # fmt: skip
    if rs is None or draft is None:
        raise WhatIfUnavailable("초안이 없습니다")
    after, problems, _ = compiled_version(session, tenant, draft)
    if after is None:
        raise WhatIfUnavailable(f"초안에 오류가 {len(problems)}개 있어 미리 볼 수 없습니다")
    before = None
    if rs.current_number is not None:
        current = session.scalar(
            sa.select(RuleSetVersion)
            .where(RuleSetVersion.rule_set_id == rs.id, RuleSetVersion.number == rs.current_number)
            .options(undefer(RuleSetVersion.source))
        )
        before = compiled_version(session, tenant, current)[0] if current else None
        if before is None:
            # Comparing against "no rules" would call every case newly eligible.
            raise WhatIfUnavailable(
                f"게시된 버전 {rs.current_number}이(가) 지금의 조사 서식과 맞지 않아 비교할 수 없습니다"
            )
    facts = case_facts(session, None, as_of)
    result = compare(before, after, facts, as_of, progress)
    result["draft_checksum"] = draft.checksum
    return result


@tenant_job("rules_whatif")
def whatif_job(ctx: JobContext, rule_set_id: int, draft_id: int, as_of: str) -> dict[str, Any]:
    with tenant_session(ctx.tenant) as session:
        return run_whatif(session, ctx.tenant, rule_set_id, draft_id,
                          dt.date.fromisoformat(as_of), lambda pct: ctx.progress(pct))  # fmt: skip
