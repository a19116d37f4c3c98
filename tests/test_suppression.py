"""Small-cell suppression: examples, and property tests against an exact brute force.

The brute force below is the outsider: it knows every published value, every relation, that
"<5" is 1..4 and that "×" is at least 5 (at least 1 for a count below 5 shown as "×"), and
searches exhaustively for assignments of the hidden cells. It shares no reasoning with the
module (which looks for witnesses): it is a plain search with sound pruning, so "no other
assignment" here means none exists."""

from __future__ import annotations

import random
import time
from collections.abc import Hashable, Sequence

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dolbom.ministry.suppression import RULE_TEXT, Cell, rate, suppress, suppressed_statistic

Groups = list[tuple[Hashable, Sequence[Hashable]]]
Values = dict[Hashable, int | None]

# -- the outsider's brute force ---------------------------------------------------------------

Var = Hashable
Terms = list[tuple[Var, int]]


def _outsider(values: Values, groups: Groups, cells: dict[Hashable, Cell]):  # type: ignore[no-untyped-def]
    """What an outsider knows: bounds per unknown, and equations Σ coef·x = const."""
    # An outsider knows no upper bound for "×"; a cap only removes solutions, so the check is
    # stricter with it, and the search stays finite.
    cap = max((v for v in values.values() if v is not None), default=0) + 5
    bounds: dict[Var, tuple[int, int]] = {}
    for k, cell in cells.items():
        if cell.mark == "<5":
            bounds[k] = (1, 4)
        elif cell.mark == "×":
            # ≥ 5 is what a "×" promises; a count below 5 shown as "×" only says "not 0".
            value = values[k]
            assert value is not None
            bounds[k] = (5 if value >= 5 else 1, cap)
    equations: list[tuple[Terms, int]] = []
    for n, (total, parts) in enumerate(groups):
        if values[total] is None:
            continue
        terms: Terms = []
        const = 0
        for key, coef in [(total, 1), *((p, -1) for p in parts)]:
            if values[key] is None:
                continue
            if key in bounds:
                terms.append((key, coef))
            else:
                const -= coef * (cells[key].shown or 0)
        missing = [p for p in parts if values[p] is None]
        if missing:
            remainder = values[total] - sum(values[p] or 0 for p in parts)  # type: ignore[operator]
            if remainder:  # the parts with no data hide this much: an unknown ≥ 0
                bounds[("remainder", n)] = (0, cap)
                terms.append((("remainder", n), -1))
        equations.append((terms, const))
    return bounds, equations


class _TooLarge(Exception):
    pass


