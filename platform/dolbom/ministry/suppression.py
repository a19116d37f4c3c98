"""Small-cell suppression for the ministry's cross-city counts.

A count from 1 to 4 is never published ("<5"). Because totals are published too, hiding the
small count alone is not enough: a published total minus its published parts gives it back. So
further cells are hidden ("×", complementary suppression) until no hidden value can be worked
out from what is published, whatever an outsider does with the published relations.

The model of the outsider (conservative, see `suppress`):

* they know every published value exactly and every relation "total = Σ parts" we were given;
* they know a "<5" cell lies in 1..4;
* they know a "×" cell is at least 5. Complementary cells are published counts of 5 or more
  (zeros are never hidden, 1..4 are already "<5"), so this is true, and stronger than "any
  non-negative integer". One exception: when "<5" itself gives cells away — a "<5" total of 4
  over four "<5" parts makes every part 1 — nothing published is left to hide, and that 4 is
  shown as "×" instead; for such a cell the outsider is assumed to know only that it is not 0;
* they know nothing about a cell with no data, beyond what the relations imply.

Not modelled, as in cell suppression generally: reasoning about why this procedure picked the
cells it picked.

The check is not interval reasoning but a witness per hidden cell: a second assignment of all
hidden cells, within those bounds and satisfying every relation, in which the cell differs.
Such a witness proves the value cannot be recovered — by subtraction, by pinning at a bound
("two <5 cells whose residual is 2 are both 1"), or by combining many relations (in a two-way
table, rows minus columns can isolate a cell that every single relation leaves loose; bound
propagation per relation would miss that). Witnesses are small integer changes that balance
every relation they touch, found by a bounded search; a cell without one gets another cell
hidden next to it, and the search runs again until every hidden cell has a witness.

Pure: no I/O, no clock, deterministic for a given input order. (It does pause the cyclic
garbage collector while it runs: see `suppress`.)"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

K = TypeVar("K", bound=Hashable)

THRESHOLD: Final = 5
PRIMARY: Final = "<5"
COMPLEMENTARY: Final = "×"
NODATA: Final = "nodata"

RULE_TEXT: Final = (
    '1~4인 값은 "<5"로 표시하고, 합계나 차이로 역산되지 않도록 함께 가린 값은 "×"로 '
    "표시합니다. 가린 값으로 계산한 비율도 표시하지 않습니다. "
    '자료가 없는 달은 "자료 없음"으로 표시합니다.'
)


@dataclass(frozen=True)
class Cell:
    """One published figure: the true count, what may be shown, and why not when it may not."""

    value: int | None  # the true count (None = no data for that cell: a month without a rollup)
    shown: int | None  # what may be published: the count, or None when suppressed or no data
    mark: str | None  # None (published as is), "<5" (primary: 1–4), "×" (complementary), "nodata"


# Variable kinds. A variable is a cell, or the unknown remainder of a relation with no-data parts.
_FIXED, _PRIMARY, _COMP, _SLACK = range(4)
_UNBOUNDED: Final = 1 << 62  # a "×" cell has no upper bound an outsider could know
# Search steps per witness. Generous for the relations a page publishes (short cycles through a
# few relations); when exhausted the cell merely counts as unprotected and more is hidden, so the
# limit can cost information, never safety.
_BUDGET: Final = 400


class _Solver:
    """The relations as rows of ±1 coefficients over variables, and the suppression state."""

    def __init__(self, counts: list[int | None]) -> None:
        # No data counts as 0 here: such a cell is never hidden and sits in no relation.
        self.value: list[int] = [0 if v is None else v for v in counts]
        self.kind: list[int] = [_FIXED] * len(counts)
        self.lo: list[int] = list(self.value)
        self.hi: list[int] = list(self.value)
        self.rows: list[tuple[int, list[int]]] = []  # (total, parts): total = Σ parts
        self.movable: list[list[tuple[int, int]]] = []  # members an outsider does not know
        self.var_rows: list[list[tuple[int, int]]] = [[] for _ in counts]  # (row, coefficient)
        self.added: list[int] = []  # newly hidden variables, drained by the caller
        self.cands: dict[int, list[tuple[int, int]]] = {}
        self.stuck: dict[int, tuple[int, int]] = {}  # row -> (dead ends, imbalance) per search
        self.done: list[bool] = []  # variables with a witness
        # The witness search under way: the change so far, and Σ coefficient × change for
        # each row it leaves off balance (balanced rows are dropped).
        self.delta: dict[int, int] = {}
        self.unbalanced: dict[int, int] = {}
        self.budget = 0

    def add_row(self, total: int, parts: list[int], remainder: int) -> None:
        """total = Σ parts (+ remainder, an unknown ≥ 0 standing for parts with no data).

        Zero parts are left out: they are never hidden, and a known 0 adds nothing."""
        r = len(self.rows)
        value, var_rows = self.value, self.var_rows
        plus, minus = (r, 1), (r, -1)  # shared: rows are built for every count, keep it lean
        var_rows[total].append(plus)
        kept = [p for p in parts if value[p]]
        for p in kept:
            var_rows[p].append(minus)
        movable = []
        if remainder:
            slack = len(value)
            value.append(remainder)
            self.kind.append(_SLACK)
            self.lo.append(0)
            self.hi.append(_UNBOUNDED)
            var_rows.append([minus])
            kept.append(slack)
            movable.append((slack, -1))
        self.rows.append((total, kept))
        self.movable.append(movable)

    def hide(self, v: int, kind: int) -> None:
        """Hide `v` as "<5" (1..4 to an outsider) or "×" (5 or more)."""
        self.kind[v] = kind
        self.lo[v], self.hi[v] = (1, THRESHOLD - 1) if kind == _PRIMARY else (THRESHOLD, _UNBOUNDED)
        for r, c in self.var_rows[v]:
            self.movable[r].append((v, c))
        self.added.append(v)

    def widen(self, v: int) -> None:
        """Show a hidden count below 5 as "×" rather than "<5": its upper bound is gone.

        Its lower bound stays 1: zeros are never hidden, so an outsider knows a "×" is not 0."""
        self.kind[v] = _COMP
        self.hi[v] = _UNBOUNDED

    # -- choosing a complementary cell -------------------------------------------------------

    def candidates(self, r: int) -> list[tuple[int, int]]:
        """Row `r`'s cells that could be hidden, best first: (variable, coefficient).

        The smallest non-zero published part loses least; the total only when no part is left.
        Zeros never: they identify no one, and the outsider model takes a "×" to be ≥ 5.
        Cached: cells only ever go from published to hidden, so filtering by kind at use keeps
        the list right."""
        got = self.cands.get(r)
        if got is None:
            total, parts = self.rows[r]
            ranked = sorted((self.value[j], j) for j in parts if self.kind[j] == _FIXED)
            got = [(j, -1) for v, j in ranked if v]
            if self.value[total]:
                got.append((total, 1))
            self.cands[r] = got
        return [(j, cj) for j, cj in got if self.kind[j] == _FIXED]

    def choose(self, r: int, needs: Sequence[int]) -> int | None:
        """The cell of row `r` to hide next, given the imbalances it should be able to absorb.

        A cell that can absorb one comes first: a "×" part of exactly 5 cannot go down (the
        outsider knows it is ≥ 5), so hiding it beside a "<5" of 1 would leave both pinned and
        cost a second cell anyway."""
        ranked = self.candidates(r)
        for j, cj in ranked:
            if any(self.value[j] - m * cj >= THRESHOLD for m in needs):
                return j
        return ranked[0][0] if ranked else None

    def needs(self, v: int, cv: int) -> list[int]:
        """Imbalances a ±1 move of `v` (within its bounds) makes in a row where its coef is cv."""
        return [cv * d for d in (1, -1) if self.lo[v] <= self.value[v] + d <= self.hi[v]]

    def close_lonely(self, rows: Iterable[int]) -> None:
        """Hide cells until no row has exactly one hidden cell (plain subtraction)."""
        todo = deque(rows)
        while todo:
            r = todo.popleft()
            mov = self.movable[r]
            if len(mov) != 1 or self.kind[mov[0][0]] == _SLACK:
                continue
            v, cv = mov[0]
            j = self.choose(r, self.needs(v, cv))
            if j is None:  # every other member is zero: then v is zero too, never hidden
                continue
            self.hide(j, _COMP)
            todo.extend(rr for rr, _ in self.var_rows[j])

    def extend(self, v: int) -> bool:
        """`v` has no witness: hide one more cell where the search got stuck."""
        lo, hi, val = self.lo, self.hi, self.value

        def absorbs(r: int, cv: int) -> bool:
            # Can another hidden member of r take up a ±1 move of v, looking at r alone?
            return any(
                lo[j] <= val[j] - m * cj <= hi[j]
                for j, cj in self.movable[r]
                if j != v
                for m in self.needs(v, cv)
            )

        own = sorted(
            self.var_rows[v], key=lambda rc: (absorbs(*rc), len(self.movable[rc[0]]), rc[0])
        )
        # First a row of v's that blocks it on its own (v alone, or the pinning trap), then the
        # rows where the witness search ran out of moves, most often hit first.
        order = [(r, self.needs(v, cv)) for r, cv in own if not absorbs(r, cv)]
        hits = sorted(self.stuck.items(), key=lambda item: -item[1][0])  # stable: first seen
        order += [(r, [m]) for r, (_count, m) in hits]
        order += [(r, self.needs(v, cv)) for r, cv in own]
        for r, needs in order:
            j = self.choose(r, needs)
            if j is not None:
                self.hide(j, _COMP)
                return True
        # Nothing published is left to hide there, so what pins v is what "<5" itself says:
        # a total of 4 over four parts of 1 is all ones to anyone who knows "<5" means 1..4.
        # Hiding more cannot help; showing that 4 as "×" (no upper bound known) does.
        for j in [v] + [j for r, _needs in order for j, _cj in self.movable[r]]:
            if self.kind[j] == _PRIMARY and self.value[j] == self.hi[j]:
                self.widen(j)
                return True
        # Still nothing: look outward, breadth-first over the rows of hidden cells near v.
        seen_rows = {r for r, _ in own}
        seen_vars = {v}
        frontier = [r for r, _ in own]
        while frontier:
            nxt: list[int] = []
            for r in frontier:
                for j, _ in self.movable[r]:
                    if j not in seen_vars:
                        seen_vars.add(j)
                        for r2, _ in self.var_rows[j]:
                            if r2 not in seen_rows:
                                seen_rows.add(r2)
                                nxt.append(r2)
            nxt.sort(key=lambda r: (len(self.movable[r]), r))
            for r in nxt:
                j = self.choose(r, ())
                if j is not None:
                    self.hide(j, _COMP)
                    return True
            frontier = nxt
        return False

    # -- witnesses ---------------------------------------------------------------------------

    def witness(self, start: int) -> list[int] | None:
        """Variables changed by some other feasible assignment that changes `start`, or None.

        Depth-first over changes of ±1 (or what a row needs): take the unbalanced row with
        fewest ways out, try each way. Rows the search got stuck in are noted in `stuck`."""
        self.stuck.clear()
        self.budget = _BUDGET
        for d in (1, -1):
            if self.lo[start] <= self.value[start] + d <= self.hi[start]:
                self.delta = {start: d}
                self.unbalanced = {}
                self.move(start, d)
                if self.balance():
                    return list(self.delta)
        return None

    def move(self, j: int, step: int) -> None:
        """Change `j` by `step` in the open assignment: its rows' balances follow."""
        unbalanced = self.unbalanced
        for r, c in self.var_rows[j]:
            m = unbalanced.get(r, 0) + c * step
            if m:
                unbalanced[r] = m
            else:
                del unbalanced[r]

    def note(self, r: int, m: int) -> None:
        count, first_m = self.stuck.get(r, (0, m))
        self.stuck[r] = (count + 1, first_m)

    def balance(self) -> bool:
        """Balance the open rows, or say it cannot be done from here."""
        delta, unbalanced = self.delta, self.unbalanced
        if not unbalanced:
            return True  # every row balances: a witness
        lo, hi, val, movable, var_rows = self.lo, self.hi, self.value, self.movable, self.var_rows
        best_row, best_n = -1, 1 << 30
        if len(unbalanced) == 1:  # nothing to compare: its options are counted below
            best_row = next(iter(unbalanced))
        for r, m in unbalanced.items() if best_row < 0 else ():
            n = 0
            for j, cj in movable[r]:
                if j not in delta and lo[j] <= val[j] - m * cj <= hi[j]:
                    n += 1
                    if n >= best_n:  # not a dead end, and no better than the best so far
                        break
            if not n:  # a dead end: hiding a cell here is what would help
                self.note(r, m)
                return False
            if n < best_n:
                best_row, best_n = r, n
        m = unbalanced[best_row]
        done = self.done
        options: list[tuple[int, bool, int, int]] = []
        for j, cj in movable[best_row]:
            step = -m * cj
            if j in delta or not lo[j] <= val[j] + step <= hi[j]:
                continue
            # Prefer moves that leave fewest other rows unbalanced (close the cycle soon), then
            # cells with no witness yet (one search then serves more cells).
            left = closed = 0
            for r2, c2 in var_rows[j]:
                m2 = unbalanced.get(r2, 0)
                if r2 == best_row or m2 + c2 * step == 0:
                    closed += m2 != 0
                else:
                    left += 1
            if not left and closed == len(unbalanced):  # it balances every row: done
                delta[j] = step
                self.move(j, step)
                return True
            options.append((left, done[j], j, step))
        options.sort()
        for _left, _done, j, step in options:
            self.budget -= 1
            if self.budget < 0:
                return False
            delta[j] = step
            self.move(j, step)
            if self.balance():
                return True
            self.move(j, -step)
            del delta[j]
        # Every way out of this row failed (or there was none): a cell hidden here helps.
        self.note(best_row, m)
        return False

    def protect(self, n_cells: int) -> None:
        """Hide until every hidden cell has a witness.

        Terminates: each round without a witness hides or widens a cell. A witness stays one
        when more is hidden (old assignments remain feasible), so each cell needs only one."""
        pending = deque(v for v in range(n_cells) if self.kind[v] in (_PRIMARY, _COMP))
        self.added.clear()
        done = self.done = [False] * len(self.value)
        while pending:
            v = pending.popleft()
            if done[v]:
                continue
            found = self.witness(v)
            if found is not None:
                for j in found:  # the same assignment is a witness for every cell it moves
                    done[j] = True
                continue
            if not self.extend(v):
                # Everything around v hidden and still no witness: not seen for consistent
                # counts (the property tests look for it); leave v rather than loop.
                continue
            self.close_lonely(r for j in self.added for r, _ in self.var_rows[j])
            pending.appendleft(v)
            pending.extend(self.added)
            self.added.clear()


