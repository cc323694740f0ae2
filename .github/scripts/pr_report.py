"""Turn the outputs of `invoke validate` and `invoke preview` into one pull-request comment.

The group-file check (.github/workflows/groups.yml) runs a contributor's files
and uploads what the two commands printed, as a report folder:

    pr-number.txt        the pull request's number
    changed.txt          the added or changed group files, one per line
    validate.txt         what `invoke validate` printed (stdout)
    validate-status.txt  its exit status
    preview.txt          what `invoke preview` printed (stdout)
    preview-status.txt   its exit status (missing when nothing was previewed)

The poster (.github/workflows/groups-comment.yml) reads that report straight
from the artifact's zip file, never extracting it, and renders the comment
with this module. Everything in the report is untrusted: every file is read
up to a size cap, every piece of text is shown inside a code span (no
Markdown, HTML, links or @mentions take effect there), and the body is cut to
fit GitHub's comment limit. Standard library only, so the poster needs no
install.

    python3 pr_report.py render --artifact report.zip --run-url URL --sha SHA > comment.md
    python3 pr_report.py render --dir report/ > comment.md
    python3 pr_report.py pr-number --artifact report.zip
    python3 pr_report.py marker
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = [
    "MARKER",
    "MAX_BODY_CHARS",
    "GroupPreview",
    "Problem",
    "Report",
    "code",
    "parse_preview",
    "parse_problems",
    "read_report_dir",
    "read_report_zip",
    "render",
    "valid_pr_number",
]

# The poster finds its own earlier comment by this line (and by its author).
MARKER = "<!-- dctech-events:group-check -->"
# GitHub refuses comments over 65,536 characters; keep a margin for the footer.
MAX_BODY_CHARS = 60_000
# No honest report comes near these; a larger file is cut, never read whole.
MAX_FILE_BYTES = 256 * 1024
MAX_ITEM_CHARS = 300
MAX_CHANGED_FILES = 50
MAX_EVENTS = 5
MAX_NOTES = 10
REPORT_FILES = (
    "pr-number.txt",
    "changed.txt",
    "validate.txt",
    "validate-status.txt",
    "preview.txt",
    "preview-status.txt",
)

# `FILE: field: message; expected ...`, and `FILE:LINE: ...` / `FILE:LINE:COLUMN: ...`
# once the loader names positions. A file name has no spaces and no ': '.
_PROBLEM = re.compile(
    r"^(?P<file>[^\s:]+?)(?::(?P<line>\d+))?(?::(?P<column>\d+))?: (?P<field>[^:]{1,120}?): (?P<message>.+)$"
)
# `slug (Group name): 6 upcoming event(s); the next 5:` or `slug (Group name): FAILED, reason`.
_GROUP_HEADER = re.compile(r"^(?P<slug>[A-Za-z0-9_-]+) \((?P<name>.*)\): (?P<status>.+)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_POSITION_IN_WORDS = re.compile(r"\bline (?P<line>\d+)(?:, column (?P<column>\d+))?")
_PR_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")


@dataclass(frozen=True)
class Problem:
    """One line of `invoke validate`: where, which field, what is wrong and what is expected."""

    file: str
    field: str
    message: str
    expected: str = ""
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        position = "".join(f":{n}" for n in (self.line, self.column) if n is not None)
        return f"{self.file}{position}"


@dataclass(frozen=True)
class Event:
    """One upcoming event as `invoke preview` shows it."""

    when: str
    title: str
    place: str


@dataclass(frozen=True)
class GroupPreview:
    """One group's block of `invoke preview`: its events, or why it has none."""

    slug: str
    name: str
    status: str
    events: tuple[Event, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status.startswith("FAILED")


@dataclass(frozen=True)
class Report:
    """What the check job uploaded, already parsed and capped."""

    pr_number: str = ""
    changed: tuple[str, ...] = ()
    validate_output: str = ""
    validate_status: int | None = None
    preview_output: str = ""
    preview_status: int | None = None
    truncated_files: tuple[str, ...] = field(default=())


def clean_text(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    """One line of plain text: no control or direction-changing characters, bounded length."""
    flat = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def code(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    """Untrusted text as an inline code span: shown literally, whatever Markdown or HTML it holds."""
    flat = clean_text(text, limit)
    if not flat:
        return "(empty)"
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    # A span whose text starts or ends with a backtick needs a space inside the fence.
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def valid_pr_number(text: str) -> str | None:
    """The pull request number if `text` is one (digits only, no sign, no leading zero), else None."""
    candidate = text.strip()
    return candidate if _PR_NUMBER.match(candidate) else None


def _status(text: str) -> int | None:
    stripped = text.strip()
    return int(stripped) if re.fullmatch(r"[0-9]{1,3}", stripped) else None


def _decode(data: bytes, name: str, truncated: list[str]) -> str:
    if len(data) > MAX_FILE_BYTES:
        truncated.append(name)
        data = data[:MAX_FILE_BYTES]
    return data.decode("utf-8", errors="replace")


def _report_from(texts: dict[str, str], truncated: Sequence[str]) -> Report:
    changed = [
        line.strip() for line in texts.get("changed.txt", "").splitlines() if line.strip()
    ][:MAX_CHANGED_FILES]
    return Report(
        pr_number=texts.get("pr-number.txt", "").strip(),
        changed=tuple(changed),
        validate_output=texts.get("validate.txt", ""),
        validate_status=_status(texts["validate-status.txt"]) if "validate-status.txt" in texts else None,
        preview_output=texts.get("preview.txt", ""),
        preview_status=_status(texts["preview-status.txt"]) if "preview-status.txt" in texts else None,
        truncated_files=tuple(truncated),
    )


def read_report_dir(folder: Path) -> Report:
    """Read the report files of a folder (the check job's own copy), each up to MAX_FILE_BYTES."""
    texts: dict[str, str] = {}
    truncated: list[str] = []
    for name in REPORT_FILES:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                texts[name] = _decode(handle.read(MAX_FILE_BYTES + 1), name, truncated)
    return _report_from(texts, truncated)


def read_report_zip(archive: Path) -> Report:
    """Read the known report files out of an artifact's zip without extracting anything.

    Only members whose name (with any folders dropped) is one of REPORT_FILES
    are read, each at most MAX_FILE_BYTES of its uncompressed stream, so a zip
    bomb or a `../` path costs nothing.
    """
    texts: dict[str, str] = {}
    truncated: list[str] = []
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            name = PurePosixPath(info.filename).name
            if info.is_dir() or name not in REPORT_FILES or name in texts:
                continue
            with bundle.open(info) as member:
                texts[name] = _decode(member.read(MAX_FILE_BYTES + 1), name, truncated)
    return _report_from(texts, truncated)


def parse_problems(output: str) -> list[Problem | str]:
    """Problems in the order printed; a line that does not parse is kept as it is."""
    found: list[Problem | str] = []
    for raw in output.splitlines():
        line = raw.rstrip()
        if not line or line.startswith(" ") or _GROUP_HEADER.match(line) or line.endswith(" OK"):
            continue
        match = _PROBLEM.match(line)
        if not match:
            found.append(line)
            continue
        message, _, expected = match["message"].partition("; expected ")
        line_no, column = match["line"], match["column"]
        if line_no is None:
            # A position given in words, as YAML errors do: "line 3, column 7".
            said = _POSITION_IN_WORDS.search(message)
            line_no, column = (said["line"], said["column"]) if said else (None, None)
        found.append(
            Problem(
                file=match["file"],
                field=match["field"],
                message=message,
                expected=expected,
                line=int(line_no) if line_no else None,
                column=int(column) if column else None,
            )
        )
    return found


def parse_preview(output: str) -> list[GroupPreview]:
    """The group blocks of `invoke preview`: a header line, then indented event and note lines."""
    previews: list[GroupPreview] = []
    current: dict[str, object] | None = None

    def close() -> None:
        if current is not None:
            previews.append(
                GroupPreview(
                    slug=str(current["slug"]),
                    name=str(current["name"]),
                    status=str(current["status"]),
                    events=tuple(current["events"]),  # type: ignore[arg-type]
                    notes=tuple(current["notes"]),  # type: ignore[arg-type]
                )
            )

    for raw in output.splitlines():
        header = _GROUP_HEADER.match(raw)
        if header:
            close()
            current = {**header.groupdict(), "events": [], "notes": []}
            continue
        if current is None or not raw.startswith("  ") or not raw.strip():
            continue
        body = raw.strip()
        events: list[Event] = current["events"]  # type: ignore[assignment]
        notes: list[str] = current["notes"]  # type: ignore[assignment]
        when, gap, rest = body.partition("  ")
        title, at, place = rest.rpartition("  @ ")
        if gap and at and not body.startswith("left out:"):
            events.append(Event(when=when, title=title, place=place))
        else:
            notes.append(body)
    close()
    return previews


def _slug_of(path: str) -> str:
    return PurePosixPath(path).stem


def _same_file(named: str, changed: str) -> bool:
    """Whether a problem's file is a changed file; one may be relative to another folder than the other."""
    a, b = PurePosixPath(named).parts, PurePosixPath(changed).parts
    shorter = min(len(a), len(b))
    return shorter > 0 and a[-shorter:] == b[-shorter:]


def _problem_line(problem: Problem | str) -> str:
    if isinstance(problem, str):
        return f"- {code(problem)}"
    expected = f"; expected {code(problem.expected)}" if problem.expected else ""
    return f"- {code(problem.where)} field {code(problem.field, 120)}: {code(problem.message)}{expected}"


def _group_section(path: str, preview: GroupPreview | None, has_problems: bool, preview_ran: bool) -> list[str]:
    title = code(path, 200)
    if preview is None:
        if has_problems:
            why = "the file has problems (listed above), so its feed was not read"
        elif not preview_ran:
            why = "the preview did not run (see the check's log)"
        else:
            why = "the preview printed nothing for it (see the check's log)"
        return [f"#### {title}", "", f"No events shown: {why}.", ""]
    lines = [f"#### {title}: {code(preview.name, 150)}", ""]
    if preview.events:
        shown = preview.events[:MAX_EVENTS]
        lines.append(f"Its next {len(shown)} event(s), local time, title and place (the preview said {code(preview.status, 150)}):")
        lines.append("")
        lines += [f"- {code(e.when, 60)} {code(e.title, 200)} at {code(e.place, 200)}" for e in shown]
    elif preview.failed:
        lines.append(f"No events: the feed could not be read: {code(preview.status)}")
    else:
        lines.append(f"No events: {code(preview.status)}")
    if preview.notes:
        lines.append("")
        lines += [f"- {code(note)}" for note in preview.notes[:MAX_NOTES]]
    lines.append("")
    return lines


def _fit(head: list[str], body: list[str], tail: list[str], limit: int) -> str:
    """Head and tail always; body lines while they fit, then one line saying how many were left out."""
    text = "\n".join([*head, *body, *tail])
    if len(text) <= limit:
        return text
    note_room = 200
    budget = limit - len("\n".join([*head, *tail])) - note_room
    kept: list[str] = []
    used = 0
    for line in body:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    dropped = len(body) - len(kept)
    note = f"_The report was cut to fit a comment: {dropped} more line(s) are in the check's log._"
    return "\n".join([*head, *kept, "", note, "", *tail])


def render(report: Report, run_url: str = "", sha: str = "", limit: int = MAX_BODY_CHARS) -> str:
    """The comment's Markdown: the marker, the verdict, every problem, and each changed group's events."""
    problems = parse_problems(report.validate_output)
    seen = {str(p) for p in problems}
    # `invoke preview` repeats the problems of the files it was given; show each once.
    for extra in parse_problems(report.preview_output):
        if str(extra) not in seen:
            problems.append(extra)
            seen.add(str(extra))
    previews = {p.slug: p for p in parse_preview(report.preview_output)}
    files_with_problems = {p.file for p in problems if isinstance(p, Problem)}
    validate_failed = report.validate_status not in (0, None) or bool(problems)
    feeds_failed = any(p.failed for p in previews.values()) or report.preview_status not in (0, None)

    if validate_failed:
        verdict = f"### :x: Group files: {len(problems) or 'some'} problem(s)"
    elif feeds_failed:
        verdict = "### :warning: Group files are valid, but a feed could not be read"
    else:
        verdict = "### :white_check_mark: Group files are valid"
    head = [MARKER, verdict, ""]

    body: list[str] = []
    if problems:
        body += ["Each problem: the file (and line, where known), the field, what is wrong and what is expected.", ""]
        body += [_problem_line(p) for p in problems]
        body.append("")
    elif report.validate_status not in (0, None):
        body += ["`invoke validate` failed without naming a problem; see the check's log.", ""]
    if report.changed:
        body += ["### What the added and changed groups would list", ""]
        for path in report.changed:
            body += _group_section(
                path,
                previews.get(_slug_of(path)),
                any(_same_file(named, path) for named in files_with_problems),
                report.preview_status is not None or bool(previews),
            )
    else:
        body += ["No group file was added or changed, so no feed was read.", ""]
    if report.truncated_files:
        body += [f"_Cut at {MAX_FILE_BYTES} bytes: {', '.join(code(n) for n in report.truncated_files)}._", ""]

    footer = []
    if sha and re.fullmatch(r"[0-9a-f]{7,40}", sha):
        footer.append(f"Checked commit {sha[:12]}.")
    if run_url.startswith("https://"):
        footer.append(f"[The check's log]({run_url}).")
    footer.append("This comment is updated on every push.")
    tail = ["---", "<sub>" + " ".join(footer) + "</sub>"]
    return _fit(head, body, tail, limit)


def _read(args: argparse.Namespace) -> Report:
    return read_report_zip(Path(args.artifact)) if args.artifact else read_report_dir(Path(args.dir))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("marker", help="print the line that marks the comment")
    for name in ("render", "pr-number"):
        command = commands.add_parser(name)
        source = command.add_mutually_exclusive_group(required=True)
        source.add_argument("--artifact", help="the report artifact's zip file")
        source.add_argument("--dir", help="the report folder")
        if name == "render":
            command.add_argument("--run-url", default="", help="link to the check's run")
            command.add_argument("--sha", default="", help="the commit that was checked")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "marker":
        print(MARKER)
        return 0
    report = _read(args)
    if args.command == "pr-number":
        number = valid_pr_number(report.pr_number)
        if number is None:
            print(f"not a pull request number: {clean_text(report.pr_number, 40)!r}", file=sys.stderr)
            return 1
        print(number)
        return 0
    sys.stdout.write(render(report, args.run_url, args.sha) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