def _solvable(
    bounds: dict[Var, tuple[int, int]], equations: list[tuple[Terms, int]], budget: list[int]
) -> bool:
    """Is there an integer assignment within `bounds` satisfying every equation? Exhaustive.

    `budget` counts search nodes down; running out raises rather than guess either way (a
    proof that no assignment exists can take long when suppression went wrong)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    lo = {v: b[0] for v, b in bounds.items()}
    hi = {v: b[1] for v, b in bounds.items()}
    # Prune: each equation bounds each of its unknowns by the others' ranges (sound, so the
    # search below stays exact), to a fixpoint.
    changed = True
    while changed:
        changed = False
        for terms, const in equations:
            low = sum(c * (lo[v] if c > 0 else hi[v]) for v, c in terms)
            high = sum(c * (hi[v] if c > 0 else lo[v]) for v, c in terms)
            if not low <= const <= high:
                return False
            for v, c in terms:
                rest_low = low - c * (lo[v] if c > 0 else hi[v])
                rest_high = high - c * (hi[v] if c > 0 else lo[v])
                a, b = const - rest_high, const - rest_low  # c·x lies in [a, b]
                new_lo, new_hi = (a, b) if c > 0 else (-b, -a)
                if new_lo > lo[v] or new_hi < hi[v]:
                    lo[v], hi[v] = max(lo[v], new_lo), min(hi[v], new_hi)
                    if lo[v] > hi[v]:
                        return False
                    changed = True
                    break
            if changed:
                break
    open_vars = [v for v in bounds if lo[v] < hi[v]]
    if not open_vars:
        return all(sum(c * lo[v] for v, c in terms) == const for terms, const in equations)
    v = min(open_vars, key=lambda u: hi[u] - lo[u])
    mid = (lo[v] + hi[v]) // 2
    narrowed = {u: (lo[u], hi[u]) for u in bounds}
    for half in ((lo[v], mid), (mid + 1, hi[v])):
        narrowed[v] = half
        if _solvable(narrowed, equations, budget):
            return True
    return False


def assert_protected(values: Values, groups: Groups, cells: dict[Hashable, Cell]) -> None:
    """Every hidden cell takes at least two values over the outsider's solutions."""
    assert list(cells) == list(values)
    for k, v in values.items():
        cell = cells[k]
        assert cell.value == v
        if v is None:
            assert (cell.shown, cell.mark) == (None, "nodata")
        elif cell.mark is None:
            assert cell.shown == v and not 1 <= v <= 4, (k, cell)
        else:
            assert cell.shown is None and cell.mark in ("<5", "×"), (k, cell)
            assert v >= 1, (k, cell)  # zeros are never hidden
            if cell.mark == "<5":
                assert v <= 4, (k, cell)
        if v is not None and 1 <= v <= 4:
            assert cell.mark in ("<5", "×"), (k, cell)
            if cell.mark == "×":  # only where "<5" gives a relation away with nothing to hide
                assert any(
                    k in (total, *parts)
                    and all(cells[x].shown in (0, None) for x in (total, *parts))
                    for total, parts in groups
                ), (k, cells)
    bounds, equations = _outsider(values, groups, cells)
    truth: dict[Var, tuple[int, int]] = {}
    for k in bounds:
        if k in values:
            v = values[k]
        else:  # a remainder: what the parts with no data hide
            total, parts = groups[k[1]]  # type: ignore[index]
            v = values[total] - sum(values[p] or 0 for p in parts)  # type: ignore[operator]
        assert v is not None
        truth[k] = (v, v)
    assert all(bounds[k][0] <= truth[k][0] <= bounds[k][1] for k in bounds)
    assert _solvable(truth, equations, [1]), "the true values are not a solution (sanity)"
    for k, cell in cells.items():
        if cell.mark not in ("<5", "×"):
            continue
        v = values[k]
        assert v is not None
        lo, hi = bounds[k]
        budget = [100_000]
        try:
            found = any(
                a <= b and _solvable({**bounds, k: (a, b)}, equations, budget)
                for a, b in ((lo, v - 1), (v + 1, hi))
            )
        except _TooLarge:
            pytest.fail(f"no other value for {k!r} found in 100000 steps: {cells}")
        assert found, f"{k!r} = {v} can be recovered: {cells}"


# -- examples -----------------------------------------------------------------------------------


def marks(cells: dict[Hashable, Cell]) -> dict[Hashable, str | None]:
    return {k: c.mark for k, c in cells.items()}


def test_one_small_cell_gets_a_complementary_cell() -> None:
    values: Values = {"a": 3, "b": 10, "c": 20, "total": 33}
    groups: Groups = [("total", ["a", "b", "c"])]
    cells = suppress(values, groups)
    # The smallest other part goes with it; the total and the rest stay published.
    assert marks(cells) == {"a": "<5", "b": "×", "c": None, "total": None}
    assert cells["c"] == Cell(20, 20, None)
    assert cells["a"] == Cell(3, None, "<5")
    assert_protected(values, groups, cells)


def test_two_small_cells_with_residual_two_are_not_left_pinned() -> None:
    # Published 7, 9 and 18 leave a + b = 2: both would be 1 to anyone.
    values: Values = {"a": 1, "b": 1, "c": 7, "d": 9, "total": 18}
    groups: Groups = [("total", ["a", "b", "c", "d"])]
    cells = suppress(values, groups)
    assert cells["a"].mark == cells["b"].mark == "<5"
    assert any(cells[k].mark == "×" for k in ("c", "d", "total"))
    assert_protected(values, groups, cells)


def test_two_small_cells_with_residual_eight_are_not_left_pinned() -> None:
    values: Values = {"a": 4, "b": 4, "c": 7, "d": 9, "total": 24}
    groups: Groups = [("total", ["a", "b", "c", "d"])]
    cells = suppress(values, groups)
    assert any(cells[k].mark == "×" for k in ("c", "d", "total"))
    assert_protected(values, groups, cells)


