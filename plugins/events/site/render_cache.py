"""Which pages need rendering again: a digest of each page's inputs, kept between builds.

A page's HTML is a function of its template (and the templates it
includes), the site-wide values templates read (SITEURL, SITENAME, the
About pages) and the values of its own context that its templates read
(`context_names`). `InputDigests` hashes exactly those; a
page whose digest equals the one recorded when its file was last written,
and whose file is still there as it was written, is not rendered again.
Anything the digest cannot read with certainty (an object of an unknown
type in a context) makes that page "always render": a cache must never
serve a stale page.

Pure, apart from `RenderCache.load` / `save`, which read and write one
JSON file in the cache folder, and `context_names`, which reads templates
through a Jinja loader.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, meta

__all__ = ["FileStamp", "InputDigests", "RenderCache", "Uncacheable", "attributes_read", "context_names", "template_salt"]

_FORMAT = 2


class Uncacheable(Exception):
    """A context holds something whose digest cannot be trusted."""


def template_salt(template_folders: Iterable[Path], site_values: Mapping[str, Any], version: str) -> bytes:
    """Digest of everything every page depends on: each template's bytes, the site-wide values, the code's version."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{_FORMAT}:{version}".encode())
    for folder in template_folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hasher.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    hasher.update(json.dumps(site_values, sort_keys=True, default=str).encode())
    return hasher.digest()


def attributes_read(template_folders: Iterable[Path], name: str) -> frozenset[str] | None:
    """The attributes templates read of the context value `name` (`site.timezone` -> "timezone").

    None when a template uses `name` any other way (passes it on, indexes
    it): then every attribute may matter.
    """
    used: set[str] = set()
    for folder in template_folders:
        for path in sorted(folder.rglob("*.html")):
            for code in _jinja_code(path.read_text(encoding="utf-8")):
                for match in re.finditer(rf"(?<![\w.]){re.escape(name)}\b(\.(\w+))?", code):
                    if match.group(2) is not None:
                        used.add(match.group(2))
                    elif not re.search(r"\b(if|not|and|or)\s+$", code[: match.start()]):
                        return None  # passed on or indexed: any field may matter (a truth test reads none)
    return frozenset(used)


def context_names(environment: Environment, name: str) -> frozenset[str] | None:
    """The context names template `name` can read, with every template it extends, imports or includes.

    A page's context also carries values its template never reads ("this
    week" on an event page): leaving them out of the page's digest keeps the
    page from rendering again when only they change (every page, the day
    after). Templates imported "with context" read the importer's context,
    so their names count too. None when a template names another by an
    expression (it may read anything).
    """
    loader = environment.loader
    if loader is None:
        return None
    names: set[str] = set()
    seen: set[str] = set()
    waiting = [name]
    while waiting:
        current = waiting.pop()
        if current in seen:
            continue
        seen.add(current)
        source, _, _ = loader.get_source(environment, current)
        tree = environment.parse(source)
        names |= meta.find_undeclared_variables(tree)
        for referenced in meta.find_referenced_templates(tree):
            if referenced is None:
                return None
            waiting.append(referenced)
    return frozenset(names)


def _jinja_code(text: str) -> list[str]:
    """The code of a template's `{{ }}` and `{% %}` blocks, string literals blanked (their words are not names)."""
    blocks = re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text, flags=re.S)
    return [re.sub(r'"[^"]*"|\'[^\']*\'', '""', block) for block in blocks]


