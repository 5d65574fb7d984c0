"""What a plugin adds to a skill booklet (see the ``gestes_booklet_sections`` hook).

Sections are structured data, not HTML: the booklet template lays them out, so a plugin
cannot break the print layout or inject markup.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SectionRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    cells: tuple[str, ...]
    ok: bool | None = None  # None: neutral; True/False: shown as conforming or not


class BookletSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1, max_length=120)
    intro: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[SectionRow, ...] = ()
    order: int = 100
