"""`make run`'s demo rows: reports in several states, and in Jeonju one reward already paid at
the rule set's amount; nothing added a second time."""

from __future__ import annotations

import sqlalchemy as sa
from reports_helpers import DONG, payments, switch_on

from dolbom import db
from dolbom.cases.synthetic import generate
from dolbom.plugins.host import get_host
from dolbom_reports.models import Report


def test_demo_rows(pack_tenant, signed_in):
    slug = switch_on(pack_tenant("jeonju", plugins=("reports",)))
    with db.tenant_transaction(slug) as s:
        generate(s, slug, 120, seed=7, user_id=1, workers={DONG: 1})
    with db.tenant_transaction(slug) as s:
        from dolbom_reports.demo import seed

        seed(s, slug, {"coordinator": 1}, dong=DONG, with_reward=True)
    with db.tenant_transaction(slug) as s:  # the host's hook: the tables are no longer empty
        get_host().call("dolbom_demo_data", frozenset({"reports"}), tenant_slug=slug, session=s,
                        staff={"coordinator": 1})  # fmt: skip
    with db.tenant_session(slug) as s:
        statuses = sorted(s.scalars(sa.select(Report.status)))
    assert {"new", "duplicate", "not_applicable", "application"} <= set(statuses)
    assert len(statuses) in (5, 6)
    (payment,) = payments(slug)
    assert (payment.status, payment.amount) == ("paid", 50000)
    coordinator = signed_in("coordinator", slug)
    assert "₩50,000" in coordinator.get(f"/{slug}/p/reports/ledger?year={payment.year}").text
    assert coordinator.get(f"/{slug}/p/reports/").status_code == 200
