"""Loading and validating group files; the problem lines are golden text."""

from pathlib import Path

import pytest

from events.inputs.groups import load_categories, load_groups

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def categories():
    return load_categories(ROOT / "data" / "categories.yaml")


def test_every_group_in_the_repo_is_valid(categories):
    loaded = load_groups(ROOT / "_groups", categories)
    assert [str(p) for p in loaded.problems] == []
    assert len(loaded.groups) == len(list((ROOT / "_groups").glob("*.yaml")))
    assert len({g.slug for g in loaded.groups}) == len(loaded.groups)


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


def test_broken_files_give_the_golden_problem_lines(data_dir, categories):
    """Every kind of error: unknown fields, wrong types, non-http(s) URLs, duplicate
    slugs, unknown categories, bad source blocks, not YAML, not a mapping."""
    loaded = load_groups(data_dir / "groups" / "broken", categories)
    golden = (data_dir / "groups" / "broken.expected.txt").read_text(encoding="utf-8").splitlines()
    assert [str(p) for p in loaded.problems] == golden
    # The one good file of the folder still loads; its twin with .yml is the duplicate.
    assert [g.slug for g in loaded.groups] == ["dc-python"]


@pytest.mark.parametrize(
    "field, fragment",
    [
        ("colour", "unknown field"),
        ("website", "is not an http(s) URL"),
        ("suppress_urls", "'javascript:alert(1)' is not an http(s) URL"),
        ("active", "is not true or false"),
        ("categories", "unknown category 'not-a-category'"),
        ("slug", "duplicate slug 'dc-python'"),
        ("source.type", "'eventbrite' is not a source type"),
        ("source.colour", "unknown setting for a json_api source"),
        ("source.page_size", "the text 'fifty' is not a whole number"),
        ("source.event_links", "is not a valid CSS selector"),
        ("source", "is not a mapping"),
        ("timezone", "'Eastern' is not a timezone"),
        ("default_state", "'Virginia' is not a US state code"),
    ],
)
def test_each_kind_of_error_names_its_field(data_dir, categories, field, fragment):
    loaded = load_groups(data_dir / "groups" / "broken", categories)
    assert any(p.field == field and fragment in p.message and p.expected for p in loaded.problems)


def test_a_broken_file_does_not_take_good_ones_with_it(tmp_path, data_dir, categories):
    for source in (data_dir / "groups" / "good").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "broken.yaml").write_text("name: [")
    loaded = load_groups(tmp_path, categories)
    assert sorted(g.slug for g in loaded.groups) == ["dc-python", "library-events"]
    assert [p.file.endswith("broken.yaml") for p in loaded.problems] == [True]


def test_duplicate_slug_is_found_among_files_given_outside_the_folder(tmp_path, data_dir, categories):
    one, two = tmp_path / "a" / "dc-python.yaml", tmp_path / "b" / "dc-python.yaml"
    for path in (one, two):
        path.parent.mkdir()
        path.write_text((data_dir / "groups" / "good" / "dc-python.yaml").read_text())
    loaded = load_groups(tmp_path / "empty", categories, [one, two])
    assert len(loaded.groups) == 1
    assert [p.field for p in loaded.problems] == ["slug"]


@pytest.mark.parametrize(
    "source, problem",
    [
        ({"type": "ical", "url": "https://e.org/c.ics", "enrich": "yes"}, "source.enrich: the text 'yes' is not true or false"),
        ({"type": "libcal", "url": "https://e.libcal.com/", "calendar_id": "abc"}, "source.calendar_id: the text 'abc' is not a whole number"),
        ({"type": "json_api", "url": "https://e.org/api", "max_pages": 9999}, "source.max_pages: 9999 is out of range"),
        ({"url": "https://e.org/api"}, "source.type: missing"),
        ({"type": "jsonld"}, "source.url: missing"),
    ],
)
def test_source_settings_are_checked_by_type(tmp_path, categories, source, problem):
    import yaml

    path = tmp_path / "group.yaml"
    path.write_text(yaml.safe_dump({"name": "G", "website": "https://e.org/", "source": source}))
    loaded = load_groups(tmp_path, categories)
    assert [str(p).split(": ", 1)[1].split("; expected")[0] for p in loaded.problems] == [problem]