def suppress(
    values: Mapping[K, int | None], groups: Iterable[tuple[K, Sequence[K]]]
) -> dict[K, Cell]:
    """Mark every cell of `values` as published, "<5", "×" or "nodata".

    `values` holds every count that will be published, totals included; `groups` every
    relation "total == sum(parts)" an outsider can use (hierarchies, breakdowns, both margins
    of a two-way table; they may overlap freely). Keys are any hashables; the result follows
    the order of `values`, and the same input gives the same marks.

    Zeros are published: a zero says nobody, which identifies no one. Outsider knowledge
    assumed (see the module docstring): "<5" is 1..4, "×" is ≥ 5 — stronger than "any
    non-negative integer", so safe under either — except a "×" on a count below 5 (only where
    "<5" would itself give cells away), known only to be ≥ 1. The guarantee: for every hidden
    cell there is another assignment of all hidden cells, consistent with every published
    value, every relation and those bounds, in which that cell has a different value.

    No data (None) is published as "nodata" and is not a number: a relation whose total is None
    constrains nothing and is skipped. Parts with no data are not simply skipped, since a total
    is often the sum of the parts that do have data, and then total − Σ(known parts) would give
    a hidden part back. So: when the known parts add up to the total, the relation holds
    without the missing parts and is used as such; when they fall short, the difference is an
    unknown non-negative remainder (the missing parts' share) that the outsider cannot see.

    Raises ValueError for a negative count, a key missing from `values`, a cell twice in one
    relation, or a relation the values do not satisfy — publishing around a false relation
    would protect against the wrong arithmetic, so better publish nothing."""
    # The work below allocates many small lists and tuples but makes no reference cycles, so
    # the cyclic collector has nothing to find — yet it would run several full passes over
    # the caller's whole heap meanwhile (a fifth of the time on a national month). Pause it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _suppress(values, groups)
    finally:
        if collecting:
            gc.enable()


