"""One broken group, single-event or overlay file is one problem line, never a stopped run (issue 11).

Regression tests named after what broke: each of these once raised out of
`load_groups` (so `invoke validate` printed a traceback and `invoke build`
made no site) or printed a line of megabytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from events.inputs.groups import load_categories, load_groups
from events.inputs.overlays import load_overlays
from events.inputs.single_events import load_single_events
from events.inputs.yaml_files import MAX_FILE_BYTES, MAX_PROBLEMS_PER_FILE

ROOT = Path(__file__).resolve().parents[2]
GOOD = "name: Good Group\nwebsite: https://good.example.org/\nical: https://good.example.org/events.ics\n"
MAX_LINE = 600


@pytest.fixture(scope="module")
def categories():
    return load_categories(ROOT / "data" / "categories.yaml")


def load_with_a_good_neighbour(folder: Path, text: str | bytes, categories):
    folder.mkdir(exist_ok=True)
    (folder / "good-group.yaml").write_text(GOOD, encoding="utf-8")
    bad = folder / "bad-group.yaml"
    bad.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    loaded = load_groups(folder, categories)
    assert [g.slug for g in loaded.groups] == ["good-group"]
    assert loaded.problems and all(p.file.endswith("bad-group.yaml") for p in loaded.problems)
    assert all(len(str(p)) <= MAX_LINE for p in loaded.problems)
    assert loaded.broken_slugs == {"bad-group"}
    return loaded


def test_timezone_america_is_a_problem_not_is_a_directory_error(tmp_path, categories):
    loaded = load_with_a_good_neighbour(tmp_path / "g", GOOD + "timezone: America\n", categories)
    assert [str(p) for p in loaded.problems] == [
        "g/bad-group.yaml: timezone: 'America' is not a timezone; expected an IANA timezone such as America/New_York"
    ]
    assert loaded.problems[0].line == 4
    assert loaded.problems[0].location == "g/bad-group.yaml:4"


def test_timezone_longer_than_a_file_name_is_a_problem_not_os_error(tmp_path, categories):
    loaded = load_with_a_good_neighbour(tmp_path / "g", GOOD + f"timezone: {'A' * 300}\n", categories)
    (problem,) = loaded.problems
    assert problem.field == "timezone" and problem.message == f"'{'A' * 77}...' is not a timezone"


@pytest.mark.parametrize(
    "zone, message",
    [
        ("[America/New_York]", "a list is not a timezone"),
        ("../../etc/passwd", "'../../etc/passwd' is not a timezone"),
        ("/etc/localtime", "'/etc/localtime' is not a timezone"),
        ("America/", "'America/' is not a timezone"),
        ("42", "the number 42 is not a timezone"),
    ],
)
def test_odd_timezones_are_problems(tmp_path, categories, zone, message):
    loaded = load_with_a_good_neighbour(tmp_path / "g", GOOD + f"timezone: {zone}\n", categories)
    assert [p.message for p in loaded.problems] == [message]


@pytest.mark.parametrize(
    "extra, line",
    [
        ("source: {type: [ical]}\n", "source.type: a list is not a source type; expected one of ical, jsonld, libcal, json_api"),
        ("default_state: [VA]\n", "default_state: a list is not a US state code; expected a two-letter US state code such as VA"),
        ("skip_phrases: [[a]]\n", "skip_phrases: a list is not a list of non-empty strings; expected a list of strings"),
        ("categories: [{a: 1}]\n", "categories: a list is not a list of strings; expected a list of category slugs from data/categories.yaml"),
    ],
)
def test_a_list_where_a_text_is_expected_is_a_problem(tmp_path, categories, extra, line):
    text = GOOD.replace("ical: https://good.example.org/events.ics\n", "") if extra.startswith("source") else GOOD
    loaded = load_with_a_good_neighbour(tmp_path / "g", text + extra, categories)
    assert [str(p).split(": ", 1)[1] for p in loaded.problems] == [line]


def test_alias_bomb_of_320_bytes_is_refused_in_one_short_line(tmp_path, categories):
    rows = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    bomb = "\n".join(rows) + "\n"
    assert len(bomb) < 400
    loaded = load_with_a_good_neighbour(tmp_path / "g", bomb, categories)
    assert [str(p) for p in loaded.problems] == [
        "g/bad-group.yaml: line 6, column 4: aliases (*) expand this value past 1,000,000 values and characters; "
        "expected each value written out, without anchors (&) and aliases (*)"
    ]


def test_a_few_aliases_are_still_read(tmp_path, categories):
    text = "name: &n Good\nwebsite: https://e.org/\nical: https://e.org/c.ics\nskip_phrases: [*n]\n"
    (tmp_path / "aliases.yaml").write_text(text)
    loaded = load_groups(tmp_path, categories)
    assert loaded.problems == () and loaded.groups[0].skip_phrases == ("Good",)


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: &a [*a]\n", "line 1, column 4: an alias (*) refers to the value it is part of"),
        ("name: " + "[" * 100_000 + "\n", "line 1, column 46: values nested more than 40 levels deep"),
        ("name: X\nstart: 2026-13-45\n", "line 2, column 8: '2026-13-45' looks like a date but is not one (month must be in 1..12)"),
        ("name: " + "1" * 5000 + "\n", "line 1, column 7: the number 1111111111111111111111111111111111111... cannot be read"),
        ("name: X\nwebsite: a\nname: Y\n", "line 3, column 1: the field 'name' is given twice (first on line 1)"),
    ],
)
def test_values_pyyaml_cannot_build_are_problems_with_a_line(tmp_path, categories, text, line):
    loaded = load_with_a_good_neighbour(tmp_path / "g", text, categories)
    (problem,) = loaded.problems
    assert str(problem).split(": ", 1)[1].startswith(line)


def test_a_file_over_the_size_cap_is_not_parsed(tmp_path, categories):
    text = GOOD + "skip_phrases:\n" + "  - spam\n" * (MAX_FILE_BYTES // 9)
    loaded = load_with_a_good_neighbour(tmp_path / "g", text, categories)
    assert [str(p) for p in loaded.problems] == ["g/bad-group.yaml: file: the file is larger than 256 KiB; expected a group YAML file of a few lines"]


def test_bytes_that_are_not_utf8_name_their_line(tmp_path, categories):
    loaded = load_with_a_good_neighbour(tmp_path / "g", GOOD.encode() + b"skip_phrases: [caf\xe9]\n", categories)
    assert [(str(p), p.line) for p in loaded.problems] == [("g/bad-group.yaml: file: byte 0xe9 is not UTF-8 text; expected a UTF-8 text file", 4)]


def test_a_folder_named_like_a_group_file_is_a_problem(tmp_path, categories):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "good-group.yaml").write_text(GOOD)
    (tmp_path / "g" / "folder.yaml").mkdir()
    loaded = load_groups(tmp_path / "g", categories)
    assert [g.slug for g in loaded.groups] == ["good-group"]
    assert [str(p) for p in loaded.problems] == ["g/folder.yaml: file: is a folder, not a file; expected a group YAML file"]


def test_long_unknown_fields_and_values_stay_short(tmp_path, categories):
    loaded = load_with_a_good_neighbour(tmp_path / "g", GOOD + f"{'k' * 1000}: {'v' * 5000}\nwebsite2: [{'x, ' * 3000}x]\n", categories)
    assert len(loaded.problems) == 2
    too_long = load_with_a_good_neighbour(tmp_path / "h", GOOD + f"{'k' * 5000}: v\n", categories)
    assert [p.message for p in too_long.problems] == ["a field name longer than 1024 characters"]


def test_field_problems_carry_the_line_of_their_field(tmp_path, categories):
    text = "name: G\nwebsite: https://e.org/\nsource:\n  type: ical\n  url: ftp://e.org/c.ics\n"
    (tmp_path / "g.yaml").write_text(text)
    (problem,) = load_groups(tmp_path, categories).problems
    assert (problem.field, problem.line, str(problem).startswith(f"{tmp_path.name}/g.yaml: source.url: ")) == ("source.url", 5, True)


def test_a_renamed_or_duplicate_file_is_not_a_broken_slug(tmp_path, categories):
    (tmp_path / "good-group.yaml").write_text(GOOD)
    (tmp_path / "good-group.yml").write_text(GOOD)
    (tmp_path / "single-events.yaml").write_text(GOOD)
    loaded = load_groups(tmp_path, categories)
    assert [g.slug for g in loaded.groups] == ["good-group"] and len(loaded.problems) == 2
    assert loaded.broken_slugs == frozenset()


# The same isolation for events added by hand and for overlays.
SINGLE = "title: Mixer\nstart: 2026-04-02 18:00\n"


@pytest.mark.parametrize(
    "extra, line",
    [
        ("timezone: America\n", "bad.yaml: timezone: 'America' is not a timezone; expected an IANA timezone such as America/New_York"),
        ("timezone: [America/New_York]\n", "bad.yaml: timezone: a list is not a timezone; expected an IANA timezone such as America/New_York"),
        ("end: 2026-02-30\n", "bad.yaml: line 3, column 6: '2026-02-30' looks like a date but is not one (day is out of range for month); "
                              "expected a real date such as 2026-04-02, or quotes around the text"),
    ],
)
def test_a_broken_single_event_leaves_the_others(tmp_path, categories, extra, line):
    (tmp_path / "good.yaml").write_text(SINGLE)
    (tmp_path / "bad.yaml").write_text(SINGLE + extra)
    loaded = load_single_events(tmp_path, categories)
    assert [e.slug for e in loaded.events] == ["good"]
    assert [str(p).split("/", 1)[1] for p in loaded.problems] == [line]


def test_a_broken_overlay_in_a_list_names_its_entry_and_line(tmp_path, categories):
    good = "- event: " + "a" * 20 + "\n  hide: true\n"
    bad = "- event: " + "b" * 20 + "\n  location_type: [virtual]\n"
    (tmp_path / "list.yaml").write_text(good + bad)
    loaded = load_overlays(tmp_path, categories)
    assert list(loaded.overlays) == ["a" * 20]
    (problem,) = loaded.problems
    assert (problem.file.endswith("list.yaml[1]"), problem.field, problem.line) == (True, "location_type", 4)


def test_a_long_list_of_bad_items_is_not_a_flood_of_problem_lines(tmp_path, categories):
    text = GOOD + "categories: [" + ", ".join(f"nope-{n}" for n in range(5000)) + "]\n"
    loaded = load_with_a_good_neighbour(tmp_path / "g", text, categories)
    assert len(loaded.problems) == MAX_PROBLEMS_PER_FILE
    assert str(loaded.problems[0]).startswith("g/bad-group.yaml: categories: unknown category 'nope-0'")
    assert str(loaded.problems[-1]) == "g/bad-group.yaml: file: 4981 more problem(s) not shown; expected the ones above fixed first"
