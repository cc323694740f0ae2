"""`invoke validate`: one line per problem, non-zero exit status on any."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def invoke_validate(*files: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "invoke", "validate", *(["--", *files] if files else [])],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_broken_group_files_print_the_golden_lines_and_fail():
    result = invoke_validate(EVENTS_GROUPS_DIR=str(DATA / "groups" / "broken"))
    golden = (DATA / "groups" / "broken.expected.txt").read_text(encoding="utf-8")
    assert result.returncode != 0
    assert result.stdout == golden
    assert "problem(s) found" in result.stderr


def test_given_files_are_checked_by_their_folder():
    result = invoke_validate(
        str(DATA / "single_events" / "broken" / "bad-rule.yaml"),
        str(DATA / "overlays" / "broken" / "changes-nothing.yaml"),
        EVENTS_SINGLE_EVENTS_DIR=str(DATA / "single_events" / "broken"),
        EVENTS_OVERLAYS_DIR=str(DATA / "overlays" / "broken"),
    )
    assert result.returncode != 0
    assert result.stdout.splitlines() == [
        "broken/bad-rule.yaml: rrule: 'FREQ=FORTNIGHTLY' is not a valid rule (Expected frequency, got: FORTNIGHTLY); "
        "expected an RFC 5545 recurrence rule such as FREQ=MONTHLY;BYDAY=1TH",
        "broken/bad-rule.yaml: exdates: the text 'tomorrow' is not a list of dates; expected a list of dates (or dates and times) of the rule to skip",
        "broken/changes-nothing.yaml: file: changes nothing; expected at least one of hide, duplicate_of, title, categories, location, location_type",
    ]


def test_the_repository_is_valid():
    result = invoke_validate()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("OK")


def test_good_single_events_and_overlays_pass():
    result = invoke_validate(
        EVENTS_GROUPS_DIR=str(DATA / "groups" / "good"),
        EVENTS_SINGLE_EVENTS_DIR=str(DATA / "single_events" / "good"),
        EVENTS_OVERLAYS_DIR=str(DATA / "overlays" / "good"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "2 group file(s), 3 single event(s), 4 overlay(s) OK"


NASTY_GROUPS = {
    "timezone-america.yaml": "name: A\nwebsite: https://e.org/\nical: https://e.org/c.ics\ntimezone: America\n",
    "timezone-long.yaml": f"name: A\nwebsite: https://e.org/\nical: https://e.org/c.ics\ntimezone: {'A' * 300}\n",
    "type-list.yaml": "name: A\nwebsite: https://e.org/\nsource: {type: [ical]}\n",
    "alias-bomb.yaml": "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True)),
    "deep.yaml": "name: " + "[" * 50_000 + "\n",
    "bad-date.yaml": "name: A\nwebsite: 2026-13-45\n",
    "garbage.yaml": "\x00\x01\x02 binary",
    "unclosed.yaml": "name: A\ncategories: [ai\nwebsite: https://e.org/\n",
}


def test_validate_never_prints_a_traceback_whatever_the_files(tmp_path):
    groups, singles, overlays = (tmp_path / name for name in ("_groups", "_single_events", "_overlays"))
    for folder in (groups, singles, overlays):
        folder.mkdir()
        for name, text in NASTY_GROUPS.items():
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "a-folder.yaml").mkdir()
        (folder / "not-utf8.yaml").write_bytes(b"name: caf\xe9\n")
    (groups / "good.yaml").write_text("name: Good\nwebsite: https://e.org/\nical: https://e.org/c.ics\n", encoding="utf-8")
    result = invoke_validate(EVENTS_GROUPS_DIR=str(groups), EVENTS_SINGLE_EVENTS_DIR=str(singles), EVENTS_OVERLAYS_DIR=str(overlays))
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 600 for line in lines)
    for folder in ("_groups", "_single_events", "_overlays"):
        for name in [*NASTY_GROUPS, "a-folder.yaml", "not-utf8.yaml"]:
            assert any(line.startswith(f"{folder}/{name}") for line in lines), f"{folder}/{name}"
    assert not any(line.startswith("_groups/good.yaml") for line in lines)
    assert "_groups/timezone-america.yaml: timezone: 'America' is not a timezone; expected an IANA timezone such as America/New_York" in lines
