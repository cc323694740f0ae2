"""PyYAML's errors said in a contributor's words: where (line, column), what is wrong, what to write instead.

PyYAML reports "while parsing a flow sequence ... expected ',' or ']', but
got ':'"; a contributor needs "a list opened with '[' is not closed". Each
common error has its own sentence and its own hint; anything else keeps
PyYAML's words, still with the line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.error import Mark

__all__ = ["ECHO_LIMIT", "PlainYamlError", "YamlSyntax", "explain", "shorten"]

ECHO_LIMIT = 80
_GOT = re.compile(r"but (?:got|found) (.+)$")
_TOKEN_WORDS = {
    "'<stream end>'": "the end of the file",
    "'<block end>'": "the end of a block",
    "'<block mapping start>'": "a field",
    "'<block sequence start>'": "a list",
    "'<flow sequence start>'": "'['",
    "'<flow mapping start>'": "'{'",
    "'<scalar>'": "more text",
    "'<anchor>'": "an anchor ('&')",
    "'<alias>'": "an alias ('*')",
    "'<tag>'": "a tag ('!')",
    "'<document start>'": "'---'",
    "'<document end>'": "'...'",
    "'?'": "a new field",
    "'-'": "a list item ('- ')",
}
_GENERIC_HINT = "valid YAML: check the quotes, brackets and indentation near this line"


@dataclass(frozen=True)
class YamlSyntax:
    """Why a text is not a usable YAML document: where, what is wrong, what is expected."""

    line: int | None
    column: int | None
    message: str
    expected: str


class PlainYamlError(yaml.MarkedYAMLError):
    """An error our own loader raises, already in plain words."""

    def __init__(self, message: str, expected: str, mark: Mark | None) -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.message = message
        self.expected = expected


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` on one line, cut to `limit` characters: a value echoed in a problem stays readable."""
    flat = " ".join(text.split()) if len(text) < 10 * limit else " ".join(text[: 10 * limit].split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def explain(error: yaml.YAMLError, text: str) -> YamlSyntax:
    """`error` (raised by the pure-Python loader on `text`) in plain words."""
    if isinstance(error, PlainYamlError):
        return _at(error.problem_mark, error.message, error.expected)
    if isinstance(error, yaml.reader.ReaderError):
        line, column = _position(text, error.position)
        character = error.character if isinstance(error.character, str) else chr(error.character)
        return YamlSyntax(line, column, f"the character U+{ord(character):04X} is not allowed in a YAML file", "text without control characters")
    if not isinstance(error, yaml.MarkedYAMLError):
        return YamlSyntax(None, None, f"not valid YAML: {shorten(str(error), 200)}", _GENERIC_HINT)
    context, problem = error.context or "", error.problem or ""
    opened, at = error.context_mark, error.problem_mark
    got = _found(problem)
    if context == "while parsing a flow sequence":
        return _at(opened, f"a list opened with '[' is not closed (found {got}{_where(at)})", "a ']' after the last item, such as [ai, data]")
    if context == "while parsing a flow mapping":
        return _at(opened, f"a mapping opened with '{{' is not closed (found {got}{_where(at)})", "a '}' after the last field, such as {type: ical, url: https://...}")
    if context.startswith("while scanning a quoted scalar") and "end of stream" in problem:
        return _at(opened, "a quote opened here is never closed", "the same quote (\" or ') at the end of the value")
    if context.startswith("while scanning a quoted scalar") and "document separator" in problem:
        return _at(opened, f"a quote opened here is not closed before the '---' or '...'{_where(at)}", "the same quote (\" or ') at the end of the value")
    if "unknown escape character" in problem:
        message = f"a backslash escape inside double quotes that YAML does not know ({shorten(problem, 60)})"
        return _at(at, message, "single quotes around text with backslashes, or '\\\\' for one backslash")
    if problem.startswith("found character '\\t'"):
        return _at(at, "a tab character: YAML indents with spaces only", "spaces instead of tabs")
    if problem.startswith("found character"):
        char = problem.split("'")[1] if problem.count("'") >= 2 else "this character"
        return _at(at, f"a value cannot start with '{char}'", f"quotes around the value, such as \"{char}...\"")
    if problem.startswith("mapping values are not allowed"):
        if _colon_in_value(text, at):
            return _at(at, "a ': ' inside a value", "quotes around a value that contains ': ', such as name: \"DC: Python\"")
        return _at(at, "this line is indented more than the field above it", "every field of a mapping starting in the same column")
    if problem.startswith("mapping keys are not allowed"):
        return _at(at, "a value cannot start with '? '", "quotes around the value")
    if problem.startswith("block sequence entries are not allowed"):
        return _at(at, "a list item ('- ') where a value was expected on the same line", "list items on their own lines, indented under their field")
    if context == "while scanning a simple key":
        long_key = opened is not None and len(_line(text, opened)) > 1024
        what = "a field name longer than 1024 characters" if long_key else "a line with no ':' where a field was expected"
        return _at(opened, what, "'field: value', or a long value continued on lines indented under its field")
    if context == "while parsing a block mapping":
        if got == "a list item ('- ')":
            expected = "the list's items indented under their field, such as '  - ai' under 'categories:'"
            return _at(at, "a list item ('- ') in the column of the fields", expected)
        if got in ("a field", "a list"):
            return _at(at, "this line is indented like no field above it", "every field of a mapping starting in the same column")
        if got == "more text":
            expected = "quotes around the whole value, such as name: \"'DC' Python\""
            return _at(at, "more text where the line should end (after a closing quote?)", expected)
        return _at(at, f"{got} where a new field should start", "one 'field: value' per line, every field starting in the same column")
    if context == "while parsing a block collection":
        return _at(at, f"{got} inside a list whose items start with '- '", "every item of a list starting with '- ' in the same column")
    if context == "while parsing a flow node" and "node content" in problem:
        message = f"a list '[' or mapping '{{' is still open: a value was expected here, but found {got}"
        return _at(at, message, "a value, and the ']' or '}' that closes the list or mapping")
    if context.startswith("while parsing a") and "node content" in problem:
        return _at(at, f"a value was expected here but found {got}", _GENERIC_HINT)
    if context.startswith(("while scanning an anchor", "while scanning an alias")):
        return _at(opened, "'&' and '*' start YAML anchors and aliases", "quotes around a value that starts with '&' or '*'")
    if context.startswith(("while scanning a tag", "while parsing a tag")):
        return _at(opened, "'!' starts a YAML tag", "quotes around a value that starts with '!'")
    if context.startswith("while scanning a block scalar"):
        return _at(opened, "a '|' or '>' block is not followed by an indented text", "the text on the lines below, indented under its field")
    if problem.startswith("found undefined alias"):
        name = problem.removeprefix("found undefined alias").strip()
        return _at(at, f"the alias *{shorten(name.strip(chr(39)), 40)} names no anchor", "quotes around a value that starts with '*'")
    if context.startswith("found duplicate anchor"):
        return _at(at, f"an anchor name is used twice (first{_where(opened)})", "one anchor ('&') per name")
    if context == "expected a single document in the stream":
        return _at(at, "a second YAML document ('---') in the file", "one document per file: remove the '---' line")
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.split("'")[1].replace("tag:yaml.org,2002:", "!!") if problem.count("'") >= 2 else ""
        return _at(at, f"the tag {shorten(tag, 60)!r} is not allowed", "plain values without tags ('!')")
    if problem == "found unhashable key":
        return _at(at, "a list or mapping used as a field name", "a plain field name")
    if "incompatible YAML document" in problem:
        return _at(at, "a %YAML directive for a version other than 1.x", "no %YAML line")
    words = "; ".join(part for part in (context, problem) if part)
    return _at(at or opened, f"not valid YAML: {shorten(words, 160)}", _GENERIC_HINT)


def _at(mark: Mark | None, message: str, expected: str) -> YamlSyntax:
    if mark is None:
        return YamlSyntax(None, None, message, expected)
    return YamlSyntax(mark.line + 1, mark.column + 1, message, expected)


def _where(mark: Mark | None) -> str:
    return "" if mark is None else f" on line {mark.line + 1}, column {mark.column + 1}"


def _found(problem: str) -> str:
    match = _GOT.search(problem)
    if not match:
        return "something else"
    token = match.group(1).strip()
    return _TOKEN_WORDS.get(token, shorten(token, 20))


def _line(text: str, mark: Mark) -> str:
    lines = text.split("\n")
    return lines[mark.line] if mark.line < len(lines) else ""


def _colon_in_value(text: str, mark: Mark | None) -> bool:
    """Whether the ':' at `mark` follows another ': ' on its line (a value holding ': '), not a bad indentation."""
    if mark is None:
        return False
    before = _line(text, mark)[: mark.column]
    return ": " in before or before.rstrip().endswith(":")


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
