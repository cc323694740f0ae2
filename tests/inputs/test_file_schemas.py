"""The JSON Schemas of input files give the verdicts of `invoke validate`, file by file.

Checked with the `jsonschema` package and its format checker (date formats
are checked only with the format-nongpl extra, which the test tools pin).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from events.collect.sources.registry import SOURCES
from events.inputs.file_schemas import FILE_KINDS, as_json, file_schema, file_schemas, schema_header
from events.inputs.groups import load_categories, load_groups, validate_group
from events.inputs.overlays import load_overlays, validate_overlay
from events.inputs.single_events import load_single_events, validate_single_event
from events.inputs.yaml_files import parse_yaml, yaml_files
from events.run.schema_files import SchemaFiles, schemas_command, with_header
from events.run.validate import validate_all
from events.settings import EventsSettings

ROOT = Path(__file__).resolve().parents[2]
LOADERS = {"group": load_groups, "single-event": load_single_events, "overlay": load_overlays}
FIXTURES = {"group": "groups", "single-event": "single_events", "overlay": "overlays"}
FOLDERS = {"group": "_groups", "single-event": "_single_events", "overlay": "_overlays"}
# Rules JSON Schema cannot state (see inputs/file_schemas.py and the README):
# these broken files are rejected by the validator only.
VALIDATOR_ONLY = {
    ("group", "Bad Name.yaml"): "the file name is not a slug",
    ("group", "single-events.yaml"): "the file name is a reserved slug",
    ("group", "dc-python.yml"): "another file has the same slug",
    ("overlay", "self-duplicate.yaml"): "duplicate_of equals event; two overlays of one event",
}


@pytest.fixture(scope="module")
def categories() -> dict[str, str]:
    return load_categories(ROOT / "data" / "categories.yaml")


@pytest.fixture(scope="module")
def validators(categories) -> dict[str, jsonschema.Draft202012Validator]:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return {name: jsonschema.Draft202012Validator(file_schema(name, categories), format_checker=checker) for name in FILE_KINDS}


def _schema_accepts(validator: jsonschema.Draft202012Validator, path: Path) -> bool:
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError):
        return False  # not YAML the reader accepts: nothing for a schema to accept
    return validator.is_valid(as_json(data))


def _rejected_by_validator(kind: str, folder: Path, categories: dict[str, str]) -> set[str]:
    """Names of the files `invoke validate` reports a problem for."""
    problems = LOADERS[kind](folder, categories).problems  # type: ignore[operator]
    return {re.sub(r"\[\d+\]$", "", Path(p.file).name) for p in problems}


def test_the_format_checker_checks_dates():
    assert "date" in jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_each_schema_is_a_valid_2020_12_schema(kind, categories):
    jsonschema.Draft202012Validator.check_schema(file_schema(kind, categories))


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_every_broken_fixture_gets_the_validators_verdict(kind, validators, categories, data_dir):
    folder = data_dir / FIXTURES[kind] / "broken"
    rejected = _rejected_by_validator(kind, folder, categories)
    files = yaml_files(folder)
    assert rejected, "the fixtures hold broken files"
    for path in files:
        schema_ok = _schema_accepts(validators[kind], path)
        if (kind, path.name) in VALIDATOR_ONLY:
            assert schema_ok and path.name in rejected, f"{path.name}: listed as a rule only the validator knows"
            continue
        assert schema_ok == (path.name not in rejected), f"{kind} {path.name}: schema {'accepts' if schema_ok else 'rejects'} it"


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_good_fixtures_pass_both(kind, validators, categories, data_dir):
    folder = data_dir / FIXTURES[kind] / "good"
    assert _rejected_by_validator(kind, folder, categories) == set()
    for path in yaml_files(folder):
        assert _schema_accepts(validators[kind], path), path.name


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_every_file_of_the_repository_passes_its_schema(kind, validators):
    for path in yaml_files(ROOT / FOLDERS[kind]):
        errors = [e.message for e in validators[kind].iter_errors(as_json(parse_yaml(path.read_text(encoding="utf-8"))))]
        assert errors == [], f"{path.name}: {errors}"


def test_the_repository_validates_with_its_schema_lines():
    settings = EventsSettings.from_mapping({}, ROOT)
    checked = validate_all(settings)
    assert checked.problems == ()
    groups = yaml_files(settings.groups_dir)
    with_line = [p for p in groups if p.read_text(encoding="utf-8").startswith(schema_header("group") + "\n")]
    assert len(with_line) > 100  # `invoke schemas` put the line in; a file added by hand without it is still valid


def test_checked_in_schemas_are_up_to_date():
    """A change of the rules (a category, a source setting) comes with `invoke schemas`."""
    planned = SchemaFiles.plan(EventsSettings.from_mapping({}, ROOT), ROOT)
    assert [p.name for p in planned.changes if p.parent == ROOT / "schemas"] == []


def test_schemas_check_fails_on_what_is_out_of_date(tmp_path):
    for folder in ("_groups", "_single_events", "_overlays", "data"):
        (tmp_path / folder).mkdir()
    (tmp_path / "data" / "categories.yaml").write_text("ai: AI\n")
    settings = EventsSettings.from_mapping({}, tmp_path)
    stale = schemas_command(settings, tmp_path, check=True)
    assert stale.failure and "out of date: schemas/group.json" in stale.lines
    assert schemas_command(settings, tmp_path).failure == ""
    assert schemas_command(settings, tmp_path, check=True).failure == ""


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_schema_fields_are_the_validators_fields_with_its_words(kind, categories):
    schema = file_schema(kind, categories)
    body = schema["$defs"]["overlay"] if kind == "overlay" else schema
    fields = FILE_KINDS[kind].fields
    assert list(body["properties"]) == list(fields)
    assert {name: p["description"] for name, p in body["properties"].items()} == dict(fields)
    assert body["additionalProperties"] is False


def test_categories_and_source_types_come_from_their_tables():
    schema = file_schema("group", {"zz-new": "Something new"})
    assert schema["properties"]["categories"]["items"]["enum"] == ["zz-new"]
    assert schema["properties"]["source"]["properties"]["type"]["enum"] == list(SOURCES)
    # Every source setting of the registry is in the branch of its type, and only there.
    for branch in schema["properties"]["source"]["allOf"]:
        kind = branch["if"]["properties"]["type"]["const"]
        assert set(branch["then"]["properties"]) == {"type", "url", *SOURCES[kind].settings}


@pytest.mark.parametrize(
    "kind,data,valid",
    [
        ("group", {"name": "X", "website": "https://x.org/", "ical": "https://x.org/a.ics", "default_state": "va"}, True),
        ("group", {"name": "X", "website": "https://x.org/", "ical": "https://x.org/a.ics", "default_state": "ZZ"}, False),
        ("group", {"name": "X", "website": "https://x.org/", "source": {"type": "libcal", "url": "https://x.org/", "calendar_id": 12}}, True),
        ("group", {"name": "X", "website": "https://x.org/", "source": {"type": "libcal", "url": "https://x.org/", "page_size": 12}}, False),
        ("group", {"name": "X", "website": "https://x.org/", "source": {"type": "json_api", "url": "https://x.org/", "max_pages": 501}}, False),
        ("single-event", {"title": "T", "start": "2026-02-30"}, False),
        ("single-event", {"title": "T", "start": "2026-04-02 18:00", "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=4"}, True),
        ("single-event", {"title": "T", "start": "2026-04-02 18:00", "rrule": "FREQ=HOURLY"}, False),
        ("overlay", [{"event": "0123456789abcdef0123", "hide": True}], True),
        ("overlay", {"event": "0123456789abcdef0123", "location_type": "underwater"}, False),
    ],
)
def test_schema_verdicts_match_the_validator_on_small_cases(kind, data, valid, validators, categories):
    assert validators[kind].is_valid(data) is valid
    assert (_validator_problems(kind, data, categories) == []) is valid


def _validator_problems(kind: str, data: Any, categories: dict[str, str]) -> list[Any]:
    if kind == "group":
        return validate_group("f.yaml", "f", data, categories)
    if kind == "single-event":
        return validate_single_event("f.yaml", "f", data, categories)
    return [p for entry in (data if isinstance(data, list) else [data]) for p in validate_overlay("f.yaml", entry, categories)]


def test_schemas_writes_the_schema_line_once_and_validate_checks_it(tmp_path):
    for folder in ("_groups", "_single_events", "_overlays", "data"):
        (tmp_path / folder).mkdir()
    (tmp_path / "data" / "categories.yaml").write_text("ai: AI\n")
    group = tmp_path / "_groups" / "dc-ai.yaml"
    group.write_text("name: DC AI\nwebsite: https://x.org/\nical: https://x.org/a.ics\n")
    overlay = tmp_path / "_overlays" / "fix.yaml"
    overlay.write_text(f"{schema_header('group')}\nevent: 0123456789abcdef0123\nhide: true\n")
    settings = EventsSettings.from_mapping({}, tmp_path)
    assert [p.file for p in validate_all(settings).problems] == ["_overlays/fix.yaml"]  # a group's schema line on an overlay

    planned = SchemaFiles.plan(settings, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in planned.changes) == [
        "_groups/dc-ai.yaml", "_overlays/fix.yaml", "schemas/group.json", "schemas/overlay.json", "schemas/single-event.json",
    ]
    planned.write()
    assert group.read_text().startswith(schema_header("group") + "\nname: DC AI\n")
    assert overlay.read_text() == f"{schema_header('overlay')}\nevent: 0123456789abcdef0123\nhide: true\n"
    assert SchemaFiles.plan(settings, tmp_path).changes == {}
    assert validate_all(settings).problems == ()
    assert with_header(with_header("a: 1\n", "group"), "group") == f"{schema_header('group')}\na: 1\n"


def test_checked_in_schemas_equal_the_published_ones_but_for_their_id(demo_site, categories):
    for name, schema in file_schemas(categories).items():
        published = (demo_site / "schemas" / name).read_text(encoding="utf-8")
        assert published == (ROOT / "schemas" / name).read_text(encoding="utf-8")  # SITEURL is empty locally: no $id
        assert json.loads(published) == schema
