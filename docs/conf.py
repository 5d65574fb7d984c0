"""Sphinx configuration: Markdown pages (MyST), furo's theme, the hooks' reference from
``core/hookspecs.py`` (autodoc) and the command line's from its ``--help`` texts
(``_ext/cli_reference.py``).
``./dev docs`` builds it into ``docs/_build/html`` with every warning an error."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # core, web, plugins

project = "Gestes"
author = "Gestes"
copyright = "Gestes contributors"
language = "en"

extensions = ["myst_parser", "sphinx.ext.autodoc", "cli_reference"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext", "reference/cli-commands.md"]  # included by cli.md
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# Hook specs: their docstrings are the reference; annotations stay as written in the source.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

html_theme = "furo"
html_title = "Gestes"
