"""The README documents every setting and every task."""

from pathlib import Path

import pytest

import tasks
from events.settings import SETTING_DOCS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(SETTING_DOCS))
def test_readme_documents_setting(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", sorted(n for n, v in vars(tasks).items() if type(v).__name__ == "Task"))
def test_readme_documents_task(name):
    assert f"`invoke {name.replace('_', '-')}" in README
