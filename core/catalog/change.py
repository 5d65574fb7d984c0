"""What changed between two versions of a sector's curriculum: definitions added, removed or
renamed (same id, another name). A pure function: the store keeps each pinned version's
definitions and asks it when a coordinator looks at moving a cohort to the installed one."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.definitions import Sector

KINDS = {
    "competency": "compétence",
    "gesture": "geste",
    "evaluation": "épreuve",
    "module": "module",
}


@dataclass(frozen=True)
class Change:
    kind: str  # competency, gesture, evaluation, module
    id: str
    what: str  # added, removed, renamed
    name: str  # the new name (the old one for a removal)
    old_name: str | None = None

    @property
    def label(self) -> str:
        kind = KINDS[self.kind]
        if self.what == "added":
            return f"{kind} ajouté·e : {self.name}"
        if self.what == "removed":
            return f"{kind} retiré·e : {self.name} ({self.id})"
        return f"{kind} renommé·e : « {self.old_name} » devient « {self.name} »"


def _names(sector: Sector) -> dict[str, dict[str, str]]:
    return {
        "competency": {c.id: c.name for c in sector.competencies},
        "gesture": {g.id: g.name for g in sector.gestures},
        "evaluation": {e.id: e.name for e in sector.evaluations},
        "module": {m.id: m.name for m in sector.curriculum.modules},
    }


def compare(old: Sector, new: Sector) -> list[Change]:
    """Every definition added, removed or renamed from ``old`` to ``new``, by kind then id."""
    changes = []
    before, after = _names(old), _names(new)
    for kind in KINDS:
        was, now = before[kind], after[kind]
        for definition in sorted(was.keys() | now.keys()):
            if definition not in was:
                changes.append(Change(kind, definition, "added", now[definition]))
            elif definition not in now:
                changes.append(Change(kind, definition, "removed", was[definition]))
            elif was[definition] != now[definition]:
                changes.append(
                    Change(kind, definition, "renamed", now[definition], was[definition])
                )
    return changes
