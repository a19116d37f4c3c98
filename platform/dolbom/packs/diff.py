"""How a pack differs from a tenant: item by item, field by field, in the order it would apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dolbom.packs.snapshot import AREAS, Snapshot

# Forms and rule sets are versioned and answers refer to them: a pack never removes them, it
# only adds or publishes new versions. Everything else a pack leaves out is removed.
KEEP_WHEN_MISSING = frozenset({"forms", "rules", "settings"})


@dataclass(frozen=True)
class Change:
    area: str
    key: str
    action: str  # add · change · remove · keep (only in the tenant, left as it is)
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field that differs."""
        old, new = self.before or {}, self.after or {}
        return [(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new))
                if old.get(k) != new.get(k)]  # fmt: skip


def diff(current: Snapshot, target: Snapshot) -> list[Change]:
    """What applying `target` to a tenant holding `current` would do."""
    changes: list[Change] = []
    for area in AREAS:
        have, want = current.areas[area], target.areas[area]
        for key, item in want.items():
            if key not in have:
                changes.append(Change(area, key, "add", None, item))
            elif have[key] != item:
                changes.append(Change(area, key, "change", have[key], item))
        for key, item in have.items():
            if key not in want:
                action = "keep" if area in KEEP_WHEN_MISSING else "remove"
                changes.append(Change(area, key, action, item, None))
    return changes


def effective(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.action != "keep"]


def summary(changes: list[Change]) -> dict[str, int]:
    counts = {"add": 0, "change": 0, "remove": 0, "keep": 0}
    for c in changes:
        counts[c.action] += 1
    return counts


def render_text(changes: list[Change]) -> str:
    """The difference for a terminal: one line per item, one indented line per field."""
    if not effective(changes):
        return "차이가 없습니다."
    sign = {"add": "+", "change": "~", "remove": "-", "keep": "="}
    lines: list[str] = []
    for c in changes:
        label = {"keep": "(팩에 없음, 그대로 둠)"}.get(c.action, "")
        lines.append(f"{sign[c.action]} {c.area}/{c.key} {label}".rstrip())
        if c.action == "change":
            for name, old, new in c.fields:
                lines.append(f"    {name}: {_short(old)} → {_short(new)}")
    counts = summary(changes)
    lines.append(
        f"추가 {counts['add']}, 변경 {counts['change']}, 삭제 {counts['remove']}"
        + (f", 팩에 없어 그대로 둠 {counts['keep']}" if counts["keep"] else "")
    )
    return "\n".join(lines)


def _short(value: Any, limit: int = 80) -> str:
    text = "없음" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
