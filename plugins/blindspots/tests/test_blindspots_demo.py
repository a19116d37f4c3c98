"""`make run`'s demo rows: one imported list of a few hundred synthetic people with a report, some
visits recorded (a new application among them), added once."""

from __future__ import annotations

import sqlalchemy as sa
from blindspots_testkit import jeonju  # noqa: F401  (fixture)

from dolbom import db
from dolbom.cases.models import Case
from dolbom.plugins.host import get_host
from dolbom_blindspots.demo import ROWS
from dolbom_blindspots.models import Batch, Task
from tests import rrn_scan


def test_demo_data_once(jeonju):  # noqa: F811
    staff = {"admin": 1, "coordinator": 2, "worker": 3, "provider": 4}
    for _ in range(2):  # the second call finds the tables filled and adds nothing
        with db.tenant_transaction(jeonju) as s:
            get_host().call("dolbom_demo_data", frozenset({"blindspots"}), tenant_slug=jeonju,
                            session=s, staff=staff)  # fmt: skip
    with db.tenant_session(jeonju) as s:
        (batch,) = s.scalars(sa.select(Batch)).all()
        assert batch.status == "imported" and batch.row_count == ROWS
        assert batch.bad_count == 6 and batch.imported_count == ROWS - 6
        outcomes = dict(
            s.execute(sa.select(Task.outcome, sa.func.count()).group_by(Task.outcome)).all()
        )
        assert (
            outcomes[None] > 200
            and outcomes["no_need"]
            and outcomes["linked"]
            and outcomes["application"]
        )
        opened = s.scalar(
            sa.select(sa.func.count()).select_from(Case).where(Case.source == "발굴명단")
        )
        assert opened == outcomes["application"]
    schema = db.schema_for(jeonju)
    assert [f for f in rrn_scan.in_database(db.get_engine()) if f.startswith(schema)] == []
