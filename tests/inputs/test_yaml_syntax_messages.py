"""A YAML syntax error reads in a contributor's words, with the file, line and column (issue 15).

Regression: PyYAML's own text ("while parsing a flow sequence in "<unicode
string>", line 4, column 13 ...") did not name the file and ended with the
wrong hint ("expected a YAML mapping"). The lines are golden.
"""

from __future__ import annotations

import pytest
import yaml

from events.inputs.yaml_files import read_document
from events.inputs.yaml_text import _FastLoader, _load, _PythonLoader

CASES = {
    "unclosed-list": (
        "name: X\ncategories: [ai, data\nwebsite: https://e.org/\n",
        "line 2, column 13: a list opened with '[' is not closed (found ':' on line 3, column 8); expected a ']' after the last item, such as [ai, data]",
    ),
    "unclosed-list-at-end": (
        "name: X\ncategories: [ai, data\n",
        "line 2, column 13: a list opened with '[' is not closed (found the end of the file on line 3, column 1); "
        "expected a ']' after the last item, such as [ai, data]",
    ),
    "unclosed-mapping": (
        "name: X\nsource: {type: ical, url: https://e.org/c.ics\nwebsite: https://e.org/\n",
        "line 2, column 9: a mapping opened with '{' is not closed (found ':' on line 3, column 8); "
        "expected a '}' after the last field, such as {type: ical, url: https://...}",
    ),
    "colon-in-value": (
        "name: DC: Python\n",
        "line 1, column 9: a ': ' inside a value; expected quotes around a value that contains ': ', such as name: \"DC: Python\"",
    ),
    "indented-too-far": (
        "name: X\n  website: https://e.org/\n",
        "line 2, column 10: this line is indented more than the field above it; expected every field of a mapping starting in the same column",
    ),
    "indented-between": (
        "source:\n    type: ical\n  url: https://e.org/c.ics\n",
        "line 3, column 3: this line is indented like no field above it; expected every field of a mapping starting in the same column",
    ),
    "tab-indent": ("source:\n\ttype: ical\n", "line 2, column 1: a tab character: YAML indents with spaces only; expected spaces instead of tabs"),
    "unterminated-double-quote": (
        'name: "DC Python\nwebsite: https://e.org/\n',
        "line 1, column 7: a quote opened here is never closed; expected the same quote (\" or ') at the end of the value",
    ),
    "unterminated-single-quote": (
        "name: 'DC Python\nwebsite: https://e.org/\n",
        "line 1, column 7: a quote opened here is never closed; expected the same quote (\" or ') at the end of the value",
    ),
    "no-colon": (
        "name: X\nwebsite\n",
        "line 2, column 1: a line with no ':' where a field was expected; expected 'field: value', or a long value continued on lines indented under its field",
    ),
    "list-item-at-field-column": (
        "categories:\n- ai\nname: X\n- oops\n",
        "line 4, column 1: a list item ('- ') in the column of the fields; "
        "expected the list's items indented under their field, such as '  - ai' under 'categories:'",
    ),
    "at-sign": ("name: @dcpython\n", "line 1, column 7: a value cannot start with '@'; expected quotes around the value, such as \"@...\""),
    "duplicate-key": (
        "name: X\nwebsite: https://e.org/\nname: Y\n",
        "line 3, column 1: the field 'name' is given twice (first on line 1); expected each field once",
    ),
    "two-documents": (
        "name: X\n---\nname: Y\n",
        "line 2, column 1: a second YAML document ('---') in the file; expected one document per file: remove the '---' line",
    ),
    "text-after-quote": (
        "name: 'DC' Python\n",
        "line 1, column 12: more text where the line should end (after a closing quote?); "
        "expected quotes around the whole value, such as name: \"'DC' Python\"",
    ),
    "python-tag": (
        "name: !!python/object/apply:os.system [ls]\n",
        "line 1, column 7: the tag '!!python/object/apply:os.system' is not allowed; expected plain values without tags ('!')",
    ),
    "undefined-alias": ("name: *x\n", "line 1, column 7: the alias *x names no anchor; expected quotes around a value that starts with '*'"),
    "control-character": ("name: a\x07b\n", "line 1, column 8: the character U+0007 is not allowed in a YAML file; expected text without control characters"),
}


@pytest.mark.parametrize("name", CASES)
def test_syntax_error_names_file_line_and_column_in_plain_words(tmp_path, name):
    text, golden = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    document, problem = read_document(path, f"_groups/{name}.yaml", "a group YAML file")
    assert document is None and problem is not None
    assert str(problem) == f"_groups/{name}.yaml: {golden}"
    line, column = golden.removeprefix("line ").split(":")[0].split(", column ")
    assert (problem.line, problem.column, problem.location) == (int(line), int(column), f"_groups/{name}.yaml:{line}:{column}")


@pytest.mark.skipif(_FastLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize(
    "text", ["name: X\nsource:\n  type: ical\n  url: https://e.org/c.ics\ncategories: [ai, data]\n", "a: &x [1, 2]\nb: *x\n", "", "- 1\n- {a: 2020-01-01}\n"]
)
def test_libyaml_and_python_loaders_agree(text):
    fast, slow = _load(_FastLoader, text), _load(_PythonLoader, text)
    assert fast == slow
    assert fast.data == yaml.safe_load(text)
