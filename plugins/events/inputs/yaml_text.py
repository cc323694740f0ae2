"""A contributor's YAML text to data, within bounds, with the line of each field.

`yaml.safe_load` trusts its input's shape: 320 bytes of aliases expand to
millions of values, ten thousand '[' overflow libyaml's C stack, and a
date such as 2026-13-45 raises a bare ValueError. This loader composes the
document with bounded nesting, refuses aliases that expand it past
`MAX_EXPANDED`, refuses duplicate fields, turns every error of a value into
a YAML error with its line, and keeps the line of each field so a problem
can point at it. libyaml's scanner and parser are used when PyYAML has them
(15x faster); the document is composed in Python either way, so both give
the same result, and a broken text is parsed again in Python so its error
reads the same whichever parser is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from events.inputs.yaml_errors import PlainYamlError, YamlSyntax, explain, shorten

__all__ = ["MAX_DEPTH", "MAX_EXPANDED", "YamlDocument", "parse_document"]

MAX_DEPTH = 40
# Values plus characters once aliases are expanded: ten times any real file of ours, far below a bomb's millions.
MAX_EXPANDED = 1_000_000
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NO_ALIASES = "each value written out, without anchors (&) and aliases (*)"


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its data, and the line of each field (`name`, `source.type`, `[0].event`)."""

    data: Any
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, else of its nearest enclosing field."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return None


class _BoundedComposer(Composer):
    """Composes nodes, refusing nesting deeper than MAX_DEPTH before it can exhaust a stack."""

    _depth = 0
    peek_event: Callable[[], Any]  # the parser's (Python or libyaml), found along the MRO

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        mark = self.peek_event().start_mark
        if self._depth >= MAX_DEPTH:
            raise PlainYamlError(f"values nested more than {MAX_DEPTH} levels deep", "a flat file: fields, lists of texts, one mapping under 'source'", mark)
        self._depth += 1
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        return node


class _CheckedConstructor(SafeConstructor):
    """SafeConstructor whose value errors (a date 2026-13-45, a 5,000-digit number) are YAML errors with a line."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as error:
            raise PlainYamlError(*_value_problem(node, error), node.start_mark) from error


class _PythonLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _BoundedComposer, _CheckedConstructor, Resolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BoundedComposer.__init__(self)
        _CheckedConstructor.__init__(self)
        Resolver.__init__(self)


_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _CParser = None
_FastLoader: Any = None
if _CParser is not None:

    class _CLoader(_BoundedComposer, _CParser, _CheckedConstructor, Resolver):  # type: ignore[misc]
        """libyaml scans and parses; our composer (before CParser in the MRO) builds the nodes."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            _CheckedConstructor.__init__(self)
            Resolver.__init__(self)

    _FastLoader = _CLoader


def parse_document(text: str) -> YamlDocument | YamlSyntax:
    """`text` as data with its fields' lines, or why it cannot be read (in plain words, with a line)."""
    if _FastLoader is not None:
        try:
            return _load(_FastLoader, text)
        except (yaml.YAMLError, RecursionError):
            pass  # parsed again below, for the pure-Python loader's words
    try:
        return _load(_PythonLoader, text)
    except yaml.YAMLError as error:
        return explain(error, text)
    except RecursionError:
        return YamlSyntax(None, None, "aliases (*) chained too deep to read", _NO_ALIASES)


def _load(loader_class: Any, text: str) -> YamlDocument:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None)
        _check_graph(node)
        return YamlDocument(loader.construct_document(node), _field_lines(node))
    finally:
        loader.dispose()


def _check_graph(root: Node) -> None:
    """Refuse aliases that loop or expand the document past MAX_EXPANDED, and fields given twice."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise PlainYamlError("an alias (*) refers to the value it is part of", _NO_ALIASES, node.start_mark)
        open_nodes.add(key)
        if isinstance(node, ScalarNode):
            total = 1 + len(node.value)
        elif isinstance(node, SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            _refuse_duplicate_keys(node)
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        if total > MAX_EXPANDED:
            raise PlainYamlError(
                f"aliases (*) expand this value past {MAX_EXPANDED:,} values and characters",
                _NO_ALIASES,
                node.start_mark,
            )
        sizes[key] = total
        return total

    size(root)


def _refuse_duplicate_keys(node: Node) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
            continue
        first = seen.setdefault((key.tag, key.value), key.start_mark.line + 1)
        if first != key.start_mark.line + 1:
            raise PlainYamlError(f"the field {shorten(key.value, 40)!r} is given twice (first on line {first})", "each field once", key.start_mark)


def _field_lines(root: Node) -> dict[str, int]:
    lines: dict[str, int] = {}

    def mapping(node: Node, prefix: str, depth: int) -> None:
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                path = prefix + key.value
                lines.setdefault(path, key.start_mark.line + 1)
                if depth < 2 and isinstance(value, MappingNode):
                    mapping(value, path + ".", depth + 1)

    if isinstance(root, MappingNode):
        mapping(root, "", 0)
    elif isinstance(root, SequenceNode):
        for index, item in enumerate(root.value):
            lines[f"[{index}]"] = item.start_mark.line + 1
            if isinstance(item, MappingNode):
                mapping(item, f"[{index}].", 1)
    return lines


def _value_problem(node: Node, error: Exception) -> tuple[str, str]:
    text = node.value if isinstance(node, ScalarNode) else ""
    shown = repr(shorten(text))
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f"{shown} looks like a date but is not one ({shorten(str(error), 60)})", "a real date such as 2026-04-02, or quotes around the text"
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return f"the number {shorten(text, 40)} cannot be read ({shorten(str(error), 60)})", "a shorter number, or quotes around it"
    return f"{shown or 'a value'} cannot be read ({type(error).__name__}: {shorten(str(error), 60)})", "a plain text, number, date, list or mapping"