def test_a_small_cell_and_a_five_would_pin_each_other() -> None:
    # Hiding b (5) with a (1): a + b = 6, a ≥ 1, b ≥ 5 gives both away. c can move down.
    values: Values = {"a": 1, "b": 5, "c": 9, "total": 15}
    groups: Groups = [("total", ["a", "b", "c"])]
    cells = suppress(values, groups)
    assert marks(cells) == {"a": "<5", "b": None, "c": "×", "total": None}
    assert_protected(values, groups, cells)


def test_zeros_are_published() -> None:
    values: Values = {"a": 0, "b": 0, "c": 7, "total": 7}
    groups: Groups = [("total", ["a", "b", "c"])]
    assert marks(suppress(values, groups)) == dict.fromkeys(values)
    values = {"a": 0, "b": 2, "c": 9, "d": 12, "total": 23}
    cells = suppress(values, [("total", ["a", "b", "c", "d"])])
    assert cells["a"] == Cell(0, 0, None)
    assert cells["b"].mark == "<5" and cells["c"].mark == "×"


def test_a_relation_with_no_data_total_is_skipped() -> None:
    values: Values = {"a": 2, "b": 9, "total": None}
    groups: Groups = [("total", ["a", "b"])]
    cells = suppress(values, groups)
    assert marks(cells) == {"a": "<5", "b": None, "total": "nodata"}
    assert cells["total"] == Cell(None, None, "nodata")
    assert_protected(values, groups, cells)


def test_a_total_over_the_parts_with_data_still_protects_them() -> None:
    # The total counts only the cities that reported: 11 − 9 would give b away.
    values: Values = {"a": None, "b": 2, "c": 9, "total": 11}
    groups: Groups = [("total", ["a", "b", "c"])]
    cells = suppress(values, groups)
    assert cells["a"].mark == "nodata" and cells["b"].mark == "<5"
    assert cells["c"].mark == "×" or cells["total"].mark == "×"
    assert_protected(values, groups, cells)


def test_parts_with_no_data_leave_an_unknown_remainder() -> None:
    # 15 − 9 = 6 = b + (a's share, unknown): b is not determined, nothing else need go.
    values: Values = {"a": None, "b": 2, "c": 9, "total": 15}
    groups: Groups = [("total", ["a", "b", "c"])]
    cells = suppress(values, groups)
    assert marks(cells) == {"a": "nodata", "b": "<5", "c": None, "total": None}
    assert_protected(values, groups, cells)


def test_a_small_total_of_ones_is_shown_as_complementary() -> None:
    # Four "<5" parts and a "<5" total of 4: everyone knows each part is 1. Nothing published
    # is left to hide; only showing the total as "×" (no upper bound) protects the parts.
    values: Values = {"p1": 1, "p2": 1, "p3": 1, "p4": 1, "total": 4}
    groups: Groups = [("total", ["p1", "p2", "p3", "p4"])]
    cells = suppress(values, groups)
    assert marks(cells) == {"p1": "<5", "p2": "<5", "p3": "<5", "p4": "<5", "total": "×"}
    assert_protected(values, groups, cells)


def test_a_hierarchy_hides_a_second_city_and_keeps_totals() -> None:
    values: Values = {
        ("nation",): 60,
        ("region", 1): 30,
        ("region", 2): 30,
        ("city", 1, "a"): 2,
        ("city", 1, "b"): 12,
        ("city", 1, "c"): 16,
        ("city", 2, "d"): 30,
    }
    groups: Groups = [
        (("nation",), [("region", 1), ("region", 2)]),
        (("region", 1), [("city", 1, "a"), ("city", 1, "b"), ("city", 1, "c")]),
        (("region", 2), [("city", 2, "d")]),
    ]
    cells = suppress(values, groups)
    assert marks(cells) == {k: None for k in values} | {
        ("city", 1, "a"): "<5",
        ("city", 1, "b"): "×",
    }
    assert_protected(values, groups, cells)


