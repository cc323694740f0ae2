"""The README documents every setting and every task."""

import re
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


def test_the_module_map_lists_every_module_of_the_plugin():
    """The README's module map and the package's tree name the same modules."""
    package = Path(__file__).resolve().parent.parent / "plugins" / "events"
    start = README.index("<!-- module-map")
    table = README[start : README.index("\n\n", README.index("| module |", start))]
    listed: set[str] = set()
    for row in table.splitlines()[3:]:
        cell = row.split("|")[1]
        names = re.findall(r"`([^`]+)`", cell)
        folder = names[0].rsplit("/", 1)[0] + "/" if "/" in names[0] else ""
        listed.update(name if "/" in name or not folder else folder + name for name in names)
    actual = {str(p.relative_to(package)) for p in package.rglob("*.py") if p.name != "__init__.py" or p.parent == package}
    assert listed == actual, f"missing from the map: {sorted(actual - listed)}; not in the tree: {sorted(listed - actual)}"
