"""Every action pinned to a commit, Dependabot watching each ecosystem, and the nightly kept alive."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from workflow_steps import run_job

GITHUB = ROOT / ".github"
WORKFLOW_FILES = sorted((GITHUB / "workflows").glob("*.y*ml"))
# `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`: the commit GitHub runs, and the tag a reader checks it against.
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$")
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")


def uses_lines() -> list[tuple[str, int, str, str]]:
    found = []
    for path in WORKFLOW_FILES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = USES.match(line)
            if match:
                found.append((path.name, number, match["ref"].strip("'\""), match["rest"]))
    return found


def load(name: str) -> dict:
    data = yaml.safe_load((GITHUB / "workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_the_workflows_use_actions():
    assert len(uses_lines()) >= 10


@pytest.mark.parametrize("name, line, ref, rest", uses_lines(), ids=lambda v: str(v)[:40])
def test_every_action_is_pinned_to_a_full_commit_with_its_tag_in_a_comment(name, line, ref, rest):
    assert ref.startswith("./") or PINNED.match(ref), f"{name}:{line}: {ref} is not pinned to a commit SHA"
    if not ref.startswith("./"):
        assert re.match(r"\s+#\s*v\d+(\.\d+)*\b", rest), f"{name}:{line}: say which tag the SHA is, as `# vX.Y.Z`"


def test_one_action_is_pinned_to_one_commit_everywhere():
    commits: dict[str, set[str]] = {}
    for _, _, ref, _ in uses_lines():
        action, _, commit = ref.partition("@")
        commits.setdefault(action, set()).add(commit)
    assert {action: shas for action, shas in commits.items() if len(shas) > 1} == {}


def test_the_pin_check_catches_a_tag_or_a_short_sha():
    for ref in ("actions/checkout@v4", "actions/checkout@11bd719", "actions/checkout@main", "actions/checkout"):
        assert not PINNED.match(ref)
    assert PINNED.match("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683")


def test_dependabot_watches_actions_python_and_node():
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    assert config["version"] == 2
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip", "npm"}
    for update in ecosystems.values():
        assert update["directory"] == "/" and update["schedule"]["interval"] in {"daily", "weekly", "monthly"}
    # The files those ecosystems read are where Dependabot looks for them.
    assert (ROOT / "requirements.txt").is_file() and (ROOT / "package.json").is_file()
    assert (ROOT / "package-lock.json").is_file()


def test_the_watch_runs_after_every_deploy_and_on_a_schedule_with_only_the_rights_it_needs():
    deploy = load("deploy.yml")
    watch = load("keepalive.yml")
    assert watch["on"]["workflow_run"]["workflows"] == [deploy["name"]]
    # workflow_run is not a schedule, so inactivity never disables this path; the weekly one is the fallback.
    assert "schedule" in watch["on"] and "workflow_dispatch" in watch["on"]
    assert watch["permissions"] == {"actions": "write", "issues": "write"}
    assert deploy["on"]["schedule"]
    for job in watch["jobs"].values():
        assert not any(step.get("uses") for step in job["steps"])  # no checkout: nothing of the repository runs
        assert all("${{" not in step.get("run", "") for step in job["steps"])


# --- the watch's steps, run for real against a stand-in for gh --------------------------------------

REPO = "dctech-events/site"
ISSUES = f"GET repos/{REPO}/issues?state=open&per_page=100"
LAST_SUCCESS = f"GET repos/{REPO}/actions/workflows/deploy.yml/runs?status=success&per_page=1"
MARKER = "<!-- dctech-events:nightly-alarm -->"
ALARM = {"number": 7, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nA deploy run failed"}


def watch(tmp_path, trigger: str, conclusion: str = "", issues: tuple = (), last_success: str | None = None):
    (job,) = load("keepalive.yml")["jobs"].values()
    answers: dict[str, object] = {
        f"GET repos/{REPO}/actions/workflows/deploy.yml": {"state": "disabled_inactivity"},
        f"GET repos/{REPO}/actions/workflows/keepalive.yml": {"state": "active"},
        ISSUES: list(issues),
        LAST_SUCCESS: {"workflow_runs": [{"updated_at": last_success}] if last_success else []},
    }
    env = {"GH_TOKEN": "t", "REPO": REPO, "TRIGGER": trigger, "RUN_CONCLUSION": conclusion, "RUN_URL": "https://github.com/x/runs/9"}
    run = run_job(job, ROOT, tmp_path, env, answers)
    assert set(run.codes) == {0}, run.logs
    enabled = [c["path"] for c in run.writes if c["method"] == "PUT"]
    assert enabled == [f"repos/{REPO}/actions/workflows/deploy.yml/enable", f"repos/{REPO}/actions/workflows/keepalive.yml/enable"]
    return [c for c in run.writes if c["method"] != "PUT"]


def iso_hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_failed_deploy_opens_one_alarm_issue(tmp_path):
    (opened,) = watch(tmp_path, "workflow_run", "failure")
    assert (opened["method"], opened["path"]) == ("POST", f"repos/{REPO}/issues")
    assert opened["payload"]["body"].startswith(MARKER) and "https://github.com/x/runs/9" in opened["payload"]["body"]


def test_a_second_failure_comments_on_the_open_alarm(tmp_path):
    someone_elses = {"number": 3, "user": {"login": "mallory"}, "body": MARKER}
    (comment,) = watch(tmp_path, "workflow_run", "failure", issues=(someone_elses, ALARM))
    assert comment["path"] == f"repos/{REPO}/issues/7/comments"


def test_a_success_closes_the_alarm_and_otherwise_writes_nothing(tmp_path):
    comment, close = watch(tmp_path, "workflow_run", "success", issues=(ALARM,))
    assert comment["path"] == f"repos/{REPO}/issues/7/comments"
    assert (close["method"], close["path"], close["payload"]) == ("PATCH", f"repos/{REPO}/issues/7", {"state": "closed"})
    assert watch(tmp_path / "again", "workflow_run", "success") == []


@pytest.mark.parametrize("hours, alarm", [(1, False), (71, False), (73, True), (None, True)])
def test_the_weekly_check_raises_an_alarm_when_the_nightly_stopped(tmp_path, hours, alarm):
    writes = watch(tmp_path, "schedule", last_success=iso_hours_ago(hours) if hours is not None else None)
    assert [w["path"] for w in writes] == ([f"repos/{REPO}/issues"] if alarm else [])


CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
needs_check_jsonschema = pytest.mark.skipif(
    not Path(CHECK_JSONSCHEMA).exists(), reason="check-jsonschema (requirements-test.txt) is not installed"
)


def schema_check(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with the schema it ships (SchemaStore's), so no network is needed."""
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", schema, *map(str, paths)], capture_output=True, text=True, timeout=120
    )


@needs_check_jsonschema
def test_dependabot_config_matches_its_schema(tmp_path):
    assert schema_check("vendor.dependabot", GITHUB / "dependabot.yml").returncode == 0
    broken = tmp_path / "dependabot.yml"
    broken.write_text((GITHUB / "dependabot.yml").read_text().replace("interval: weekly", "interval: hourly", 1))
    assert schema_check("vendor.dependabot", broken).returncode != 0


@needs_check_jsonschema
def test_workflows_match_the_workflow_schema():
    result = schema_check("vendor.github-workflows", *WORKFLOW_FILES)
    assert result.returncode == 0, result.stdout + result.stderr
