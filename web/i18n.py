"""UI languages: French (the source text of the templates) and English (a Babel catalog).

Templates are written in French, the language of the people who use Gestes, with
``{% trans %}`` / ``_()``; ``locale/en/LC_MESSAGES/messages.po`` translates them. The
catalog is read from its ``.po`` source at start-up, so nothing compiled is committed.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from core.french import plural

LOCALES = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT = "fr"


class French(gettext.NullTranslations):
    """The templates' own text, with French's plural rule: the singular for 0 and 1 (gettext's
    default would write « 0 stagiaires ajoutés »)."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return plural(n, msgid1, msgid2)


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language == DEFAULT or language not in LANGUAGES:
        return French()
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def pick_language(cookie: str | None) -> str:
    """The ``lang`` cookie if set, else French: most tablets here are set to French anyway,
    and an English browser on the training floor should not switch the trainer's UI."""
    return cookie if cookie in LANGUAGES else DEFAULT


def translator(request: Any) -> Callable[[str], str]:
    """``gettext`` in the request's language, for labels a view translates once instead of
    the template translating them in a loop."""
    return translations(pick_language(request.cookies.get("lang"))).gettext
