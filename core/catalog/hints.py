"""How a designer's mistake is said: at the field at fault (``At``: a definition's own check
points at its line, not the definition's), each value once (``require_unique``), with the
nearest valid word (« vouliez-vous dire … ? »), accents and case set aside (« validé » for
« valide »), else the list of what is valid."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def folded(word: str) -> str:
    """Without accents nor case: « Validé » and « valide » fold alike."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    options = list(candidates)
    same = [c for c in options if folded(c) == folded(word) and c != word]
    if same:
        return f"vouliez-vous dire « {same[0]} » ?"
    by_fold = {folded(c): c for c in options}
    close = difflib.get_close_matches(folded(word), list(by_fold), n=1, cutoff=0.6)
    if close and by_fold[close[0]] != word:
        return f"vouliez-vous dire « {by_fold[close[0]]} » ?"
    return None


def one_of(word: str, candidates: Iterable[str]) -> str:
    """The nearest candidate, or, when none is near, every valid one."""
    options = list(candidates)
    return did_you_mean(word, options) or "valeurs possibles : " + ", ".join(
        f"« {c} »" for c in options
    )


class At(ValueError):
    """A definition's own check failed on one of its fields: the French message, the field's
    path under the definition (so the loader points at its line, not the definition's), and
    a suggestion."""

    def __init__(self, path: tuple[str | int, ...], message: str, hint: str | None = None):
        super().__init__(message)
        self.path, self.hint = path, hint


def require_unique(items: str, key: str, what: str, values: list[str]) -> None:
    """Each value once: the second occurrence is pointed at, with where the first one is."""
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise At(
                (items, index, key),
                f"{what} « {value} » répétée (déjà n° {seen[value] + 1} de la liste)",
                "chacune doit être unique : renommez l'une des deux",
            )
        seen[value] = index