def test_marks_are_deterministic_and_follow_the_input_order() -> None:
    values: Values = {("x", i, j): (i * 7 + j * 3) % 9 for i in range(4) for j in range(4)}
    groups: Groups = []
    for i in range(4):
        values[("row", i)] = sum(values[("x", i, j)] or 0 for j in range(4))
        groups.append((("row", i), [("x", i, j) for j in range(4)]))
    first = suppress(values, groups)
    assert list(first) == list(values)
    assert suppress(dict(values), list(groups)) == first
    assert_protected(values, groups, first)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="do not add up"):
        suppress({"a": 1, "b": 9, "t": 11}, [("t", ["a", "b"])])
    with pytest.raises(ValueError, match="negative"):
        suppress({"a": -1, "t": 0}, [])
    with pytest.raises(ValueError, match="not in values"):
        suppress({"a": 1, "t": 1}, [("t", ["a", "zz"])])
    with pytest.raises(ValueError, match="twice"):
        suppress({"a": 1, "t": 2}, [("t", ["a", "a"])])
    with pytest.raises(ValueError, match="more than"):
        suppress({"a": None, "b": 9, "t": 5}, [("t", ["a", "b"])])


def test_rates_on_hidden_or_missing_counts_are_hidden() -> None:
    assert rate(Cell(3, None, "<5"), 1200) == (None, "<5")
    assert rate(Cell(40, None, "×"), 1200) == (None, "×")
    assert rate(Cell(None, None, "nodata"), 1200) == (None, "nodata")
    assert rate(Cell(12, 12, None), None) == (None, "nodata")
    assert rate(Cell(12, 12, None), 0) == (None, "nodata")
    assert rate(Cell(12, 12, None), 3456) == (3.5, None)
    assert rate(Cell(0, 0, None), 3456) == (0.0, None)
    assert rate(Cell(7, 7, None), 9, per=100, digits=2) == (77.78, None)


def test_statistics_need_five_people() -> None:
    assert suppressed_statistic(None, 12.0) == (None, "nodata")
    assert suppressed_statistic(4, 12.0) == (None, "<5")
    assert suppressed_statistic(1, 12.0) == (None, "<5")
    assert suppressed_statistic(5, 12.0) == (12.0, None)
    assert suppressed_statistic(0, None) == (None, "nodata")
    assert suppressed_statistic(8, None) == (None, "nodata")


def test_rule_text_names_both_marks() -> None:
    assert '"<5"' in RULE_TEXT and '"×"' in RULE_TEXT and "자료 없음" in RULE_TEXT
    assert "비율" in RULE_TEXT


def synthetic(seed: int, cities: int = 230, regions: int = 17, families: int = 12):  # type: ignore[no-untyped-def]
    """A month for the whole country: 12 counts of 4 parts each (60 metrics), many small."""
    rnd = random.Random(seed)
    values: Values = {}
    groups: Groups = []
    metrics: list[str] = []
    breakdown: list[tuple[str, list[str]]] = []
    for f in range(families):
        parts = [f"m{f}.{p}" for p in range(4)]
        breakdown.append((f"m{f}", parts))
        metrics += [f"m{f}", *parts]
    size = [rnd.lognormvariate(1.0, 1.2) for _ in range(cities)]
    for c in range(cities):
        for total, parts in breakdown:
            for p in parts:
                values[(c, p)] = int(rnd.expovariate(1 / (size[c] * rnd.uniform(0.2, 2))))
            values[(c, total)] = sum(values[(c, p)] or 0 for p in parts)
    for m in metrics:
        for r in range(regions):
            members = [(c, m) for c in range(r, cities, regions)]
            values[(f"r{r}", m)] = sum(values[x] or 0 for x in members)
            groups.append(((f"r{r}", m), members))
        values[("nation", m)] = sum(values[(f"r{r}", m)] or 0 for r in range(regions))
        groups.append((("nation", m), [(f"r{r}", m) for r in range(regions)]))
    for e in [*range(cities), *(f"r{r}" for r in range(regions)), "nation"]:
        for total, parts in breakdown:
            groups.append(((e, total), [(e, p) for p in parts]))
    return values, groups


def test_a_national_month_is_fast() -> None:
    # The budget is 100 ms on a developer machine; this only catches a blow-up, not noise.
    values, groups = synthetic(1)
    started = time.perf_counter()
    cells = suppress(values, groups)
    assert time.perf_counter() - started < 2.0
    assert sum(c.mark == "<5" for c in cells.values()) > 1000


# -- properties -----------------------------------------------------------------------------

