"""Self-hosting files: the systemd units verify and the container definition lints."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
HOST_UNITS = next((p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()), None)


def verify_units(tmp_path: Path, timer_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """systemd-analyze verify in a scratch root holding the host's units, ours, and the installed entry point."""
    root = tmp_path / "root"
    shutil.copytree(HOST_UNITS, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    target = root / "etc" / "systemd" / "system"
    target.mkdir(parents=True)
    for unit in UNITS.iterdir():
        (target / unit.name).write_text(unit.read_text())
    if timer_text is not None:
        (target / "dctech-events.timer").write_text(timer_text)
    entry = root / "opt" / "dctech-events" / ".venv" / "bin" / "invoke"
    entry.parent.mkdir(parents=True)
    entry.write_text("#!/bin/sh\n")
    entry.chmod(0o755)
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "/etc/systemd/system/dctech-events.service", "/etc/systemd/system/dctech-events.timer"],
        capture_output=True,
        text=True,
        timeout=60,
    )


needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or HOST_UNITS is None, reason="systemd-analyze is not on this machine"
)


@needs_systemd
def test_service_and_timer_verify(tmp_path):
    result = verify_units(tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@needs_systemd
def test_a_broken_timer_is_caught(tmp_path):
    broken = (UNITS / "dctech-events.timer").read_text().replace("OnCalendar=*-*-* 03:17:00", "OnCalendar=at some point")
    result = verify_units(tmp_path, broken)
    assert result.returncode != 0 and "calendar specification" in result.stderr


def test_units_run_the_nightly_command():
    service = (UNITS / "dctech-events.service").read_text()
    assert "ExecStart=/opt/dctech-events/.venv/bin/invoke nightly --log-format json" in service
    assert "Type=oneshot" in service
    assert "Persistent=true" in (UNITS / "dctech-events.timer").read_text()


def test_container_definition_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "hadolint")
    result = subprocess.run([hadolint, str(ROOT / "deploy" / "Containerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "deploy" / "Containerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in text and '"nightly"' in text
