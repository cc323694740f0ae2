"""A fresh clone learns where the real-world calendars come from: the corpus test's skip message and the README agree."""

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text()
# The public repositories the calendars were copied from (../shared/corpus/ics/SOURCES.md).
SOURCE_REPOSITORIES = (
    "niccokunzmann/python-recurring-ical-events",
    "collective/icalendar",
    "kewisch/ical.js",
    "niccokunzmann/x-wr-timezone",
    "finos/calendar",
    "alephdata/ingest-file",
    "allspiritseve/selene",
)


def test_the_skip_message_names_a_readme_section_that_exists():
    source = (ROOT / "tests" / "collect" / "test_corpus.py").read_text()
    (section,) = re.findall(r"section '([^']+)'", source)
    assert f"### {section}\n" in README


def test_the_readme_says_where_the_corpus_lives_and_where_it_comes_from():
    text = README[README.index("### Real-world calendars") :]
    text = text[: text.index("\n## ")]
    assert "../shared/corpus/ics/" in text and "SOURCES.md" in text
    for repo in SOURCE_REPOSITORIES:
        assert repo in text, repo
    # Where the folder is present, its own list names no repository the README leaves out.
    sources = ROOT.parent / "shared" / "corpus" / "ics" / "SOURCES.md"
    if sources.is_file():
        rows = [line.split("|") for line in sources.read_text().splitlines() if line.startswith("| ")]
        listed = {row[2].strip() for row in rows if "/" in row[2]}
        assert listed and listed <= set(SOURCE_REPOSITORIES)
