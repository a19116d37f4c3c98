"""A 20,000-row list with 1% bad rows, as UTF-8 CSV, CP949 CSV and XLSX: exactly the 200 bad
lines reported with their line numbers, 19,800 imported, the registry matches counted, and no
resident number in plaintext in any table the import wrote."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from blindspots_testkit import (
    dongs,
    jeonju,  # noqa: F401  (fixture)
    latest_batch,
    problem_lines,
    register_people,
    run_worker,
    task_count,
    upload,
    url,
)

from dolbom import db
from dolbom_blindspots import columns as C
from dolbom_blindspots import synthetic
from dolbom_blindspots.models import Problem, Task, Upload
from tests import rrn_scan

ROWS = 20_000
BAD = range(50, ROWS, 100)  # 200 rows, one way of going wrong each (synthetic.SPOILS)
REGISTERED = [p for p in range(3, ROWS, 97) if p not in BAD][:150]


@pytest.mark.parametrize("kind", ["utf-8-plain", "cp949", "xlsx"])
def test_twenty_thousand_rows_with_one_percent_bad(jeonju, signed_in, kind):  # noqa: F811
    slug, name = jeonju, "list.xlsx" if kind == "xlsx" else "list.csv"
    rows = synthetic.make_rows(ROWS, dongs(slug), seed=11)
    kinds = synthetic.spoil(rows, BAD)
    assert sorted(kinds.values()).count("duplicate") == 50
    register_people(slug, [rows[p][C.RRN] for p in REGISTERED])
    data = synthetic.to_bytes(rows, kind)

    coordinator = signed_in("coordinator", slug)
    response = upload(coordinator, slug, data, name)
    assert response.status_code == 303, response.text
    batch = latest_batch(slug)
    assert (batch.file_kind, batch.encoding) == (
        ("xlsx", None) if kind == "xlsx" else ("csv", "utf-8" if kind == "utf-8-plain" else "cp949")
    )
    run_worker()

    batch = latest_batch(slug)
    assert batch.status == "imported", batch.message
    assert (batch.row_count, batch.imported_count, batch.bad_count) == (ROWS, 19_800, 200)
    assert problem_lines(slug, batch.id) == [p + 2 for p in BAD]  # header = line 1
    assert task_count(slug, batch.id) == 19_800
    assert batch.matched_count == len(REGISTERED)
    with db.tenant_session(slug) as s:
        reasons = dict(s.execute(sa.select(Problem.line, Problem.column).where(Problem.batch_id == batch.id)).all())  # fmt: skip
        for pos, how in kinds.items():
            expected = {"rrn": C.RRN, "dong": C.DONG, "duplicate": C.RRN}.get(how)
            assert reasons[pos + 2] == expected or (
                how == "indicator" and reasons[pos + 2] in C.BY_HEADER
            )
        matched = s.scalar(
            sa.select(sa.func.count()).select_from(Task).where(Task.person_id.is_not(None))
        )
        assert matched == len(REGISTERED)
        assert s.scalar(sa.select(sa.func.count()).select_from(Upload)) == 0
    # The report's page shows the first bad line; its CSV lists all 200.
    page = coordinator.get(url(slug, f"/batches/{batch.id}"))
    assert 'data-testid="problem-line-52"' in page.text
    report = coordinator.get(url(slug, f"/batches/{batch.id}/report.csv"))
    assert len(report.data.decode("utf-8-sig").strip().splitlines()) == 201
    # Nothing the import wrote holds a resident number in plaintext (ciphertexts are binary).
    schema = db.schema_for(slug)
    found = [
        f for f in rrn_scan.in_database(db.get_engine()) if f.startswith(f"{schema}.blindspots")
    ]
    assert found == []
