"""Loading and validating group files."""

from pathlib import Path

import pytest

from events.groups import load_categories, load_groups

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def categories():
    return load_categories(ROOT / "data" / "categories.yaml")


def test_every_group_in_the_repo_is_valid(categories):
    loaded = load_groups(ROOT / "_groups", categories)
    assert [str(p) for p in loaded.problems] == []
    assert len(loaded.groups) == 145
    assert len({g.slug for g in loaded.groups}) == 145


def test_good_files_load_with_their_fields(data_dir, categories):
    loaded = load_groups(data_dir / "groups" / "good", categories)
    assert loaded.problems == ()
    by_slug = {g.slug: g for g in loaded.groups}
    assert by_slug["dc-python"].source_type == "ical"
    assert by_slug["dc-python"].categories == ("software-development", "programming-languages")
    library = by_slug["library-events"]
    assert library.source_type == "libcal"
    assert library.source_options["calendar_id"] == 12345
    assert library.skip_phrases == ("storytime",)
    assert library.default_state == "VA"


def test_broken_files_name_file_field_and_expectation(data_dir, categories):
    loaded = load_groups(data_dir / "groups" / "broken", categories)
    assert loaded.groups == ()
    lines = sorted(str(p) for p in loaded.problems)
    expected = [
        "broken/Bad Name.yaml: slug: file name 'Bad Name' is not a slug; expected lowercase letters, digits, '-' and '_', like dc-python.yaml",
        "broken/bad-types.yaml: active: the text 'yes' is not true or false; expected true or false",
        "broken/bad-types.yaml: categories: unknown category 'not-a-category'; expected a list of category slugs from data/categories.yaml",
        "broken/bad-types.yaml: colour: unknown field; expected one of name, website, active, categories, ical, source, skip_phrases, suppress_urls, fallback_url, default_state, timezone",
        "broken/bad-types.yaml: name: the number 42 is not a name; expected the group's name, a non-empty string",
        "broken/bad-types.yaml: website: 'ftp://example.org/' is not an http(s) URL; expected an http(s) URL",
        "broken/both-sources.yaml: source: give either 'ical' or 'source', not both; expected a mapping with 'type' (one of ical, jsonld, libcal, json_api) and 'url'",
        "broken/no-calendar.yaml: ical: missing: a group needs a calendar ('ical' or 'source'); expected the http(s) URL of an iCalendar feed",
    ]
    assert lines[: len(expected)] == expected
    assert lines[-1].startswith("broken/not-yaml.yaml: file: not valid YAML: ")
    assert len(lines) == len(expected) + 1


def test_a_broken_file_does_not_take_good_ones_with_it(tmp_path, data_dir, categories):
    for source in (data_dir / "groups" / "good").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "broken.yaml").write_text("name: [")
    loaded = load_groups(tmp_path, categories)
    assert sorted(g.slug for g in loaded.groups) == ["dc-python", "library-events"]
    assert [p.file.endswith("broken.yaml") for p in loaded.problems] == [True]