def _suppress(
    values: Mapping[K, int | None], groups: Iterable[tuple[K, Sequence[K]]]
) -> dict[K, Cell]:
    """`suppress`, with the collector paused."""
    keys = list(values)
    counts = list(values.values())
    index = dict(zip(keys, range(len(keys)), strict=True))
    if min((v for v in counts if v is not None), default=0) < 0:
        bad = next(k for k, v in values.items() if v is not None and v < 0)
        raise ValueError(f"negative count for {bad!r}: {values[bad]}")
    solver = _Solver(counts)
    for total_key, part_keys in groups:
        try:
            t = index[total_key]
            parts = [index[p] for p in part_keys]
        except KeyError as e:
            raise ValueError(f"relation names a cell not in values: {e.args[0]!r}") from None
        distinct = set(parts)
        if t in distinct or len(distinct) != len(parts):
            raise ValueError(f"a cell appears twice in the relation for {total_key!r}")
        total = counts[t]
        if total is None:
            continue  # an unknown total constrains nothing
        got = [counts[p] for p in parts]
        remainder = 0
        if None in got:
            parts = [p for p, v in zip(parts, got, strict=True) if v is not None]
            remainder = total - sum(v for v in got if v is not None)
            if remainder < 0:
                raise ValueError(f"the parts of {total_key!r} add up to more than {total}")
        elif sum(got) != total:  # type: ignore[arg-type]  # no None left in got
            raise ValueError(f"the parts of {total_key!r} do not add up to {total}")
        if total:  # a zero total has only zero parts, never hidden: nothing to relate
            solver.add_row(t, parts, remainder)

    for i in [i for i, v in enumerate(counts) if v and v < THRESHOLD]:  # 1..4 (None is falsy)
        solver.hide(i, _PRIMARY)
    solver.close_lonely(range(len(solver.rows)))
    solver.protect(len(keys))

    # Cells are immutable, so equal ones are shared: most counts are small and repeat.
    published: dict[int | None, Cell] = {None: Cell(None, None, NODATA)}
    hidden: dict[tuple[int | None, int], Cell] = {}
    out: dict[K, Cell] = {}
    for k, v, kind in zip(keys, counts, solver.kind, strict=False):
        if kind == _FIXED:
            cell = published.get(v)
            if cell is None:
                cell = published[v] = Cell(v, v, None)
        else:
            cell = hidden.get((v, kind))
            if cell is None:
                mark = PRIMARY if kind == _PRIMARY else COMPLEMENTARY
                cell = hidden[(v, kind)] = Cell(v, None, mark)
        out[k] = cell
    return out


def rate(
    count: Cell, denominator: int | None, per: int = 1000, digits: int = 1
) -> tuple[float | None, str | None]:
    """`count` per `per` of `denominator`, rounded, with the mark that explains a gap.

    A rate on a hidden count is hidden with the count's mark: with a published denominator it
    would give the count straight back."""
    if count.mark in (PRIMARY, COMPLEMENTARY):
        return None, count.mark
    if count.value is None or count.shown is None:
        return None, NODATA
    if not denominator:  # None or 0: no population to divide by
        return None, NODATA
    return round(count.shown * per / denominator, digits), None


def suppressed_statistic(n: int | None, value: float | None) -> tuple[float | None, str | None]:
    """A statistic over `n` people (median days, share on time), published only when n ≥ 5.

    A median over one to four people is close to each one's own figure. Over nobody (n = 0)
    there is no statistic at all, which is "nodata" rather than a small count."""
    if n is None:
        return None, NODATA
    if n < 0:
        raise ValueError(f"negative number of people: {n}")
    if 0 < n < THRESHOLD:
        return None, PRIMARY
    if n == 0 or value is None:
        return None, NODATA
    return value, None
