"""Every action pinned to a commit, Dependabot watching each ecosystem, and the nightly kept alive."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

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


def test_the_watch_keeps_the_nightly_enabled_and_raises_an_alarm():
    deploy = load("deploy.yml")
    watch = load("keepalive.yml")
    assert watch["on"]["workflow_run"]["workflows"] == [deploy["name"]]
    # workflow_run and workflow_dispatch are not schedules, so inactivity never disables this path.
    assert "schedule" in watch["on"] and "workflow_dispatch" in watch["on"]
    assert watch["permissions"] == {"actions": "write", "issues": "write"}
    script = "\n".join(step.get("run", "") for job in watch["jobs"].values() for step in job["steps"])
    enabled = re.findall(r"for workflow in ([^;]+); do", script)
    assert enabled and {"deploy.yml", "keepalive.yml"} <= set(enabled[0].split())
    assert re.search(r"--method PUT \"repos/\$REPO/actions/workflows/\$workflow/enable\"", script)
    assert re.search(r"--method POST \"repos/\$REPO/issues\"", script)  # the alarm
    assert "${{" not in script
    # The nightly it watches really is scheduled.
    assert deploy["on"]["schedule"]


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
