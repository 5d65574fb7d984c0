"""What a trade's positioning at entry is made of (Qualiopi indicator 8): the gestures a
trainer watches in the first days, without scoring pressure, and the questions asked. A
curriculum that does not say takes the first gesture of each competency block
(``core.followup.positioning.diagnostic``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from core.catalog.base import Definition, DottedId, Key, Text
from core.catalog.hints import At, require_unique


class PositioningQuestion(Definition):
    """A question asked at entry, answered in a few words (« A déjà porté des charges ? »)."""

    key: Key
    label: Text


class Positioning(Definition):
    gestures: tuple[DottedId, ...] = Field(default=(), max_length=20)
    questions: tuple[PositioningQuestion, ...] = Field(default=(), max_length=20)

    @model_validator(mode="after")
    def _unique(self) -> Positioning:
        for index, gesture in enumerate(self.gestures):
            if gesture in self.gestures[:index]:
                first = self.gestures.index(gesture) + 1
                said = f"geste « {gesture} » répété (déjà n° {first} de la liste)"
                raise At(("gestures", index), said, "chaque geste une fois")
        require_unique("questions", "key", "clé de question", [q.key for q in self.questions])
        return self
