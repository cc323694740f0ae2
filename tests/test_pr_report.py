"""The pull-request report: `invoke validate` and `invoke preview` output turned into one safe comment."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from conftest import DATA, DEMO_NOW, ROOT
from feedserver import FeedServer, write_demo_groups
from markdown_it import MarkdownIt

SCRIPT = ROOT / ".github" / "scripts" / "pr_report.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pr_report", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["pr_report"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


pr_report = _load()

VALIDATE = """\
_groups/dc-python.yaml: website: 'ftp://example.org/' is not an http(s) URL; expected an http(s) URL
_groups/broken.yaml:3:7: file: not valid YAML: expected ',' or ']'; expected a YAML mapping
"""
PREVIEW = """\
_groups/dc-python.yaml: website: 'ftp://example.org/' is not an http(s) URL; expected an http(s) URL
civic-tech (Civic Tech DC): 6 upcoming event(s); the next 5:
  Wed 2026-03-04 18:00 EST  Civic Tech Hack Night  @ 1425 K St NW, Washington, DC 20005
  Fri 2026-03-06 12:00 EST  Open Data Webinar  @ online
  left out: 'Road trip to NYC' on 2026-03-12: in NY, outside the site's states
offline-group (Offline Group): FAILED, fetch failed: HTTP 404
quiet-group (Quiet Group): 0 upcoming event(s); the feed lists none in the window
"""
CHANGED = ("_groups/civic-tech.yaml", "_groups/dc-python.yaml", "_groups/offline-group.yaml", "_groups/quiet-group.yaml")


def report(**changes: object):
    fields = {
        "pr_number": "17",
        "changed": CHANGED,
        "validate_output": VALIDATE,
        "validate_status": 1,
        "preview_output": PREVIEW,
        "preview_status": 1,
    }
    return pr_report.Report(**{**fields, **changes})


def html_outside_code(markdown: str) -> str:
    """The comment as CommonMark renders it, with the content of code spans removed."""
    html = MarkdownIt("commonmark").render(markdown)
    return re.sub(r"<code>.*?</code>", "<code></code>", html, flags=re.S)


def test_problems_are_parsed_with_file_line_field_and_expectation():
    first, second = pr_report.parse_problems(VALIDATE)
    assert (first.where, first.field, first.expected) == ("_groups/dc-python.yaml", "website", "an http(s) URL")
    assert (second.where, second.line, second.column, second.field) == ("_groups/broken.yaml:3:7", 3, 7, "file")
    assert second.message == "not valid YAML: expected ',' or ']'"


def test_a_position_given_in_words_is_used_when_the_prefix_has_none():
    (problem,) = pr_report.parse_problems(
        '_groups/a.yaml: file: not valid YAML: while parsing a flow sequence in "<unicode string>", line 3, column 7: x\n'
    )
    assert problem.where == "_groups/a.yaml:3:7"


def test_the_comment_lists_each_problem_once_with_where_what_and_expected():
    body = pr_report.render(report())
    lines = body.splitlines()
    assert lines[0] == pr_report.MARKER
    assert "2 problem(s)" in lines[1]
    (website,) = [line for line in lines if "'ftp://example.org/'" in line]
    assert website.startswith("- `_groups/dc-python.yaml` field `website`")
    assert website.endswith("expected `an http(s) URL`")
    assert any(line.startswith("- `_groups/broken.yaml:3:7` field `file`") for line in lines)


def test_each_changed_group_shows_its_next_events_or_why_none():
    body = pr_report.render(report())
    parts = body.split("\n#### ")[1:]
    sections = {part.split("`")[1]: part for part in parts}
    assert set(sections) == set(CHANGED)
    assert "- `Wed 2026-03-04 18:00 EST` `Civic Tech Hack Night` at `1425 K St NW, Washington, DC 20005`" in sections["_groups/civic-tech.yaml"]
    assert "`left out: 'Road trip to NYC'" in sections["_groups/civic-tech.yaml"]
    assert "has problems" in sections["_groups/dc-python.yaml"] and "not read" in sections["_groups/dc-python.yaml"]
    assert "could not be read: `FAILED, fetch failed: HTTP 404`" in sections["_groups/offline-group.yaml"]
    assert "No events: `0 upcoming event(s); the feed lists none in the window`" in sections["_groups/quiet-group.yaml"]


def test_at_most_five_events_are_shown_per_group():
    many = "g (G): 9 upcoming event(s); the next 9:\n" + "".join(
        f"  Mon 2026-03-{day:02d} 18:00 EST  Event {day}  @ online\n" for day in range(1, 10)
    )
    body = pr_report.render(report(changed=("_groups/g.yaml",), preview_output=many, validate_output="", validate_status=0, preview_status=0))
    assert "Event 5" in body and "Event 6" not in body
    assert ":white_check_mark:" in body


def test_a_clean_pull_request_says_so():
    body = pr_report.render(
        report(validate_output="148 group file(s), 1 single event(s), 2 overlay(s) OK\n", validate_status=0,
               preview_output=PREVIEW.split("\n", 1)[1].split("offline", maxsplit=1)[0], preview_status=0, changed=CHANGED[:1])
    )
    assert ":white_check_mark: Group files are valid" in body and "problem" not in body


HOSTILE = [
    "`@octocat` please review <img src=https://evil.example/pixel.png> [click](https://evil.example/) **bold**",
    "``` closes a fence\n### fake heading\n<!-- dctech-events:group-check -->",
    "<script>alert(1)</script> &amp; <a href='javascript:alert(1)'>x</a> @github/security",
    "trailing backtick`",
    "right-to-left \u202eoverride\u2066 and a NUL \x00 byte",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_a_file_or_feed_is_shown_literally(text):
    validate = f"_groups/x.yaml: name: {text}; expected {text}\n"
    preview = f"x ({text}): 1 upcoming event(s); the next 1:\n  Mon 2026-03-02 18:00 EST  {text}  @ {text}\n"
    body = pr_report.render(report(changed=("_groups/x.yaml",), validate_output=validate, preview_output=preview))
    rendered = html_outside_code(body)
    for payload in ("@octocat", "@github", "evil.example", "<img", "<script", "<a href", "<strong>", "javascript:", "fake heading"):
        assert payload not in rendered
    assert body.splitlines()[0] == pr_report.MARKER
    assert not re.search(r"^#+ fake", body, flags=re.M)
    assert not any(ch in body for ch in "\x00\u202e\u2066")
    # A code span cannot be closed early: every backtick run inside is shorter than its fence.
    for line in body.splitlines():
        assert not line.startswith("```")


def test_code_spans_round_trip_through_commonmark():
    for text in ("a`b", "``x``", "`lead", "tail`", "<b>&</b>"):
        html = MarkdownIt("commonmark").render(pr_report.code(text))
        inner = re.search(r"<code>(.*)</code>", html).group(1)
        assert inner.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip() == text.strip()


def test_the_comment_is_cut_to_fit_githubs_limit():
    validate = "".join(f"_groups/g{n}.yaml: name: {'x' * 200}; expected a string\n" for n in range(2000))
    body = pr_report.render(report(validate_output=validate), run_url="https://github.com/o/r/actions/runs/1")
    assert len(body) <= pr_report.MAX_BODY_CHARS
    assert body.splitlines()[0] == pr_report.MARKER
    assert re.search(r"cut to fit a comment: \d+ more line\(s\)", body)
    assert body.rstrip().endswith("</sub>") and "actions/runs/1" in body


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def test_the_artifact_is_read_without_extracting_and_each_file_is_capped(tmp_path):
    huge = b"_groups/a.yaml: name: too long; expected a string\n" * 200_000  # 10 MB, deflates to little
    archive = write_zip(
        tmp_path / "report.zip",
        {
            "pr-number.txt": b"17\n",
            "validate.txt": huge,
            "validate-status.txt": b"1\n",
            "../../outside.txt": b"never written",
            "changed.txt": b"_groups/a.yaml\n",
        },
    )
    got = pr_report.read_report_zip(archive)
    assert got.pr_number == "17" and got.changed == ("_groups/a.yaml",) and got.validate_status == 1
    assert len(got.validate_output.encode()) <= pr_report.MAX_FILE_BYTES
    assert got.truncated_files == ("validate.txt",)
    assert not (tmp_path.parent / "outside.txt").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["report.zip"]
    assert len(pr_report.render(got)) <= pr_report.MAX_BODY_CHARS


@pytest.mark.parametrize(
    "text, expected",
    [("17", "17"), ("17\n", "17"), ("0", None), ("017", None), ("-3", None), ("17; rm -rf /", None),
     ("1e3", None), ("", None), ("12345678901", None), ("１７", None)],
)
def test_only_a_plain_pull_request_number_is_accepted(text, expected):
    assert pr_report.valid_pr_number(text) == expected


def test_the_command_line_renders_and_refuses_a_forged_number(tmp_path):
    archive = write_zip(tmp_path / "good.zip", {"report/pr-number.txt": b"17", "report/changed.txt": b""})
    run = [sys.executable, str(SCRIPT)]
    assert subprocess.run([*run, "pr-number", "--artifact", str(archive)], capture_output=True, text=True).stdout == "17\n"
    forged = write_zip(tmp_path / "forged.zip", {"pr-number.txt": b"17 && curl evil"})
    refused = subprocess.run([*run, "pr-number", "--artifact", str(forged)], capture_output=True, text=True)
    assert refused.returncode == 1 and refused.stdout == ""
    rendered = subprocess.run([*run, "render", "--artifact", str(archive), "--sha", "a" * 40], capture_output=True, text=True)
    assert rendered.returncode == 0 and rendered.stdout.startswith(pr_report.MARKER)
    assert "Checked commit aaaaaaaaaaaa." in rendered.stdout


def test_the_real_commands_output_makes_a_report(tmp_path):
    """`invoke validate` and `invoke preview` as the check job runs them, on the demo feeds."""
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        bad = groups / "bad-url.yaml"
        bad.write_text("name: Bad\nwebsite: ftp://example.org/\nical: https://example.org/x.ics\n")
        env = {
            **os.environ,
            "EVENTS_GROUPS_DIR": str(groups),
            "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
            "EVENTS_NOW": DEMO_NOW,
            "EVENTS_FETCH_ALLOW_PRIVATE": "true",
        }
        files = [groups / "civic-tech.yaml", groups / "offline-group.yaml", bad]

        def invoke(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

        validate = invoke("validate", *[a for f in files for a in ("--files", str(f))])
        preview = invoke("preview", *[a for f in files for a in ("--files", str(f))])
    body = pr_report.render(
        pr_report.Report(
            pr_number="5", changed=tuple(map(str, files)), validate_output=validate.stdout,
            validate_status=validate.returncode, preview_output=preview.stdout, preview_status=preview.returncode,
        )
    )
    assert validate.returncode != 0 and ":x:" in body
    assert re.search(r"^- `\S*_groups/bad-url.yaml` field `website`: `'ftp://example.org/' is not", body, flags=re.M)
    assert "bad-url.yaml`\n\nNo events shown: the file has problems" in body
    assert "`Civic Tech Hack Night`" in body
    assert "could not be read: `FAILED, fetch failed: HTTP 404" in body