# Mostly small counts (with many 1..4, where the traps are), some larger.
small = st.integers(0, 12)
count = st.one_of(st.integers(0, 5), small, small, st.integers(13, 60))
PROPERTY = hypothesis_settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def one_level(draw: st.DrawFn) -> tuple[Values, Groups]:
    parts = draw(st.lists(st.one_of(count, count, count, count, st.none()), min_size=1, max_size=8))
    values: Values = {("p", i): v for i, v in enumerate(parts)}
    hidden_share = draw(st.integers(0, 6)) if None in parts else 0
    values[("total",)] = sum(v for v in parts if v is not None) + hidden_share
    return values, [(("total",), [("p", i) for i in range(len(parts))])]


@st.composite
def hierarchy(draw: st.DrawFn) -> tuple[Values, Groups]:
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    values: Values = {}
    groups: Groups = []
    for r, n in enumerate(shape):
        cities = [("city", r, c) for c in range(n)]
        for city in cities:
            values[city] = draw(st.one_of(count, count, count, count, count, st.none()))
        # A region's total is over the cities that reported (as the publication computes it).
        values[("region", r)] = sum(values[c] or 0 for c in cities)
        groups.append((("region", r), cities))
    regions = [("region", r) for r in range(len(shape))]
    values[("nation",)] = sum(values[r] or 0 for r in regions)
    groups.append((("nation",), regions))
    return values, groups


@st.composite
def two_way(draw: st.DrawFn) -> tuple[Values, Groups]:
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    values: Values = {("x", i, j): draw(count) for i in range(rows) for j in range(cols)}
    groups: Groups = []
    for i in range(rows):
        values[("row", i)] = sum(values[("x", i, j)] or 0 for j in range(cols))
        groups.append((("row", i), [("x", i, j) for j in range(cols)]))
    for j in range(cols):
        values[("col", j)] = sum(values[("x", i, j)] or 0 for i in range(rows))
        groups.append((("col", j), [("x", i, j) for i in range(rows)]))
    values[("all",)] = sum(values[("row", i)] or 0 for i in range(rows))
    groups.append((("all",), [("row", i) for i in range(rows)]))
    groups.append((("all",), [("col", j) for j in range(cols)]))
    return values, groups


@st.composite
def hierarchy_by_source(draw: st.DrawFn) -> tuple[Values, Groups]:
    """Cities in regions in a nation, each count broken down by source: cells in 3 relations."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    sources = [f"s{k}" for k in range(draw(st.integers(2, 3)))]
    values: Values = {}
    groups: Groups = []
    entities: list[Hashable] = []
    for r, n in enumerate(shape):
        cities = [("city", r, c) for c in range(n)]
        for city in cities:
            for s in sources:
                values[(city, s)] = draw(count)
            values[(city, "all")] = sum(values[(city, s)] or 0 for s in sources)
        for m in [*sources, "all"]:
            values[(("region", r), m)] = sum(values[(c, m)] or 0 for c in cities)
            groups.append(((("region", r), m), [(c, m) for c in cities]))
        entities += [*cities, ("region", r)]
    for m in [*sources, "all"]:
        regions = [(("region", r), m) for r in range(len(shape))]
        values[("nation", m)] = sum(values[x] or 0 for x in regions)
        groups.append((("nation", m), regions))
    for e in [*entities, "nation"]:
        groups.append(((e, "all"), [(e, s) for s in sources]))
    return values, groups


@PROPERTY
@given(one_level())
def test_one_level_tables_reveal_no_hidden_cell(table: tuple[Values, Groups]) -> None:
    values, groups = table
    assert_protected(values, groups, suppress(values, groups))


@PROPERTY
@given(hierarchy())
def test_hierarchies_reveal_no_hidden_cell(table: tuple[Values, Groups]) -> None:
    values, groups = table
    assert_protected(values, groups, suppress(values, groups))


@PROPERTY
@given(two_way())
def test_two_way_tables_reveal_no_hidden_cell(table: tuple[Values, Groups]) -> None:
    values, groups = table
    assert_protected(values, groups, suppress(values, groups))


@hypothesis_settings(PROPERTY, max_examples=300)
@given(hierarchy_by_source())
def test_hierarchies_by_source_reveal_no_hidden_cell(table: tuple[Values, Groups]) -> None:
    values, groups = table
    assert_protected(values, groups, suppress(values, groups))
