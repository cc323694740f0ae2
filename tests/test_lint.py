"""Pyflakes-level checks on the code: unused imports and names, undefined names, syntax errors."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_code_has_no_unused_imports_or_undefined_names():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run(
        [ruff, "check", "--no-cache", "--select", "F,E9", "plugins", "tests", "benchmarks", "tasks.py", "pelicanconf.py", "publishconf.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
