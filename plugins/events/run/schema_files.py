"""`invoke schemas`: the checked-in JSON Schemas of input files, and the line that points editors at them.

Writes `schemas/group.json`, `schemas/single-event.json` and
`schemas/overlay.json` from `inputs/file_schemas.py`, and puts
`# yaml-language-server: $schema=../schemas/<kind>.json` first in every file
of `_groups/`, `_single_events/` and `_overlays/` that lacks it. With
`check=True` it changes nothing and fails when either is out of date (CI
runs it so). `header_problems` is the part `invoke validate` runs: a first
line that names another schema is a problem; no such line is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from events.inputs.file_schemas import FILE_KINDS, HEADER_PREFIX, file_schemas, schema_header, schema_text
from events.inputs.groups import load_categories
from events.inputs.yaml_files import Problem, ShownPaths, yaml_files
from events.run.outcome import Outcome
from events.settings import EventsSettings

__all__ = ["SCHEMAS_DIR", "SchemaFiles", "header_problems", "schemas_command", "with_header"]

SCHEMAS_DIR = "schemas"


def with_header(text: str, kind: str) -> str:
    """`text` with the schema line of `kind` first (replacing another schema line)."""
    header = schema_header(kind)
    first, newline, rest = text.partition("\n")
    if first.startswith(HEADER_PREFIX):
        return text if first == header else header + newline + rest
    return f"{header}\n{text}"


def header_problems(files: Iterable[Path], kind: str, folder: Path) -> list[Problem]:
    """Files whose first line names a schema other than their kind's."""
    expected = schema_header(kind)
    shown = ShownPaths(folder)
    problems = []
    for path in files:
        try:
            with path.open(encoding="utf-8") as handle:
                first = handle.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError):
            continue  # the loader reports an unreadable file
        if first.startswith(HEADER_PREFIX) and first != expected:
            problems.append(Problem(shown(path), "file", f"the first line points to another schema: {first!r}", f"{expected!r} (or no such line)"))
    return problems


@dataclass(frozen=True)
class SchemaFiles:
    """What `invoke schemas` would write: schema files and input files with their header, by path."""

    changes: dict[Path, str]

    @classmethod
    def plan(cls, settings: EventsSettings, root: Path) -> SchemaFiles:
        categories = load_categories(settings.categories_file)
        wanted: dict[Path, str] = {root / SCHEMAS_DIR / name: schema_text(schema) for name, schema in file_schemas(categories).items()}
        for name, folder in _folders(settings):
            for path in yaml_files(folder):
                wanted[path] = with_header(path.read_text(encoding="utf-8"), name)
        changes = {path: text for path, text in wanted.items() if not path.exists() or path.read_text(encoding="utf-8") != text}
        return cls(changes)

    def write(self) -> None:
        for path, text in sorted(self.changes.items()):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def _folders(settings: EventsSettings) -> Sequence[tuple[str, Path]]:
    folders = {"EVENTS_GROUPS_DIR": settings.groups_dir, "EVENTS_SINGLE_EVENTS_DIR": settings.single_events_dir, "EVENTS_OVERLAYS_DIR": settings.overlays_dir}
    return [(name, folders[kind.folder_setting]) for name, kind in FILE_KINDS.items()]


def schemas_command(settings: EventsSettings, root: Path, check: bool = False) -> Outcome:
    planned = SchemaFiles.plan(settings, root)
    names = [str(_relative(p, root)) for p in sorted(planned.changes)]
    if check:
        if names:
            return Outcome(tuple(f"out of date: {n}" for n in names), f"{len(names)} file(s) out of date: run `invoke schemas`")
        return Outcome(("schemas and schema lines are up to date",))
    planned.write()
    return Outcome((*(f"wrote {n}" for n in names), f"{len(names)} file(s) written"))


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
