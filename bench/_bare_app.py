"""The baseline for bench/web.py: a bare FastAPI endpoint that parses the same form and
renders a comparable Jinja fragment (the eight steps of a gesture), with no database."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse
from jinja2 import Environment

STEPS = [
    (f"etape_{n}", f"Étape {n} du geste, avec une consigne de sécurité", n % 2 == 0)
    for n in range(8)
]
TEMPLATE = Environment(autoescape=True).from_string(
    """<ol id="etapes">{% for key, label, critical in steps %}
<li id="etape-{{ key }}" class="step{{ ' critical' if critical }}"><span>{{ label }}</span>
{% for result in ('reussi', 'a_reprendre', 'non_observe') %}
<form method="post"><input type="hidden" name="attempt" value="{{ attempt }}">
<button name="result" value="{{ result }}"
 aria-pressed="{{ 'true' if result == chosen and key == step else 'false' }}">{{ result }}</button>
</form>
{% endfor %}</li>{% endfor %}</ol>
<section id="resultat" hx-swap-oob="true"><h2>Résultat provisoire : {{ chosen }}</h2></section>"""
)
app = FastAPI()


@app.post("/fragment")
def fragment(
    attempt: Annotated[str, Form()], step: Annotated[str, Form()], result: Annotated[str, Form()]
) -> HTMLResponse:
    return HTMLResponse(TEMPLATE.render(steps=STEPS, attempt=attempt, step=step, chosen=result))
