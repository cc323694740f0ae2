"""The pull-request comment: the check job stays read-only, the poster treats its report as untrusted data.

The poster's shell steps run here for real, with bash and jq, against a
stand-in for the `gh` command line that answers like GitHub's REST API and
records every write.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from workflow_steps import run_job

WORKFLOWS = ROOT / ".github" / "workflows"
REPORT_FILES = ("pr-number.txt", "changed.txt", "validate.txt", "validate-status.txt", "preview.txt", "preview-status.txt")
HEAD_SHA = "c0ffee" + "0" * 34
REPO = "dctech-events/site"

def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def job(name: str) -> dict:
    (only,) = load(name)["jobs"].values()
    return only


def test_the_check_job_is_read_only_and_uploads_its_report_whatever_happened():
    workflow = load("groups.yml")
    assert workflow["permissions"] == {"contents": "read"}
    assert list(workflow["on"]) == ["pull_request"]
    steps = job("groups.yml")["steps"]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == "group-report"
    # The last step fails the check, after the report is safely uploaded.
    assert steps.index(upload) < len(steps) - 1 and "exit 1" in steps[-1]["run"]
    script = "\n".join(s.get("run", "") for s in steps)
    # What the job writes is exactly what pr_report.py reads.
    assert set(re.findall(r"report/([a-z-]+\.txt)", script)) == set(REPORT_FILES)


def test_the_poster_runs_after_the_check_with_only_the_rights_it_needs():
    workflow = load("groups-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == [load("groups.yml")["name"]]
    assert workflow["on"]["workflow_run"]["types"] == ["completed"]
    assert workflow["permissions"] == {"contents": "read", "actions": "read", "pull-requests": "write"}
    poster = job("groups-comment.yml")
    assert "github.event.workflow_run.event == 'pull_request'" in poster["if"]
    text = (WORKFLOWS / "groups-comment.yml").read_text()
    assert "secrets." not in text and "pull_request_target" not in text


def test_the_poster_never_checks_out_or_runs_the_pull_requests_code():
    steps = job("groups-comment.yml")["steps"]
    for step in steps:
        if step.get("uses", "").startswith("actions/checkout@"):
            # No `ref:` means the default branch's commit, never the pull request's head.
            assert "ref" not in step.get("with", {}) and "repository" not in step.get("with", {})
            assert step["with"]["sparse-checkout"] == ".github/scripts"
        run = step.get("run", "")
        assert "invoke " not in run and "pip install" not in run and "unzip" not in run
        # Event data reaches scripts through the environment, never spliced into the script.
        assert "${{" not in run


# --- the poster's steps, run for real ---------------------------------------------------------------


def report_zip(path: Path, pr_number: str = "17", title: str = "Civic Tech Hack Night") -> Path:
    files = {
        "pr-number.txt": pr_number,
        "changed.txt": "_groups/civic-tech.yaml\n",
        "validate.txt": "148 group file(s) OK\n",
        "validate-status.txt": "0\n",
        "preview.txt": f"civic-tech (Civic Tech DC): 1 upcoming event(s); the next 1:\n  Wed 2026-03-04 18:00 EST  {title}  @ online\n",
        "preview-status.txt": "0\n",
    }
    with zipfile.ZipFile(path, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name, text)
    return path


def run_poster(tmp_path: Path, archive: Path | None, answers: dict[str, object]) -> tuple[list[int], list[dict]]:
    """The poster job's shell steps, as the run of check 555 on HEAD_SHA completes."""
    artifacts = []
    if archive is not None:
        artifacts = [{"id": 99, "name": "group-report", "expired": False, "size_in_bytes": archive.stat().st_size}]
    answers = {f"GET repos/{REPO}/actions/runs/555/artifacts": {"artifacts": artifacts}, **answers}
    env = {
        "GH_TOKEN": "t",
        "REPO": REPO,
        "RUN_ID": "555",
        "RUN_URL": f"https://github.com/{REPO}/actions/runs/555",
        "HEAD_SHA": HEAD_SHA,
    }
    run = run_job(job("groups-comment.yml"), ROOT, tmp_path, env, answers, archive)
    return run.codes, run.calls


needs_tools = pytest.mark.skipif(
    shutil.which("jq") is None or shutil.which("bash") is None, reason="the poster's steps need bash and jq"
)


def writes(calls: list[dict]) -> list[dict]:
    return [c for c in calls if c["method"] != "GET"]


@needs_tools
def test_a_first_report_is_posted_as_a_new_comment_with_the_text_escaped(tmp_path):
    archive = report_zip(tmp_path / "r.zip", title="@octocat <img src=x> `pwn`")
    answers = {f"GET repos/{REPO}/pulls/17": {"head": {"sha": HEAD_SHA}}, f"GET repos/{REPO}/issues/17/comments": []}
    codes, calls = run_poster(tmp_path, archive, answers)
    assert set(codes) == {0}
    (post,) = writes(calls)
    assert (post["method"], post["path"]) == ("POST", f"repos/{REPO}/issues/17/comments")
    body = post["payload"]["body"]
    assert body.startswith("<!-- dctech-events:group-check -->\n")
    assert "`` @octocat <img src=x> `pwn` ``" in body and "actions/runs/555" in body


@needs_tools
def test_a_later_push_updates_the_bots_own_comment(tmp_path):
    marker = "<!-- dctech-events:group-check -->"
    comments = [
        {"id": 1, "user": {"login": "mallory"}, "body": marker + " fake"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot note"},
        {"id": 3, "user": {"login": "github-actions[bot]"}, "body": marker + "\nold report"},
    ]
    answers = {f"GET repos/{REPO}/pulls/17": {"head": {"sha": HEAD_SHA}}, f"GET repos/{REPO}/issues/17/comments": comments}
    codes, calls = run_poster(tmp_path, report_zip(tmp_path / "r.zip"), answers)
    assert set(codes) == {0}
    (patch,) = writes(calls)
    assert (patch["method"], patch["path"]) == ("PATCH", f"repos/{REPO}/issues/comments/3")


@needs_tools
def test_a_forged_pull_request_number_is_refused(tmp_path):
    codes, calls = run_poster(tmp_path, report_zip(tmp_path / "r.zip", pr_number="17 || curl evil"), {})
    assert codes[-1] != 0 and writes(calls) == []
    assert not any("pulls" in c["path"] for c in calls)


@needs_tools
def test_a_report_naming_another_pull_request_posts_nothing(tmp_path):
    answers = {f"GET repos/{REPO}/pulls/18": {"head": {"sha": "f" * 40}}, f"GET repos/{REPO}/issues/18/comments": []}
    codes, calls = run_poster(tmp_path, report_zip(tmp_path / "r.zip", pr_number="18"), answers)
    assert set(codes) == {0} and writes(calls) == []


@needs_tools
def test_an_oversized_report_is_not_downloaded(tmp_path):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w") as bundle:  # stored, not deflated: really big
        bundle.writestr("validate.txt", os.urandom(1_200_000))
    codes, calls = run_poster(tmp_path, archive, {})
    assert codes[-1] != 0 and writes(calls) == []
    assert not any(c["path"].endswith("/zip") for c in calls)


@needs_tools
def test_no_report_means_no_comment(tmp_path):
    codes, calls = run_poster(tmp_path, None, {})
    assert set(codes) == {0} and writes(calls) == []


def test_report_zip_helper_writes_every_report_file(tmp_path):
    with zipfile.ZipFile(io.BytesIO(report_zip(tmp_path / "r.zip").read_bytes())) as bundle:
        assert sorted(bundle.namelist()) == sorted(REPORT_FILES)
