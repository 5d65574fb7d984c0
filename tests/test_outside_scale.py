"""A trade judged pass/fail, as French *titres professionnels* are (non évalué / non validé /
validé), written as a designer would: scaffolded with ``gestes new-plugin``, its scale and
rule typed in its YAML, installed with pip outside the repository, then a school's cohort
set up with the commands, scored through the API, and its booklet printed with the command.
Nothing is claimed below the pass mark, in the sector's own words and colours."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from core.cli.main import build_cli
from core.context import open_gestes
from core.settings import Settings
from tests.conftest import IN_TREE
from tests.test_first_run import PASSWORD, TODAY, YESTERDAY, signed_in, steps_of
from web import create_app

SCALE = """\
  scale:
    id: titre.scale.titre
    name: Titre professionnel
    pass_mark: valide
    levels:
      - {code: non_evalue, label: Non évalué}
      - {code: non_valide, label: Non validé}
      - {code: valide, label: Validé}
  rule:
    observed_floor: non_valide
    conditions:
      - {level: valide, min_successes: 2, min_days: 2, min_autonomy: autonome}
"""
GESTURE, COMPETENCY = "titre.g.exemple", "titre.c.exemple"
RULE = "« Validé » demande 2 réussites en autonomie, observées 2 jours différents"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scaffold, given a pass/fail scale and an employer asking for « validé », installed
    with pip into a folder of its own."""
    root = tmp_path_factory.mktemp("titre")
    package, site = root / "gestes-titre", root / "site"
    made = CliRunner().invoke(build_cli(), ["new-plugin", "titre", "--path", str(package)])
    assert made.exit_code == 0, made.output
    sector = package / "gestes_titre" / "sector" / "sector.yaml"
    sector.write_text(sector.read_text().replace("  weeks: 12\n", "  weeks: 12\n" + SCALE))
    employers = package / "gestes_titre" / "employers.yaml"
    employers.write_text(employers.read_text().replace("min_level: acquis", "min_level: valide"))
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(site), str(package)]
    subprocess.run(pip, check=True, capture_output=True)
    return site


def test_a_pass_fail_trade_from_outside_claims_nothing_below_its_pass_mark(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("GESTES_LOAD_PLUGINS", f"{IN_TREE},titre")
    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))

    def run(*args: object, stdin: str | None = None) -> str:
        done = CliRunner().invoke(build_cli(), [str(a) for a in args], input=stdin)
        assert done.exit_code == 0, done.output
        return done.output

    assert "4 sectors" in run("validate")  # the three in the tree, and this one
    run("db", "upgrade")
    run("school", "create", "École du titre", "--city", "Lyon", "--territory", "territoire.lyon")
    run("user", "create", "nadia@ecole.fr", "--name", "Nadia Morel", "--school", 1,
        "--password-stdin", stdin=PASSWORD)  # fmt: skip
    starts, ends = TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=80)
    run("cohort", "create", "Titre 2027", "--school", 1, "--sector", "titre",
        "--starts", starts, "--ends", ends, "--trainer", 1)  # fmt: skip
    trainees = tmp_path / "stagiaires.csv"
    trainees.write_text("prénom;nom\nAwa;Diallo\n", encoding="utf-8")
    run("import", "trainees", trainees, "--cohort", 1)

    app = create_app(open_gestes(Settings(data_dir=tmp_path / "data")))
    trainer = signed_in(app, "nadia@ecole.fr")
    steps = dict.fromkeys(steps_of(trainer, 1, GESTURE), "reussi")

    def succeed(day: dt.date) -> None:
        body = {"gesture": GESTURE, "steps": steps, "autonomy": "autonome"}
        body |= {"observed_on": str(day), "key": f"attempt-{day}"}
        assert trainer.post("/api/trainees/1/attempts", json=body).status_code == 200

    def booklet() -> tuple[str, list[dict[str, object]]]:
        pdf = tmp_path / "livret.pdf"
        run("booklet", "--trainee", 1, "--allow-local", "-o", pdf)
        reader = PdfReader(io.BytesIO(pdf.read_bytes()))
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
        tokens = json.loads(reader.attachments["open-badges.json"][0])
        return text, [_claims(token) for token in tokens]

    succeed(YESTERDAY)  # one day: « non validé », however well done
    assert trainer.get("/api/trainees/1").json()["levels"][COMPETENCY]["level"] == "non_valide"
    grid = trainer.get("/cohorts/1").text
    assert '<td class="lvl lvl-1"><a href="/trainees/1#t-levels">Non validé</a>' in grid  # red
    text, badges = booklet()
    assert RULE in text and "Non validé" in text
    assert "Acquis" not in text and "« acquis »" not in text  # never the default scale's words
    assert badges == []  # no Open Badge below the pass mark

    succeed(TODAY)  # a second day: « validé »
    assert trainer.get("/api/trainees/1").json()["levels"][COMPETENCY]["level"] == "valide"
    grid = trainer.get("/cohorts/1").text
    assert '<td class="lvl lvl-3"><a href="/trainees/1#t-levels">Validé</a>' in grid  # green
    text, badges = booklet()
    assert RULE in text and "Validé" in text and "Acquis" not in text
    assert [b["credentialSubject"]["achievement"]["name"] for b in badges] == [  # type: ignore[index]
        "Réaliser le geste d'exemple en sécurité"
    ]


def _claims(token: str) -> dict[str, object]:
    body = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims
