"""Log formats: readable text by default, one JSON object per line on request."""

from __future__ import annotations

import io
import json
import logging

import pytest

from events.logsetup import configure_logging


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_format_is_one_object_per_line_with_extras():
    stream = io.StringIO()
    configure_logging("json", stream=stream)
    log = logging.getLogger("events.collect.collector")
    log.info("group %s: ok, %d events", "dc-python", 3, extra={"group": "dc-python", "stage": "collect", "counts": {"added": 3}})
    log.warning("group %s: FAILED", "offline", extra={"group": "offline", "stage": "collect"})
    lines = stream.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    assert records[0]["message"] == "group dc-python: ok, 3 events"
    assert records[0]["group"] == "dc-python" and records[0]["counts"] == {"added": 3}
    assert records[0]["level"] == "info" and records[1]["level"] == "warning"
    assert records[1]["stage"] == "collect" and records[1]["logger"] == "events.collect.collector"


def test_text_format_is_readable():
    stream = io.StringIO()
    configure_logging("text", stream=stream)
    logging.getLogger("events.run.nightly").error("nightly: %s", "no events", extra={"stage": "nightly"})
    assert stream.getvalue() == "ERROR   [nightly] nightly: no events\n"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="--log-format: 'xml' is not a log format"):
        configure_logging("xml")
