"""Run a workflow job's shell steps for real (bash, jq), with a stand-in for `gh` that answers like GitHub's API.

The stand-in answers `gh api [--method M] PATH [--jq Q] [--input FILE] [-f k=v]`
from a table of canned answers, pipes them through the real jq, and records
every call, so a test can check what the steps would have written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["JobRun", "run_job"]

FAKE_GH = r'''
import json, os, subprocess, sys
state = json.load(open(os.environ["FAKE_GH_STATE"]))
args = sys.argv[1:]
assert args[0] == "api", args
args = args[1:]
method, jq, payload, path, fields = "GET", None, None, None, {}
while args:
    arg = args.pop(0)
    if arg in ("--method", "-X"):
        method = args.pop(0)
    elif arg == "--jq":
        jq = args.pop(0)
    elif arg == "--input":
        payload = json.load(open(args.pop(0)))
    elif arg in ("-f", "--raw-field", "-F", "--field"):
        key, _, value = args.pop(0).partition("=")
        fields[key] = value
    elif arg == "--paginate":
        pass
    else:
        path = arg
if fields and method == "GET":
    method = "POST"
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({"method": method, "path": path, "payload": payload if payload is not None else fields}) + "\n")
if path.endswith("/zip"):
    sys.stdout.buffer.write(open(state["zip"], "rb").read())
    sys.exit(0)
default = {"id": 1} if method in ("POST", "PATCH", "PUT") else None
answer = state["answers"].get(f"{method} {path}", default)
if answer is None:
    print(f"gh: Not Found (HTTP 404) {method} {path}", file=sys.stderr)
    sys.exit(1)
text = json.dumps(answer)
if jq:
    text = subprocess.run(["jq", "-r", jq], input=text, capture_output=True, text=True, check=True).stdout
sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
'''

_CONDITION = re.compile(r"steps\.(\w+)\.outputs\.(\w+) (==|!=) '(.*)'")
_OUTPUT = re.compile(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}")


@dataclass(frozen=True)
class JobRun:
    codes: list[int]
    calls: list[dict]
    logs: list[str]

    @property
    def writes(self) -> list[dict]:
        return [c for c in self.calls if c["method"] != "GET"]


def run_job(
    job: dict, cwd: Path, tmp_path: Path, env: dict[str, str], answers: dict[str, object], zip_path: Path | None = None
) -> JobRun:
    """Run the job's `run:` steps in order, honouring `if: steps.X.outputs.Y == '...'`; stop at the first failure."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\n{FAKE_GH}")
    gh.chmod(0o755)
    state = tmp_path / "fake-gh-state.json"
    state.write_text(json.dumps({"zip": str(zip_path or ""), "answers": answers}))
    log = tmp_path / "fake-gh.log"
    log.write_text("")
    base = {
        **os.environ,
        **{k: str(v) for k, v in job.get("env", {}).items() if "${{" not in str(v)},
        **env,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_GH_STATE": str(state),
        "FAKE_GH_LOG": str(log),
        "RUNNER_TEMP": str(tmp_path),
    }
    outputs: dict[str, dict[str, str]] = {}
    codes: list[int] = []
    logs: list[str] = []
    for index, step in enumerate(job["steps"]):
        if "run" not in step:
            continue
        condition = step.get("if", "")
        if condition:
            match = _CONDITION.fullmatch(condition)
            assert match, f"unsupported condition {condition!r}"
            value = outputs.get(match[1], {}).get(match[2], "")
            if (value == match[4]) != (match[3] == "=="):
                continue
        output_file = tmp_path / f"step-{index}.out"
        output_file.write_text("")
        step_env = {
            key: _OUTPUT.sub(lambda m: outputs.get(m[1], {}).get(m[2], ""), str(value))
            for key, value in step.get("env", {}).items()
        }
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env={**base, **step_env, "GITHUB_OUTPUT": str(output_file)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        codes.append(result.returncode)
        logs.append(f"{step.get('name', index)}: {result.returncode}\n{result.stdout}{result.stderr}")
        if step.get("id"):
            outputs[step["id"]] = dict(
                line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
            )
        if result.returncode != 0:
            break
    return JobRun(codes, [json.loads(line) for line in log.read_text().splitlines()], logs)
