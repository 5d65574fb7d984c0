"""Pages drawn from Jinja2 templates: one environment per language, and ``render``, which
gives a whole page or only some of its named blocks (htmx swaps) from the same template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks

from core.french import SCHOOL_TIME, clock, decimal, hours_minutes
from web import i18n

TEMPLATES = Path(__file__).parent / "templates"


def templates(language: str) -> Jinja2Blocks:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),  # every value is escaped unless marked safe
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates ship with the package: no stat() per render
        trim_blocks=True,  # no blank lines where tags were: smaller htmx swaps
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["languages"] = i18n.LANGUAGES
    # Moments are stored in UTC; people read them on the schools' clock.
    env.filters["local"] = lambda moment: moment.astimezone(SCHOOL_TIME)
    # Hours as people write them: 210, 31,5 (31.5 in English).
    env.filters["hours"] = lambda value: (
        decimal(round(float(value), 1)) if language == "fr" else f"{round(float(value), 1):g}"
    )
    # Minutes attended and times of day as a sheet writes them: « 2 h 45 », « 9:05 ».
    env.filters["duration"] = hours_minutes
    env.filters["clock"] = clock
    return Jinja2Blocks(env=env)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    blocks: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page, or only some of its named blocks (htmx swaps): same template either way."""
    language = i18n.pick_language(request.cookies.get("lang"))
    templates: Jinja2Blocks = request.app.state.templates[language]
    context = {"user": getattr(request.state, "user", None), "lang": language, **context}
    if blocks:
        response = templates.TemplateResponse(
            request, template, context, status_code=status_code, block_names=blocks
        )
    else:
        response = templates.TemplateResponse(request, template, context, status_code=status_code)
    assert isinstance(response, HTMLResponse)
    return response
