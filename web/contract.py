"""What the OpenAPI schema promises, in one place: every status a route may answer and the
one shape of a refusal, so the schema tells the truth (schemathesis checks it against the
running app: tests/test_api_fuzz.py).

The JSON API answers refusals as ``{"detail": "…", "field": …}`` (a French sentence, the
field it is about when there is one) and a malformed body as ``{"detail": [{field, message,
loc}]}``. Pages answer HTML, redirect after a form (303), and say refusals in a French page.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# The idempotency key of a write: the same key sent again stores nothing new.
Key = Field(min_length=8, max_length=80, description="Idempotency key of this submit")


class Saved(BaseModel):
    """What a write answers: the stored row, and whether this call stored it."""

    id: int
    created: bool = Field(description="false: this key was sent before; nothing new stored")


def saved(recorded: Any, **more: Any) -> dict[str, Any]:
    """A write's answer (``Saved``), with what the route adds to it."""
    return {"id": recorded.id, "created": recorded.created, **more}


class Refusal(BaseModel):
    """Nothing was done; why, in French (and the field it is about, when there is one)."""

    detail: str
    field: str | None = None


class FieldProblem(BaseModel):
    field: str = Field(description="The field's name")
    message: str = Field(description="What is wrong with it, in French")
    loc: list[str | int] = Field(description="Where it is: body, query or path, then names")


class FieldRefusals(BaseModel):
    """The request itself was malformed: each field's problem."""

    detail: list[FieldProblem]


def _refusal(description: str) -> dict[str, Any]:
    return {"model": Refusal, "description": description}


API_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _refusal("Refused by a rule (the store's checks, a policy): nothing stored"),
    401: _refusal("Not signed in"),
    403: _refusal("Signed in, but this role may not do it (or the CSRF token is missing)"),
    404: _refusal("No such row, or not within the user's schools"),
    409: _refusal("In conflict with what is stored (e.g. a closed cohort)"),
    410: _refusal("Withdrawn or expired"),
    413: _refusal("Body over the size limit"),
    422: {"model": FieldRefusals, "description": "A field is missing or malformed"},
    429: _refusal("Too many attempts: wait a quarter of an hour"),
}

_HTML: dict[str, Any] = {"content": {"text/html": {}}}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "Done: on to the next page (POST-redirect-GET), or to the login page"},
    400: {**_HTML, "description": "Refused: the page again, the reason beside the field"},
    401: {"description": "Session expired (htmx): HX-Redirect to the login page"},
    403: {**_HTML, "description": "Not allowed for this role, or the CSRF token is missing"},
    404: {**_HTML, "description": "No such page, or not within the user's schools"},
    409: {**_HTML, "description": "In conflict with what is stored"},
    410: {**_HTML, "description": "Withdrawn or expired link"},
    413: {"description": "Body over the size limit"},
    429: {**_HTML, "description": "Too many attempts"},
}


def produces(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """A route answering something else than HTML (a PDF, a photo, an archive, JSON)."""
    return {200: {"content": {media: {} for media in media_types}, "description": "The file"}}


def served_as(types: str | tuple[str, ...], description: str) -> dict[int | str, Any]:
    """A route that answers a file, not a page: its 200's content types, as the schema
    promises them (an image was documented as text/html)."""
    listed = (types,) if isinstance(types, str) else types
    return {200: {"description": description, "content": {kind: {} for kind in listed}}}
