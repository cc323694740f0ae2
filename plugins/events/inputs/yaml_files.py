"""Reading and checking the YAML files contributors write: groups, single events, overlays.

One reader and one vocabulary for problems, so the three kinds of file
report errors the same way: file, field, what is wrong, what is expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

__all__ = [
    "SLUG_PATTERN",
    "Problem",
    "ShownPaths",
    "check_categories",
    "checked_file",
    "describe",
    "is_http_url",
    "one_line",
    "parse_yaml",
    "read_yaml_file",
    "yaml_files",
]

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: which field, what is wrong, what is expected."""

    file: str
    field: str
    message: str
    expected: str = ""

    def __str__(self) -> str:
        tail = f"; expected {self.expected}" if self.expected else ""
        return f"{self.file}: {self.field}: {self.message}{tail}"


def yaml_files(folder: Path) -> list[Path]:
    """The `.yaml` and `.yml` files of `folder`, sorted."""
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml"))


class ShownPaths:
    """Paths as a contributor knows them: relative to the parent of their folder (`_groups/x.yaml`), else as given."""

    def __init__(self, folder: Path) -> None:
        self._root = folder.resolve().parent

    def __call__(self, path: Path, resolved: Path | None = None) -> str:
        """`resolved` saves resolving `path` again (it walks the file system, a third of loading 150 groups)."""
        try:
            return str((resolved or path.resolve()).relative_to(self._root))
        except ValueError:
            return str(path)


def read_yaml_file(path: Path, shown: str, kind: str) -> tuple[Any, Problem | None]:
    """A YAML file's data, or the one problem that stops it being read at all."""
    try:
        return parse_yaml(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return None, Problem(shown, "file", "no such file", kind)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return None, Problem(shown, "file", f"not valid YAML: {one_line(error)}", "a YAML mapping")


def checked_file(path: Path, shown: str, kind: str, validate: Callable[[str, str, Any], list[Problem]]) -> tuple[Any, list[Problem]]:
    """A file's data and every problem of it: the one that stops it being read, or what `validate(shown, stem, data)` finds."""
    data, unreadable = read_yaml_file(path, shown, kind)
    if unreadable:
        return None, [unreadable]
    return data, validate(shown, path.stem, data)


def check_categories(value: Any, categories: Mapping[str, str], bad: Callable[[str, str], None]) -> None:
    """`categories`: a list of the site's category slugs."""
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        bad("categories", f"{describe(value)} is not a list of strings")
        return
    for category in value:
        if category not in categories:
            bad("categories", f"unknown category {category!r}")


def parse_yaml(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's parser when PyYAML has it (15x faster for 150 group files).

    A document libyaml rejects is parsed again in Python, so a broken file
    is reported with the same message whichever parser is installed.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def describe(value: Any) -> str:
    """How a YAML value reads in a problem message: 'the number 42', 'a list'."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def is_http_url(value: Any) -> bool:
    """An absolute http(s) URL with a host and no spaces."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value.strip()


def one_line(error: Exception) -> str:
    return " ".join(str(error).split())