class InputDigests:
    """Digests of page inputs for one build.

    Objects that many pages share (an event's view is on its day, week,
    month, state, group and topic pages) are digested once: frozen
    dataclasses are memoized by identity, checked through a weak reference
    (an object made for one deferred page may be gone, and its id reused).
    """

    def __init__(self, salt: bytes, read_only: Mapping[type, frozenset[str]] | None = None) -> None:
        """`read_only` names, for a type, the only fields templates read of it (others cannot change a page)."""
        self._salt = salt
        self._read_only = dict(read_only or {})
        self._memo: dict[int, tuple[Callable[[], object], bytes]] = {}
        # Per dataclass type: frozen or not, its name, the fields that count.
        self._shapes: dict[type, tuple[bool, bytes, tuple[str, ...]]] = {}

    def page(self, path: str, template: str, context: Mapping[str, Any], names: frozenset[str] | None = None) -> str:
        """The digest of a page's inputs; with `names` (what its templates read, `context_names`) only those context values count."""
        hasher = hashlib.blake2b(self._salt, digest_size=20)
        hasher.update(path.encode() + b"\0" + template.encode() + b"\0")
        read = dict(context) if names is None else {key: value for key, value in context.items() if key in names}
        hasher.update(self._value(read))
        return hasher.hexdigest()

    def _value(self, value: Any) -> bytes:
        kind = type(value)
        # The commonest exact types first: a national site digests millions of values a night.
        if kind is str:
            text: str = value
            return b"str:" + text.encode("utf-8", "surrogatepass") + b"\x01"
        if kind is tuple or kind is list:
            return b"[" + b",".join([self._value(v) for v in value]) + b"]"
        if kind in self._shapes:
            return self._dataclass(value, kind)
        if value is None or kind is bool or kind is int or kind is float:
            return repr(value).encode()
        if isinstance(value, str):
            # Markup and plain text of the same characters render differently: the type is part of the digest.
            return kind.__name__.encode() + b":" + value.encode("utf-8", "surrogatepass") + b"\x01"
        if isinstance(value, bool | int | float):
            return repr(value).encode()
        if isinstance(value, datetime | time):
            # The zone's name is shown ("EST"), so it counts beside the offset.
            return f"{kind.__name__}:{value.isoformat()}:{value.tzinfo}".encode()
        if isinstance(value, date):
            return f"date:{value.isoformat()}".encode()
        if isinstance(value, timedelta | ZoneInfo):
            return repr(value).encode()
        if isinstance(value, Mapping):
            parts = [b"{"]
            for key in sorted(value, key=str):
                parts += [self._value(key), b"=", self._value(value[key]), b";"]
            return b"".join([*parts, b"}"])
        if isinstance(value, list | tuple | frozenset | set):
            items = sorted(value, key=repr) if isinstance(value, frozenset | set) else value
            return b"[" + b",".join([self._value(v) for v in items]) + b"]"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._dataclass(value, kind)
        raise Uncacheable(f"cannot digest a {kind.__qualname__}")

    def _dataclass(self, value: Any, kind: type) -> bytes:
        shape = self._shapes.get(kind)
        if shape is None:
            read = self._read_only.get(kind)
            names = tuple(f.name for f in dataclasses.fields(value) if read is None or f.name in read)
            shape = self._shapes[kind] = (kind.__dataclass_params__.frozen, kind.__qualname__.encode(), names)  # type: ignore[attr-defined]
        frozen, label, names = shape
        if frozen:
            kept = self._memo.get(id(value))
            if kept is not None and kept[0]() is value:
                return kept[1]
        hasher = hashlib.blake2b(label, digest_size=16)
        for name in names:
            hasher.update(name.encode() + b"=" + self._value(getattr(value, name)) + b";")
        result = hasher.digest()
        if frozen:
            # A weak reference: the memo must not keep a deferred page's objects alive after the page
            # is written; once one is gone its id may be reused, and the dead reference then misses.
            try:
                self._memo[id(value)] = (weakref.ref(value), result)
            except TypeError:  # a class with __slots__ and no __weakref__: kept alive instead
                self._memo[id(value)] = (_Strong(value), result)
        return result


class _Strong:
    """A reference that keeps its object alive, called like a weak one."""

    def __init__(self, value: object) -> None:
        self._value = value

    def __call__(self) -> object:
        return self._value


@dataclasses.dataclass(frozen=True)
class FileStamp:
    """A page as it was last written: the digest of its inputs, its file's size and modification time, and its SHA-256."""

    inputs: str
    size: int
    mtime_ns: int
    sha256: str

    def still_there(self, path: Path) -> bool:
        """The file exists as it was written (an output/ from another machine or a fresh checkout fails this)."""
        try:
            info = path.stat()
        except OSError:
            return False
        return info.st_size == self.size and info.st_mtime_ns == self.mtime_ns


class RenderCache:
    """Stamps of the pages of the last build, by output path (one JSON file in the cache folder)."""

    def __init__(self, stamps: Mapping[str, FileStamp] | None = None) -> None:
        self.stamps: dict[str, FileStamp] = dict(stamps or {})

    def fresh(self, root: Path, path: str, inputs: str) -> bool:
        stamp = self.stamps.get(path)
        return stamp is not None and stamp.inputs == inputs and stamp.still_there(root / path)

    @classmethod
    def load(cls, file: Path) -> RenderCache:
        """The cache, or an empty one when it is missing, unreadable or of another format (everything renders)."""
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                return cls()
            return cls({path: FileStamp(*entry) for path, entry in data["pages"].items()})
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    def save(self, file: Path) -> None:
        """Written whole to a temporary file and renamed, so a killed run leaves the old cache or the new one."""
        file.parent.mkdir(parents=True, exist_ok=True)
        pages = {path: [s.inputs, s.size, s.mtime_ns, s.sha256] for path, s in sorted(self.stamps.items())}
        temporary = file.with_name(file.name + ".tmp")
        temporary.write_text(json.dumps({"format": _FORMAT, "pages": pages}, separators=(",", ":")), encoding="utf-8")
        temporary.replace(file)
