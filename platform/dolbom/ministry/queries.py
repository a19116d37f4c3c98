"""Reading the published figures for the ministry's pages, charts and exports.

Only `ministry_published` (suppressed) and tenant attributes are read here — never the raw
figures — so a page can show nothing a suppression rule withheld."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dolbom.clock import today
from dolbom.ministry import metrics
from dolbom.ministry.models import MinistryPublished, MinistryRollup
from dolbom.ministry.publish import NATION, NO_REGION
from dolbom.tenancy.models import Tenant
from dolbom.tenancy.packs import PILOT_FIELDS

# Size bands by residents aged 65+ (the denominators of the rates).
BANDS = {
    "small": ("5만 명 미만", 0, 50_000),
    "medium": ("5만~10만 명", 50_000, 100_000),
    "large": ("10만 명 이상", 100_000, None),
}
MARKS = {"<5": "<5", "×": "×", "nodata": "자료 없음"}


class BadFilter(ValueError):
    """A malformed filter: answered with 400 and the message, never a 500."""


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    region: str
    field: str | None
    population_65: int | None
    status: str | None
    succeeded_at: dt.datetime | None

    @property
    def band(self) -> str | None:
        return band_of(self.population_65)


@dataclass(frozen=True)
class Filters:
    month: dt.date
    region: str | None = None
    field: str | None = None
    band: str | None = None
    sort: str = "name"
    desc: bool = False

    def args(self) -> dict[str, str]:
        out = {"month": self.month.strftime("%Y-%m"), "sort": self.sort,
               "dir": "desc" if self.desc else "asc"}  # fmt: skip
        out |= {k: v for k, v in (("region", self.region), ("field", self.field),
                                  ("band", self.band)) if v}  # fmt: skip
        return out


@dataclass
class Table:
    filters: Filters
    columns: Sequence[str]
    rows: list[tuple[City, dict[str, tuple[float | None, str | None]]]]
    totals: list[tuple[str, dict[str, tuple[float | None, str | None]]]] = field(
        default_factory=list
    )


def band_of(pop: int | None) -> str | None:
    if pop is None:
        return None
    for key, (_label, low, high) in BANDS.items():
        if pop >= low and (high is None or pop < high):
            return key
    return None


def months(s: Session) -> list[dt.date]:
    """The published months, newest first: the span of the tenants' rollups (read from the
    small status table — a DISTINCT over the published figures scans them all)."""
    first, last = s.execute(
        sa.select(sa.func.min(MinistryRollup.first_month), sa.func.max(MinistryRollup.last_month))
        .join(Tenant, Tenant.id == MinistryRollup.tenant_id).where(Tenant.status == "ready")
    ).one()  # fmt: skip
    if first is None or last is None:
        return []
    out, m = [], last
    while m >= first:
        out.append(m)
        m = (m - dt.timedelta(days=1)).replace(day=1)
    return out


def cities(s: Session) -> list[City]:
    rows = s.execute(
        sa.select(Tenant.slug, Tenant.name, Tenant.region, MinistryRollup.pilot_field,
                  MinistryRollup.population_65, MinistryRollup.status,
                  MinistryRollup.succeeded_at)
        .outerjoin(MinistryRollup, MinistryRollup.tenant_id == Tenant.id)
        .where(Tenant.status == "ready").order_by(Tenant.name)
    ).all()  # fmt: skip
    return [City(slug, name, region or NO_REGION, f, pop, st, ok)
            for slug, name, region, f, pop, st, ok in rows]  # fmt: skip


def parse_filters(args: Mapping[str, str], available: Sequence[dt.date],
                  all_cities: Sequence[City]) -> Filters:  # fmt: skip
    """The comparison's query string, checked; anything malformed is a BadFilter."""
    raw_month = (args.get("month") or "").strip()
    if raw_month:
        try:
            month = dt.datetime.strptime(raw_month, "%Y-%m").date()
        except ValueError:
            raise BadFilter("월은 YYYY-MM 형식으로 적으세요 (예: 2026-10)") from None
        if month not in available:
            raise BadFilter(f"{raw_month}의 집계가 없습니다")
    elif available:
        # The last complete month: this month's figures are still growing.
        this = today().replace(day=1)
        month = available[1] if available[0] >= this and len(available) > 1 else available[0]
    else:
        month = today().replace(day=1)
    region = (args.get("region") or "").strip() or None
    if region and region not in {c.region for c in all_cities}:
        raise BadFilter("알 수 없는 지역입니다")
    fld = (args.get("field") or "").strip() or None
    if fld and fld not in PILOT_FIELDS:
        raise BadFilter("분야는 elderly, disabled, mental_illness 중 하나입니다")
    band = (args.get("band") or "").strip() or None
    if band and band not in BANDS:
        raise BadFilter("규모는 small, medium, large 중 하나입니다")
    sort = (args.get("sort") or "name").strip()
    if sort not in ("name", "region", *metrics.TABLE):
        raise BadFilter("정렬할 수 없는 열입니다")
    direction = (args.get("dir") or "asc").strip()
    if direction not in ("asc", "desc"):
        raise BadFilter("정렬 방향은 asc 또는 desc입니다")
    return Filters(month, region, fld, band, sort, direction == "desc")


