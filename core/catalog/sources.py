"""Read plugin YAML while remembering where every value came from.

PyYAML's node tree carries line numbers; plain ``yaml.safe_load`` throws them away. We compose
the nodes ourselves, build ordinary Python data, and keep a map ``field path -> line`` so that
any later problem (a pydantic error, an unknown id) can name the file, the line and the field.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is several times faster when the wheel ships it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

FieldPath = tuple[str | int, ...]
_constructor = yaml.constructor.SafeConstructor()


def format_path(path: FieldPath) -> str:
    """``('blocks', 0, 'competencies', 2, 'name')`` -> ``blocks[0].competencies[2].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# The lists of a plugin's YAML, as a designer names their items (gender for the ordinal).
_ITEMS = {
    "gestures": ("geste", False),
    "steps": ("étape", True),
    "blocks": ("bloc", False),
    "competencies": ("compétence", True),
    "modules": ("module", False),
    "evaluations": ("épreuve", True),
    "measurements": ("mesure", True),
    "criteria": ("critère", False),
    "levels": ("niveau", False),
    "conditions": ("condition", True),
    "requirements": ("exigence", True),
    "employers": ("employeur", False),
    "territories": ("territoire", False),
    "tools": ("outil", False),
    "ppe": ("équipement de protection", False),
}


def reading(path: FieldPath) -> str:
    """``('gestures', 3, 'steps', 1)`` -> ``4e geste, 2e étape``: positions counted from 1,
    as a person counts them (the path itself counts from 0, as YAML tools do)."""
    said = []
    for name, index in itertools.pairwise(path):
        if isinstance(index, int) and isinstance(name, str) and name in _ITEMS:
            noun, feminine = _ITEMS[name]
            first = "1re" if feminine else "1er"
            said.append(f"{first if index == 0 else f'{index + 1}e'} {noun}")
    return ", ".join(said)


