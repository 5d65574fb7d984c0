"""The documentation stays complete and true: every setting on the settings page and nothing
else, every hook on the hooks page, and every file the docs or the code name exists."""

from __future__ import annotations

import re
from pathlib import Path

from core import hookspecs
from core.settings import Settings

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
NOT_SETTINGS = {"GESTES_LOAD_PLUGINS", "GESTES_TRACE_HOOKS", "GESTES_TEST_POSTGRES"}


def test_the_settings_page_names_every_setting_and_nothing_else():
    page = (DOCS / "reference" / "settings.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(GESTES_[A-Z_]+)`", page))
    settings = {f"GESTES_{name.upper()}" for name in Settings.model_fields}
    assert settings - named == set(), "settings missing from docs/reference/settings.md"
    assert named - settings - NOT_SETTINGS == set(), "named on the page, yet not a setting"
    assert named >= NOT_SETTINGS


def test_the_hooks_page_is_generated_from_every_hookspec():
    page = (DOCS / "plugins" / "hooks.md").read_text(encoding="utf-8")
    members = re.search(r":members: (.+)", page)
    assert members is not None
    listed = {name.strip() for name in members.group(1).split(",")}
    assert listed == {name for name in dir(hookspecs) if name.startswith("gestes_")}


# A path of the project in a docstring, a comment or a page: `core/…`, `web/…`, `tests/…`.
PATH = re.compile(r"(?<![\w./-])((?:core|web|plugins|tests|bench|docs|\.ci)/[\w./-]*[\w/])")


def named_paths() -> list[tuple[str, str]]:
    """(where, path) for every project path written in the code, the docs and the README."""
    sources = [ROOT / "README.md", *DOCS.rglob("*.md")]
    for package in ("core", "web", "plugins", "tests", "bench"):
        sources += (ROOT / package).rglob("*.py")
    found = []
    for source in sources:
        if "_build" in source.parts or source.name == "cli-commands.md":
            continue
        for match in PATH.finditer(source.read_text(encoding="utf-8")):
            found.append((str(source.relative_to(ROOT)), match.group(1)))
    return found


# Named on purpose though not in this repository, and why.
ELSEWHERE = {
    "tests/test_electricite.py": "in the designer's own package, written by gestes new-plugin",
    "tests/test_": "the scaffold's template names the test it writes",
    "web/sneaky.py": "the architecture test plants it to see its check fail",
    "docs/_build/html": "where ./dev docs builds the site",
    # The layout before this one, in the architecture page's before/after table.
    "core/booklet.py": "former layout",
    "core/templates/booklet.html": "former layout",
    "core/trainee_record.py": "former layout",
    "web/api.py": "former layout",
    "web/cohorts.py": "former layout",
}


def exists(path: str) -> bool:
    """A file or folder, or a page of the docs named without its suffix (a toctree entry)."""
    return (ROOT / path).exists() or (DOCS / f"{path}.md").exists()


def test_every_file_the_docs_and_the_code_name_exists():
    missing = sorted(
        {
            f"{where}: {path}"
            for where, path in named_paths()
            if "<" not in path and path not in ELSEWHERE and not exists(path)
        }
    )
    assert missing == []


def test_nothing_points_outside_the_repository():
    """The code and the docs stand alone: no pointer at notes kept elsewhere."""
    outside = re.compile(r"shared/|\b(ARCHITECTURE|STYLE|DOMAIN)\.md")
    sources = [ROOT / "README.md", *DOCS.rglob("*.md")]
    for package in ("core", "web", "plugins", "tests", "bench"):
        sources += (ROOT / package).rglob("*.py")
    found = [
        str(source.relative_to(ROOT))
        for source in sources
        if source != Path(__file__) and outside.search(source.read_text(encoding="utf-8"))
    ]
    assert found == []
