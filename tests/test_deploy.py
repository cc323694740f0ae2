"""Self-hosting files: the systemd units verify and the container definition lints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, DEMO_NOW
from feedserver import FeedServer, write_demo_groups

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


def unit_settings(text: str) -> list[tuple[str, str]]:
    """`Key=value` lines of a unit file, in order, repeated keys kept."""
    pairs = []
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            pairs.append((key.strip(), value.strip()))
    return pairs


def exposure(unit: Path) -> tuple[float, str]:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match[1]), match[2]


needs_security = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None
    or subprocess.run(["systemd-analyze", "security", "--help"], capture_output=True, text=True).stdout.find("--offline") < 0,
    reason="systemd-analyze security --offline (systemd 252 or newer) is not on this machine",
)


@needs_security
def test_service_is_hardened_to_an_ok_rating():
    score, rating = exposure(UNITS / "dctech-events.service")
    assert score <= 4.9 and rating in {"OK", "SAFE", "PERFECT"}, (score, rating)


@needs_security
def test_the_rating_drops_without_the_hardening(tmp_path):
    """The measure can fail: the same service without its hardening block is rated exposed."""
    text = (UNITS / "dctech-events.service").read_text().split("# Hardening:")[0]
    plain = tmp_path / "dctech-events.service"
    plain.write_text(text.replace("DynamicUser=yes", "") + "\n[Install]\nWantedBy=multi-user.target\n")
    score, _ = exposure(plain)
    assert score > 4.9


def test_service_writes_only_its_own_state_and_cache_folders():
    settings = unit_settings((UNITS / "dctech-events.service").read_text())
    values = dict(settings)
    environment = " ".join(v for k, v in settings if k == "Environment")
    assert values["DynamicUser"] == "yes" and values["ProtectSystem"] == "strict" and values["ProtectHome"] == "yes"
    assert "ReadWritePaths" not in values
    state, cache = f"/var/lib/{values['StateDirectory']}", f"/var/cache/{values['CacheDirectory']}"
    assert f"EVENTS_CACHE_DIR={state}" in environment.split()
    assert f"EVENTS_RUN_SUMMARY={state}/run-summary.json" in environment.split()
    assert re.search(rf"--output {re.escape(cache)}/output(\s|$)", values["ExecStart"])


def test_aws_credentials_come_from_a_systemd_credential_not_a_home_folder():
    settings = unit_settings((UNITS / "dctech-events.service").read_text())
    name, _, source = dict(settings)["LoadCredential"].partition(":")
    assert source.startswith("/etc/")
    assert f"AWS_SHARED_CREDENTIALS_FILE=%d/{name}" in [v for k, v in settings if k == "Environment"]


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


def _can_make_read_only_mounts() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "mount", "--bind", "/", "/mnt"], capture_output=True, timeout=30
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_make_read_only_mounts(), reason="needs root and unshare to mount the code read-only")
def test_the_service_settings_keep_every_write_in_its_own_folders(tmp_path):
    """The nightly with the unit's environment and arguments, on a read-only copy of the code, as ProtectSystem=strict runs it."""
    settings = unit_settings((UNITS / "dctech-events.service").read_text())
    values = dict(settings)
    state, cache = tmp_path / "state", tmp_path / "cache"
    state.mkdir()
    cache.mkdir()

    def local(text: str) -> str:
        return text.replace(f"/var/lib/{values['StateDirectory']}", str(state)).replace(
            f"/var/cache/{values['CacheDirectory']}", str(cache)
        )

    environment = dict(
        pair.split("=", 1)
        for key, value in settings
        if key == "Environment" and not value.startswith("AWS_")
        for pair in local(value).split()
    )
    arguments = local(values["ExecStart"]).split()[1:]  # after the entry point: nightly --log-format json --output ...
    venv = Path(sys.prefix).resolve()
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": "/nonexistent",  # ProtectHome=yes
            **environment,
            "EVENTS_GROUPS_DIR": str(groups),
            "EVENTS_NOW": DEMO_NOW,
            "EVENTS_FETCH_ALLOW_PRIVATE": "true",
        }
        read_only = " && ".join(
            f"mount --bind {p} {p} && mount -o remount,bind,ro {p}" for p in sorted({str(ROOT), str(venv)})
        )
        command = " ".join([read_only, "&& exec", sys.executable, "-m", "invoke", *arguments, "--conf", "pelicanconf.py", "--no-publish-site"])
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert {"events.sqlite3", "http_cache.sqlite", "run-summary.json"} <= {p.name for p in state.iterdir()}
    assert (cache / "output" / "index.html").is_file()
