"""JSON Schema of the plugin YAML files, generated from the models themselves so that it
cannot drift from what the loader accepts. Editors use it for completion and inline errors
(``# yaml-language-server: $schema=…``); ``gestes validate`` stays the judge, since
cross-references (a gesture's competency, a module's gestures) are beyond a schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from core.catalog.definitions import EmployerDocument, Sector

KINDS: dict[str, type[BaseModel]] = {"sector": Sector, "employers": EmployerDocument}


def file_schema(kind: str) -> dict[str, Any]:
    """The schema of one file of ``kind``. A sector is often split over several files
    (sector.yaml, gestures.yaml…), each holding some top-level keys, so none is required at
    the top; the parts' own required fields stay required."""
    schema = KINDS[kind].model_json_schema(mode="validation")
    schema.pop("required", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Gestes — {kind} file"
    return schema