def _values(s: Session, month: dt.date, scope: str, keys: Sequence[str],
            metric_keys: Sequence[str]) -> dict[str, dict[str, tuple[float | None, str | None]]]:  # fmt: skip
    out: dict[str, dict[str, tuple[float | None, str | None]]] = {k: {} for k in keys}
    if not keys:
        return out
    for key, metric, shown, mark in s.execute(
        sa.select(MinistryPublished.key, MinistryPublished.metric, MinistryPublished.shown,
                  MinistryPublished.mark)
        .where(MinistryPublished.month == month, MinistryPublished.scope == scope,
               MinistryPublished.key.in_(keys), MinistryPublished.metric.in_(metric_keys))
    ):  # fmt: skip
        out[key][metric] = (shown, mark)
    return out


def comparison(s: Session, f: Filters, all_cities: Sequence[City]) -> Table:
    chosen = [c for c in all_cities if (not f.region or c.region == f.region)
              and (not f.field or c.field == f.field) and (not f.band or c.band == f.band)]  # fmt: skip
    values = _values(s, f.month, "city", [c.slug for c in chosen], metrics.TABLE)
    rows = [(c, values[c.slug]) for c in chosen]
    if f.sort == "name":
        rows.sort(key=lambda r: r[0].name, reverse=f.desc)
    elif f.sort == "region":
        rows.sort(key=lambda r: (r[0].region, r[0].name), reverse=f.desc)
    else:
        known = [r for r in rows if r[1].get(f.sort, (None, None))[0] is not None]
        unknown = [r for r in rows if r[1].get(f.sort, (None, None))[0] is None]
        known.sort(key=lambda r: r[1][f.sort][0] or 0, reverse=f.desc)
        rows = known + sorted(unknown, key=lambda r: r[0].name)  # withheld values last
    table = Table(f, metrics.TABLE, rows)
    # Totals only for the fixed groups suppression protected: the region chosen, the nation.
    if f.region:
        table.totals.append((f"{f.region} 합계", _values(s, f.month, "region", [f.region],
                                                         metrics.TABLE)[f.region]))  # fmt: skip
    table.totals.append(
        ("전국 합계", _values(s, f.month, "nation", [NATION], metrics.TABLE)[NATION])
    )
    return table


def series(s: Session, scope: str, key: str, metric: str,
           months_: Sequence[dt.date]) -> list[tuple[float | None, str | None]]:  # fmt: skip
    got = {m: (shown, mark) for m, shown, mark in s.execute(
        sa.select(MinistryPublished.month, MinistryPublished.shown, MinistryPublished.mark)
        .where(MinistryPublished.scope == scope, MinistryPublished.key == key,
               MinistryPublished.metric == metric, MinistryPublished.month.in_(months_)))}  # fmt: skip
    return [got.get(m, (None, "nodata")) for m in months_]


def peers(all_cities: Sequence[City], city: City, k: int = 8) -> list[City]:
    """The cities nearest in residents aged 65+ (the same band first), the city excluded."""
    if city.population_65 is None:
        return []
    others = [c for c in all_cities if c.slug != city.slug and c.population_65 is not None]
    pop = city.population_65
    others.sort(key=lambda c: (c.band != city.band, abs((c.population_65 or 0) - pop)))
    return others[:k]


def peer_median(s: Session, group: Sequence[City], metric: str,
                months_: Sequence[dt.date]) -> list[tuple[float | None, str | None]]:  # fmt: skip
    """The peers' median per month over the values they publish (withheld ones left out; a
    median needs three published values, so no single peer's value shows through)."""
    if not group:
        return [(None, "nodata") for _ in months_]
    by_month: dict[dt.date, list[float]] = {m: [] for m in months_}
    for m, shown in s.execute(
        sa.select(MinistryPublished.month, MinistryPublished.shown).where(
            MinistryPublished.scope == "city", MinistryPublished.metric == metric,
            MinistryPublished.key.in_([c.slug for c in group]),
            MinistryPublished.month.in_(months_), MinistryPublished.shown.is_not(None))
    ):  # fmt: skip
        by_month[m].append(shown)
    return [(round(median(v), 1), None) if len(v) >= 3 else (None, "nodata")
            for v in (by_month[m] for m in months_)]  # fmt: skip


def fmt(value: float | None, mark: str | None, unit: str = "") -> str:
    """A published value as the page and the exports show it."""
    if mark:
        return MARKS.get(mark, mark)
    if value is None:
        return "—"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def city_row(values: Mapping[str, tuple[float | None, str | None]], key: str) -> str:
    m = metrics.ALL[key]
    return fmt(*values.get(key, (None, "nodata")), m.unit)


def describe(f: Filters) -> dict[str, Any]:
    """The filters as the access log keeps them (no person, only what was compared)."""
    return f.args()
