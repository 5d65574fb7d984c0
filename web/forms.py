"""Reading posted forms field by field, so that every problem is said in French beside its
field and nothing is stored (FastAPI's own validation can only answer for the whole form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.datastructures import FormData

from core.domain import RecordError
from core.french import school_day

Errors = dict[str, str]


def text(
    form: FormData, name: str, errors: Errors, *, limit: int = 200, required: bool = True
) -> str:
    value = str(form.get(name) or "").strip()
    if required and not value:
        errors[name] = "Champ obligatoire."
    elif len(value) > limit:
        errors[name] = f"{limit} caractères au plus."
    return value


def day(form: FormData, name: str, errors: Errors, *, default: dt.date | None = None) -> dt.date:
    """A date typed as AAAA-MM-JJ (what a date input sends); ``default`` when left blank."""
    raw = str(form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Date attendue (JJ/MM/AAAA)."
        return default or dt.date.today()


def whole(
    form: FormData, name: str, errors: Errors, *, low: int = 0, high: int = 2000
) -> int | None:
    """A whole number between ``low`` and ``high``; None when left blank."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = f"Nombre entier de {low} à {high} attendu."
        return None
    return int(raw)


def ids(form: FormData, name: str, errors: Errors) -> list[int]:
    values = [str(v) for v in form.getlist(name)]
    if not all(v.isdigit() and 0 < int(v) < 2**31 for v in values):
        errors[name] = "Choix non proposé."
        return []
    return [int(v) for v in values]


def refusal(error: RecordError, prefix: str = "") -> Errors:
    """The store's refusal, beside the field it is about (or above the form); ``prefix``:
    what the form puts before the field's name (``item:`` before a diagnostic's item)."""
    return {f"{prefix}{error.field}" if error.field else "": str(error)}


def today() -> dt.date:
    """The school's day now (Paris): what a date left blank means."""
    return school_day(dt.datetime.now(dt.UTC))


def values(form: FormData) -> dict[str, Any]:
    """What was typed, to fill the form again (never a password)."""
    return {k: str(v) for k, v in form.items() if k not in {"password", "password2", "csrf_token"}}


def period(du: dt.date | None, au: dt.date | None) -> tuple[dt.date, dt.date]:
    """A period asked in an address: the last twelve months by default; refused (400, in
    French) outside the years a school's record can hold, or upside down."""
    from fastapi import HTTPException

    end = au or today()
    if not dt.date(2000, 1, 1) <= end <= dt.date(2100, 12, 31):
        raise HTTPException(status_code=400, detail="Période : entre 2000 et 2100.")
    start = du or end - dt.timedelta(days=365)
    if not dt.date(2000, 1, 1) <= start <= end:
        raise HTTPException(status_code=400, detail="Période : le début avant la fin, après 2000.")
    return start, end