@dataclass(frozen=True, order=True)
class Location:
    """Where a value was written: a file, a 1-based line, and the field path inside the file."""

    file: str
    line: int = 0
    path: FieldPath = ()

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if not self.path:
            return where
        human = reading(self.path)
        return f"{where}: {format_path(self.path)}" + (f" ({human})" if human else "")

    def child(self, *parts: str | int, line: int | None = None) -> Location:
        return Location(self.file, self.line if line is None else line, self.path + parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the catalog, said so that its author can fix it at once."""

    message: str
    location: Location | None = None
    hint: str | None = None
    severity: str = "error"  # "error" stops loading, "warning" is only reported

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text


class SourceError(Exception):
    """The YAML itself could not be read (syntax error, duplicate key, wrong top level)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class YamlDocument:
    """A YAML mapping plus the line of every field path in it."""

    file: str
    data: dict[str, Any]
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def locate(self, path: Iterable[str | int]) -> Location:
        """The location of ``path``; for a missing field, the nearest parent that exists."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return Location(self.file, line, path)
        return Location(self.file, 1, path)


def read_yaml(file: Path, display_name: str | None = None) -> YamlDocument:
    """Parse one YAML file whose top level is a mapping; SourceError says what and where."""
    name = display_name or str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError([Problem(f"fichier illisible : {error}", Location(name))]) from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        message = f"YAML invalide : {error.problem or error.context}"
        raise SourceError([Problem(message, Location(name, line))]) from None
    except yaml.reader.ReaderError as error:  # a NUL or another character YAML refuses
        line = text.count("\n", 0, error.position) + 1
        message = f"YAML invalide : caractère illisible {error.character!r} ({error.reason})"
        raise SourceError([Problem(message, Location(name, line))]) from None
    except yaml.YAMLError as error:  # anything else the parser refuses, still located
        raise SourceError([Problem(f"YAML invalide : {error}", Location(name, 1))]) from None
    document = YamlDocument(name, {})
    if root is None:
        return document
    if not isinstance(root, yaml.MappingNode):
        found = _kind(root)
        raise SourceError(
            [
                Problem(
                    f"le fichier doit commencer par des lignes « champ: valeur », pas {found}",
                    Location(name, 1),
                )
            ]
        )
    problems: list[Problem] = []
    data = _to_python(root, (), document, problems)
    if problems:
        raise SourceError(problems)
    document.data = data
    return document


def _to_python(
    node: yaml.Node, path: FieldPath, document: YamlDocument, problems: list[Problem]
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, path, document, problems)
            if not isinstance(key, str | int | float | bool) or key_node.tag.endswith(":merge"):
                line = key_node.start_mark.line + 1
                problems.append(
                    Problem("clé non prise en charge", Location(document.file, line, path))
                )
                continue
            key = str(key)
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in result:
                first = document.lines[child]
                message = f"champ « {key} » écrit deux fois (la première à la ligne {first})"
                problems.append(Problem(message, Location(document.file, line, child)))
                continue
            document.lines[child] = line
            result[key] = _to_python(value_node, child, document, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = (*path, index)
            document.lines[child] = item_node.start_mark.line + 1
            items.append(_to_python(item_node, child, document, problems))
        return items
    if node.tag == _STR_TAG:  # most scalars: skip the constructor's dispatch
        return node.value
    return _construct(node, path, document, problems)


def _construct(
    node: yaml.Node, path: FieldPath, document: YamlDocument, problems: list[Problem]
) -> Any:
    """A scalar's value; a tag the safe loader refuses (``!!python/object``…) is a located
    problem, never a traceback."""
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as error:
        line = node.start_mark.line + 1
        message = f"valeur non prise en charge : {error.problem or error.context or node.tag}"
        problems.append(Problem(message, Location(document.file, line, path)))
        return None


_STR_TAG = "tag:yaml.org,2002:str"


def _kind(node: yaml.Node) -> str:
    return "une liste" if isinstance(node, yaml.SequenceNode) else "une valeur seule"


@dataclass
class Source:
    """The data of one definition document, possibly merged from several files.

    A plugin may split a sector over a folder of YAML files (``sector.yaml``,
    ``gestures.yaml``...). Lists under the same top-level key are concatenated in file-name
    order; any other top-level key may be written in one file only.
    """

    name: str
    data: dict[str, Any]
    _parts: list[YamlDocument]
    # merged list index -> (document, index in that document), per top-level key
    _origins: dict[str, list[tuple[YamlDocument, int]]]
    _owner: dict[str, YamlDocument]

    def locate(self, path: Iterable[str | int]) -> Location:
        path = tuple(path)
        if not path:
            return Location(self.name)
        key = str(path[0])
        if key in self._origins and len(path) > 1 and isinstance(path[1], int):
            origins = self._origins[key]
            if 0 <= path[1] < len(origins):
                document, index = origins[path[1]]
                return document.locate((key, index, *path[2:]))
        owner = self._owner.get(key) or (self._parts[0] if self._parts else None)
        return owner.locate(path) if owner else Location(self.name, 0, path)


def read_source(path: Path, display_root: Path | None = None) -> Source:
    """Read a YAML file, or every ``*.yaml``/``*.yml`` file of a folder, as one Source."""

    def shown(file: Path) -> str:
        if display_root is not None:
            try:
                return str(file.relative_to(display_root))
            except ValueError:
                pass
        return str(file)

    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise SourceError(
                [Problem("aucun fichier .yaml dans ce dossier", Location(shown(path)))]
            )
    elif path.is_file():
        files = [path]
    else:
        raise SourceError([Problem("fichier ou dossier introuvable", Location(shown(path)))])

    problems: list[Problem] = []
    documents: list[YamlDocument] = []
    for file in files:
        try:
            documents.append(read_yaml(file, shown(file)))
        except SourceError as error:
            problems.extend(error.problems)
    if problems:
        raise SourceError(problems)

    data: dict[str, Any] = {}
    origins: dict[str, list[tuple[YamlDocument, int]]] = {}
    owner: dict[str, YamlDocument] = {}
    for document in documents:
        for key, value in document.data.items():
            if isinstance(value, list) and (key not in data or key in origins):
                data.setdefault(key, []).extend(value)
                origins.setdefault(key, []).extend((document, i) for i in range(len(value)))
            elif key in data:
                first = owner.get(key) or origins[key][0][0]
                message = f"« {key} » est déjà écrit dans {first.file}:{first.lines[(key,)]}"
                problems.append(Problem(message, document.locate((key,))))
            else:
                data[key] = value
                owner[key] = document
    if problems:
        raise SourceError(problems)
    return Source(shown(path), data, documents, origins, owner)
