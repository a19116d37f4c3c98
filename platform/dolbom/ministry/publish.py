"""Publication: from the tenants' raw monthly figures to what ministry pages may show.

For each month, the counts of every city, their region totals and the national total are
suppressed together (`suppression.suppress`) with every published relation an outsider could
subtract with: nation = Σ regions, region = Σ its cities, a count = Σ its breakdown. Rates on
a suppressed count are suppressed too; statistics need five people. Totals are published only
for fixed groups (regions, the nation) — never for whatever subset a filter selects, since two
such totals would differ by exactly one city's value."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.db import shared_session
from dolbom.ministry import metrics
from dolbom.ministry.models import MinistryFigure, MinistryPublished
from dolbom.ministry.suppression import Cell, rate, suppress, suppressed_statistic
from dolbom.tenancy.models import Tenant

NATION = "all"
NO_REGION = "지역 미상"
Row = dict[str, Any]


def publish_all() -> int:
    """Recompute every month's published figures in one transaction. Returns rows written."""
    with shared_session() as s, s.begin():
        # Ready tenants only: the pages list only those, and a tenant being created or parked
        # must not feed totals the analyst cannot trace to a city.
        tenants = {t.id: (t.slug, t.region or NO_REGION)
                   for t in s.scalars(sa.select(Tenant).where(Tenant.status == "ready"))}  # fmt: skip
        by_month: dict[dt.date, dict[tuple[int, str], tuple[float | None, int | None]]] = (
            defaultdict(dict)
        )
        for tid, month, metric, value, n in s.execute(
            sa.select(
                MinistryFigure.tenant_id,
                MinistryFigure.month,
                MinistryFigure.metric,
                MinistryFigure.value,
                MinistryFigure.n,
            )
        ):
            if tid in tenants:
                by_month[month][(tid, metric)] = (value, n)
        rows: list[Row] = []
        for month, figures in sorted(by_month.items()):
            rows += publish_month(month, figures, tenants)
        s.execute(sa.delete(MinistryPublished))
        _copy(s, rows)
    return len(rows)


COLUMNS = ("month", "scope", "key", "metric", "shown", "mark")


def _copy(s: Session, rows: list[Row]) -> None:
    """COPY, not INSERT: a month of 229 cities is ~10,000 rows, and COPY writes 36 months of them
    about eight times faster than batched INSERTs (bench 9)."""
    table = MinistryPublished.__table__
    cursor = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    sql = f'COPY "{table.schema}"."{table.name}" ({", ".join(COLUMNS)}) FROM STDIN'
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in COLUMNS))


def publish_month(
    month: dt.date,
    figures: dict[tuple[int, str], tuple[float | None, int | None]],
    tenants: dict[int, tuple[str, str]],
) -> list[Row]:
    present = sorted({tid for tid, _m in figures})
    regions: dict[str, list[int]] = defaultdict(list)
    for tid in present:
        regions[tenants[tid][1]].append(tid)

    def city(tid: int) -> tuple[str, str]:
        return ("city", tenants[tid][0])

    values: dict[tuple[tuple[str, str], str], int | None] = {}
    groups: list[tuple[Any, list[Any]]] = []
    breakdowns = metrics.breakdown_groups()
    for metric in metrics.ADDITIVE:
        for tid in present:
            v = figures.get((tid, metric), (None, None))[0]
            values[(city(tid), metric)] = None if v is None else int(v)
        for region, members in regions.items():
            parts = [(city(t), metric) for t in members if values[(city(t), metric)] is not None]
            values[(("region", region), metric)] = sum(values[p] or 0 for p in parts)
            groups.append(((("region", region), metric), parts))
        nation_parts = [(("region", r), metric) for r in regions]
        values[(("nation", NATION), metric)] = sum(values[p] or 0 for p in nation_parts)
        groups.append(((("nation", NATION), metric), nation_parts))
    entities = [city(t) for t in present] + [("region", r) for r in regions] + [("nation", NATION)]
    for entity in entities:
        for parent, parts in breakdowns.items():
            if values.get((entity, parent)) is not None:
                groups.append(((entity, parent), [(entity, p) for p in parts]))
    cells = suppress(values, groups)

    rows: list[Row] = []

    def put(entity: tuple[str, str], metric: str, shown: float | None, mark: str | None) -> None:
        rows.append({"month": month, "scope": entity[0], "key": entity[1], "metric": metric,
                     "shown": shown, "mark": mark})  # fmt: skip

    for (entity, metric), cell in cells.items():
        put(entity, metric, cell.shown, cell.mark)
    members = {("city", tenants[t][0]): [t] for t in present}
    members |= {("region", r): ts for r, ts in regions.items()}
    members[("nation", NATION)] = present
    for entity, tids in members.items():
        rows += _derived(month, entity, tids, figures, cells)
    return rows


def _derived(month: dt.date, entity: tuple[str, str], tids: list[int],
             figures: dict[tuple[int, str], tuple[float | None, int | None]],
             cells: dict[Any, Cell]) -> list[Row]:  # fmt: skip
    """Readiness, statistics and rates of a city, a region or the nation."""
    out: list[Row] = []

    def put(metric: str, shown: float | None, mark: str | None) -> None:
        out.append({"month": month, "scope": entity[0], "key": entity[1], "metric": metric,
                    "shown": shown, "mark": mark})  # fmt: skip

    def raw(metric: str) -> list[float]:
        got = [figures.get((t, metric), (None, None))[0] for t in tids]
        return [v for v in got if v is not None]

    single = entity[0] == "city"
    for m in metrics.READINESS:
        got = raw(m.key)
        if not got:
            put(m.key, None, "nodata")
        elif single or m.key in {"population_65", "staff_count"}:
            put(m.key, sum(got), None)
        else:  # a group's readiness: the share of its cities with the item (or the mean score)
            put(m.key, round(sum(got) / len(got), 3), None)
    if single:
        value, n = figures.get((tids[0], "median_days_to_service"), (None, None))
        put("median_days_to_service", *suppressed_statistic(n, value))
    else:  # medians of different cities cannot be combined; the page shows none for groups
        put("median_days_to_service", None, "nodata")
    pop = sum(raw("population_65")) or None
    denominator = int(pop) if pop else None
    put("applications_per_1000", *rate(cells[(entity, "applications")], denominator, digits=2))
    put("in_service_per_1000", *rate(cells[(entity, "in_service")], denominator, digits=2))
    put("monitoring_on_time_share", *_share(cells[(entity, "monitoring_on_time")],
                                            cells[(entity, "monitoring_due")]))  # fmt: skip
    put("referrals_accepted_share", *_share(cells[(entity, "referrals_accepted")],
                                            cells[(entity, "referrals_sent")]))  # fmt: skip
    return out


def _share(part: Cell, whole: Cell) -> tuple[float | None, str | None]:
    """A percentage of two published counts: suppressed when either is, or with fewer than 5."""
    if whole.mark is not None and whole.mark != "nodata":
        return None, whole.mark
    if whole.shown is None:
        return None, "nodata"
    if whole.shown < 5:
        return None, "<5" if whole.shown else "nodata"
    return rate(part, int(whole.shown), per=100)
