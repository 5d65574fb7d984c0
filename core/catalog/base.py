"""The building blocks every definition shares: dotted ids, keys, text, and the base models
(strict about unknown fields, frozen). Kept apart so that a definition's module of its own
(``core.catalog.positioning``) and ``core.catalog.definitions`` import them alike."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# A dotted id: lower-case words joined by dots, at least two parts (``fibre.splice``).
ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)+$"
DottedId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=120)]
# A single-word key local to its parent (a level code, a criterion, a measurement key).
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Frozen(BaseModel):
    """An immutable value (derived records, booklet lines): compared and hashed by content."""

    model_config = ConfigDict(frozen=True)


class Definition(BaseModel):
    """Base of every definition: frozen, strict about unknown fields (typos are errors)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
