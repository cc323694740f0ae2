"""Reading and checking the YAML files contributors write: groups, single events, overlays.

One reader and one vocabulary for problems, so the three kinds of file
report errors the same way: file, field, what is wrong, what is expected.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from events.inputs.yaml_errors import ECHO_LIMIT, YamlSyntax, shorten
from events.inputs.yaml_text import YamlDocument, parse_document

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_PER_FILE",
    "SLUG_PATTERN",
    "Problem",
    "ShownPaths",
    "YamlDocument",
    "capped",
    "check_categories",
    "checked_file",
    "describe",
    "guarded",
    "is_http_url",
    "one_line",
    "parse_yaml",
    "quoted",
    "read_document",
    "read_yaml_file",
    "timezone_problem",
    "with_line",
    "yaml_files",
]

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_FILE_BYTES = 256 * 1024
MAX_PROBLEMS_PER_FILE = 20
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: which field, what is wrong, what is expected; and where, when known.

    `line` and `column` (1-based) let tools point at the spot (`file:line`).
    A problem of the YAML text itself has no field: it reads
    `file: line 4, column 13: what is wrong; expected ...`. Every part is
    capped, so no input makes a long line.
    """

    file: str
    field: str
    message: str
    expected: str = ""
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        # Frozen, so the caps go through object.__setattr__; they only ever shorten.
        for name, limit in (("file", 300), ("field", ECHO_LIMIT), ("message", 400), ("expected", 300)):
            value = getattr(self, name)
            if len(value) > limit or "\n" in value:
                object.__setattr__(self, name, shorten(value, limit))

    @property
    def where(self) -> str:
        """The field, or for a problem of the YAML text, its line and column."""
        if self.field or self.line is None:
            return self.field or "file"
        return f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"

    @property
    def location(self) -> str:
        """`file:line:column` (as far as known), the form editors and CI annotations read."""
        return ":".join(str(part) for part in (self.file, self.line, self.column) if part is not None)

    def __str__(self) -> str:
        tail = f"; expected {self.expected}" if self.expected else ""
        return f"{self.file}: {self.where}: {self.message}{tail}"


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


def read_document(path: Path, shown: str, kind: str) -> tuple[YamlDocument | None, Problem | None]:
    """A YAML file's data and its fields' lines, or the one problem that stops it being read at all."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, Problem(shown, "file", "no such file", kind)
    except IsADirectoryError:
        return None, Problem(shown, "file", "is a folder, not a file", kind)
    except OSError as error:
        return None, Problem(shown, "file", f"cannot be read ({error.strerror or type(error).__name__})", kind)
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(shown, "file", f"the file is larger than {MAX_FILE_BYTES // 1024} KiB", f"{kind} of a few lines")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, Problem(shown, "file", f"byte 0x{raw[error.start]:02x} is not UTF-8 text", "a UTF-8 text file", line)
    parsed = parse_document(text)
    if isinstance(parsed, YamlSyntax):
        return None, Problem(shown, "", parsed.message, parsed.expected, parsed.line, parsed.column)
    return parsed, None


def read_yaml_file(path: Path, shown: str, kind: str) -> tuple[Any, Problem | None]:
    """A YAML file's data, or the one problem that stops it being read at all."""
    document, problem = read_document(path, shown, kind)
    return (document.data if document else None), problem


def checked_file(path: Path, shown: str, kind: str, validate: Callable[[str, str, Any], list[Problem]]) -> tuple[Any, list[Problem]]:
    """A file's data and every problem of it: the one that stops it being read, or what `validate(shown, stem, data)` finds.

    Field problems get the line of their field. An error of `validate`
    itself becomes one problem of this file: one file never stops the others.
    """
    document, unreadable = read_document(path, shown, kind)
    if document is None:
        return None, [unreadable or Problem(shown, "file", "cannot be read", kind)]
    found, failed = guarded(shown, lambda: validate(shown, path.stem, document.data))
    if failed:
        return None, [failed]
    return document.data, [with_line(problem, document) for problem in capped(found or [], shown)]


def capped(problems: list[Problem], shown: str) -> list[Problem]:
    """At most MAX_PROBLEMS_PER_FILE lines for one file: a list of 100,000 bad items is not 100,000 lines."""
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return problems
    more = len(problems) - MAX_PROBLEMS_PER_FILE + 1
    return [*problems[: MAX_PROBLEMS_PER_FILE - 1], Problem(shown, "file", f"{more} more problem(s) not shown", "the ones above fixed first")]


def with_line(problem: Problem, document: YamlDocument, prefix: str = "") -> Problem:
    """`problem` with the line of its field in `document` (`prefix` such as `[2].` for an entry of a list)."""
    if problem.line is not None or problem.field in ("", "file", "slug"):
        return problem
    line = document.line_of(prefix + problem.field)
    return replace(problem, line=line) if line is not None else problem


def guarded(shown: str, action: Callable[[], T]) -> tuple[T | None, Problem | None]:
    """`action()`, or the problem its error becomes: checking or converting one file never stops the run."""
    try:
        return action(), None
    except Exception as error:  # any error: the file is reported and left out, the others go on
        log.debug("checking %s failed", shown, exc_info=True)
        message = f"could not be checked ({type(error).__name__}: {shorten(str(error), 100)})"
        return None, Problem(shown, "file", message, "a file like the examples in the README; if it is one, please report this")


def timezone_problem(value: Any) -> str:
    """What is wrong with an IANA timezone name, or ''. Never raises, whatever the value."""
    if not isinstance(value, str):
        return f"{describe(value)} is not a timezone"
    if len(value) > 64 or not _ZONE_NAME.fullmatch(value):
        return f"{quoted(value)} is not a timezone"
    try:
        ZoneInfo(value)
    except Exception:  # ZoneInfo raises IsADirectoryError, OSError, ValueError... on odd names
        return f"{quoted(value)} is not a timezone"
    return ""


def quoted(value: str) -> str:
    """A text as a problem echoes it: quoted, on one line, at most ~80 characters."""
    return repr(shorten(value))


def check_categories(value: Any, categories: Mapping[str, str], bad: Callable[[str, str], None]) -> None:
    """`categories`: a list of the site's category slugs."""
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        bad("categories", f"{describe(value)} is not a list of strings")
        return
    for category in value:
        if category not in categories:
            bad("categories", f"unknown category {quoted(category)}")


def parse_yaml(text: str) -> Any:
    """The data of a YAML text, read within the same bounds as contributors' files; ValueError says why not."""
    parsed = parse_document(text)
    if isinstance(parsed, YamlSyntax):
        where = f"line {parsed.line}, column {parsed.column}: " if parsed.line else ""
        raise ValueError(f"{where}{parsed.message}; expected {parsed.expected}")
    return parsed.data


def describe(value: Any) -> str:
    """How a YAML value reads in a problem message: 'the number 42', 'a list'."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float):
        return f"the number {shorten(str(value), 40)}"
    if isinstance(value, str):
        return f"the text {quoted(value)}"
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
    return shorten(str(error), 200)
