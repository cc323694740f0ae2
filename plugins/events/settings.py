"""The typed settings of the events plugin, read from `EVENTS_*` settings.

Pelican hands the plugin its settings dict; `invoke collect` hands the same
dict without starting Pelican. `EventsSettings.from_mapping` validates every
`EVENTS_*` key once, at start-up, and names the setting that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from events.clock import Clock, parse_now

__all__ = ["SETTING_DOCS", "EventsSettings", "SettingsError"]


class SettingsError(ValueError):
    """A setting is missing, of the wrong type or out of range."""


# name -> (default, help). The README documents each; a test checks that.
SETTING_DOCS: dict[str, tuple[Any, str]] = {
    "EVENTS_GROUPS_DIR": ("_groups", "folder of group YAML files"),
    "EVENTS_CATEGORIES_FILE": ("data/categories.yaml", "category slugs and names"),
    "EVENTS_SINGLE_EVENTS_DIR": ("_single_events", "folder of one-off and RRULE events given by hand"),
    "EVENTS_OVERLAYS_DIR": ("_overlays", "folder of corrections to collected events, by event id"),
    "EVENTS_TIMEZONE": ("America/New_York", "the site's display timezone (IANA name)"),
    "EVENTS_NOW": ("", "pin 'now' (ISO 8601 with offset) for reproducible builds; empty means the real time"),
    "EVENTS_COLLECT": (True, "a Pelican run collects feeds before generating; False generates from the store only"),
    "EVENTS_RENDER_ALL": (False, "render every page even when its inputs are unchanged since the last build (ignores the render cache)"),
    "EVENTS_RENDER_PROCESSES": (0, "processes that render and write the site (forked on Linux; 0: one per core; 1: this process only)"),
    "EVENTS_STORE": ("sqlite", "'sqlite' (embedded, default) or 'dynamodb'"),
    "EVENTS_CACHE_DIR": (".cache", "folder for the SQLite store and the HTTP cache"),
    "EVENTS_SQLITE_PATH": ("", "SQLite store file; empty means <EVENTS_CACHE_DIR>/events.sqlite3"),
    "EVENTS_DYNAMODB_TABLE": ("dctech-events", "DynamoDB table name (endpoint and region come from boto3's configuration)"),
    "EVENTS_ARCHIVE_DAYS": (365, "days past events are kept for the archive before they expire"),
    "EVENTS_HORIZON_DAYS": (90, "how far ahead collection reads each feed"),
    "EVENTS_FETCH_TIMEOUT": (20.0, "seconds for one try of one URL: connecting, headers and body together (then the connection is closed)"),
    "EVENTS_FETCH_WORKERS": (64, "concurrent fetches in all"),
    "EVENTS_FETCH_PER_HOST": (4, "concurrent fetches to one host"),
    "EVENTS_FETCH_RETRIES": (3, "tries per URL on network errors, 429 and 5xx"),
    "EVENTS_FETCH_MAX_BYTES": (10_000_000, "largest feed body accepted, in bytes"),
    "EVENTS_FETCH_RETRY_WAIT": (30.0, "most seconds of waiting between the tries of one URL, Retry-After included; a server asking more is not tried again"),
    "EVENTS_FETCH_MAX_REDIRECTS": (5, "most redirects followed for one URL (to http(s) URLs only)"),
    "EVENTS_FETCH_PHASE_SECONDS": (600.0, "most seconds the fetching of one collection run may take; groups not fetched by then fail, events kept"),
    "EVENTS_FETCH_ALLOW_PRIVATE": (False, "fetch from loopback, private, link-local and other non-public addresses (tests and the demo use 127.0.0.1)"),
    "EVENTS_USER_AGENT": ("dctech-events/0.1 (+https://github.com/dctech-events/site)", "User-Agent sent with every request"),
    "EVENTS_PAGE_EXPIRE_HOURS": (12, "hours an event page read for enrichment (source setting 'enrich') is reused before it is read again"),
    "EVENTS_MAX_OCCURRENCES": (2000, "most occurrences read from one feed"),
    "EVENTS_EXPAND_SECONDS": (10.0, "most seconds spent expanding one feed's recurrences"),
    "EVENTS_STATES": (("DC", "MD", "VA"), "states the site lists; events elsewhere are left out (empty: all)"),
    "EVENTS_HOME_DAYS": (14, "days of upcoming events on the home page"),
    "EVENTS_UID_DOMAIN": ("dctech.events", "domain in each ICS UID (event id @ domain)"),
    "EVENTS_LOCAL_ORIGIN": (
        "http://127.0.0.1:8000",
        "origin of subscribe links, canonical URLs and embed snippets when SITEURL is not absolute (where `invoke serve` answers)",
    ),
    "EVENTS_SEARCH": (True, "index the event pages with Pagefind, a bundle per month whose pages changed (needs the pagefind-bin package)"),
    "EVENTS_EMPTY_FEED_NIGHTS": (3, "nights a feed suddenly listing none (or few) of its upcoming events is held like a failed fetch; 0 believes it at once"),
    "EVENTS_SUSPECT_DROP_SHARE": (0.8, "a feed losing more than this share of its upcoming events at once (at least 5) is suspect; 1 turns this off"),
    "EVENTS_NIGHTLY_MAX_FAILED_SHARE": (0.5, "`invoke nightly` fails when more than this share of groups failed to collect"),
    "EVENTS_RUN_SUMMARY": (".cache/run-summary.json", "where `invoke nightly` writes its run summary (JSON)"),
    "EVENTS_PUBLISH_BUCKET": ("", "S3 bucket `invoke publish` syncs output/ to (endpoint and region come from boto3's configuration)"),
    "EVENTS_PUBLISH_PREFIX": ("", "key prefix of the site in the bucket; empty means the bucket's root"),
    "EVENTS_PUBLISH_DISTRIBUTION": ("", "CloudFront distribution id to invalidate; empty skips invalidation"),
    "EVENTS_PUBLISH_INVALIDATE_MAX": (500, "most paths invalidated one by one; more changed paths invalidate '/*' instead"),
    "EVENTS_PUBLISH_INVALIDATE_BATCH": (250, "most paths in one CloudFront invalidation request"),
    "EVENTS_PUBLISH_GUARD_RATIO": (0.5, "refuse to publish a build with fewer than this share of the live site's upcoming events (--force overrides)"),
    "EVENTS_PUBLISH_WORKERS": (8, "concurrent uploads to S3"),
    "EVENTS_PUBLISH_MAX_AGE": (300, "Cache-Control max-age in seconds for HTML, JSON, ICS and XML"),
    "EVENTS_REPOSITORY": ("dctech-events/site", "GitHub OWNER/NAME the site's forms propose new files to (GitHub's new-file page, then a pull request)"),
    "EVENTS_REPOSITORY_BRANCH": ("main", "branch of EVENTS_REPOSITORY the forms' new files are proposed to"),
    "EVENTS_PUBLISH_ASSET_MAX_AGE": (3600, "Cache-Control max-age in seconds for assets without a content hash in their name (hashed ones: a year, immutable)"),
    "EVENTS_THEME_STATIC_PATHS": (
        ("static",),
        "files and folders of the theme the plugin copies to THEME_STATIC_DIR, rewriting only those whose bytes changed (set THEME_STATIC_PATHS = [])",
    ),
}


@dataclass(frozen=True)
class EventsSettings:
    groups_dir: Path
    categories_file: Path
    single_events_dir: Path
    overlays_dir: Path
    timezone: ZoneInfo
    now: datetime | None
    collect: bool
    full_render: bool
    render_processes: int
    store: str
    cache_dir: Path
    sqlite_path: Path
    dynamodb_table: str
    archive_days: int
    horizon_days: int
    fetch_timeout: float
    fetch_workers: int
    fetch_per_host: int
    fetch_retries: int
    fetch_max_bytes: int
    fetch_retry_wait: float
    fetch_max_redirects: int
    fetch_phase_seconds: float
    fetch_allow_private: bool
    user_agent: str
    page_expire_hours: int
    max_occurrences: int
    expand_seconds: float
    states: tuple[str, ...]
    home_days: int
    uid_domain: str
    local_origin: str
    search: bool
    empty_feed_nights: int
    suspect_drop_share: float
    nightly_max_failed_share: float
    run_summary: Path
    publish_bucket: str
    publish_prefix: str
    publish_distribution: str
    publish_invalidate_max: int
    publish_invalidate_batch: int
    publish_guard_ratio: float
    publish_workers: int
    publish_max_age: int
    publish_asset_max_age: int
    repository: str = "dctech-events/site"
    repository_branch: str = "main"
    theme_static_paths: tuple[str, ...] = ("static",)

    @property
    def clock(self) -> Clock:
        return Clock(self.timezone, self.now)

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any], base: Path | None = None) -> EventsSettings:
        """Build from a Pelican-style settings dict; relative paths resolve against `base`."""
        unknown = sorted(k for k in settings if k.startswith("EVENTS_") and k not in SETTING_DOCS)
        if unknown:
            raise SettingsError(f"{unknown[0]}: unknown setting; known settings are {', '.join(SETTING_DOCS)}")
        root = base or Path(str(settings.get("PATH", "."))).resolve().parent
        value = _Reader(settings, root)
        cache_dir = value.path("EVENTS_CACHE_DIR")
        sqlite = value.text("EVENTS_SQLITE_PATH")
        store = value.text("EVENTS_STORE")
        if store not in ("sqlite", "dynamodb"):
            raise SettingsError(f"EVENTS_STORE: {store!r} is not a store; expected 'sqlite' or 'dynamodb'")
        return cls(
            groups_dir=value.path("EVENTS_GROUPS_DIR"),
            categories_file=value.path("EVENTS_CATEGORIES_FILE"),
            single_events_dir=value.path("EVENTS_SINGLE_EVENTS_DIR"),
            overlays_dir=value.path("EVENTS_OVERLAYS_DIR"),
            timezone=value.zone("EVENTS_TIMEZONE"),
            now=value.instant("EVENTS_NOW"),
            collect=value.flag("EVENTS_COLLECT"),
            full_render=value.flag("EVENTS_RENDER_ALL"),
            render_processes=value.count("EVENTS_RENDER_PROCESSES"),
            store=store,
            cache_dir=cache_dir,
            sqlite_path=(root / sqlite) if sqlite else cache_dir / "events.sqlite3",
            dynamodb_table=value.text("EVENTS_DYNAMODB_TABLE"),
            archive_days=value.count("EVENTS_ARCHIVE_DAYS"),
            horizon_days=value.count("EVENTS_HORIZON_DAYS", minimum=1),
            fetch_timeout=value.seconds("EVENTS_FETCH_TIMEOUT"),
            fetch_workers=value.count("EVENTS_FETCH_WORKERS", minimum=1),
            fetch_per_host=value.count("EVENTS_FETCH_PER_HOST", minimum=1),
            fetch_retries=value.count("EVENTS_FETCH_RETRIES", minimum=1),
            fetch_max_bytes=value.count("EVENTS_FETCH_MAX_BYTES", minimum=1),
            fetch_retry_wait=value.seconds("EVENTS_FETCH_RETRY_WAIT"),
            fetch_max_redirects=value.count("EVENTS_FETCH_MAX_REDIRECTS"),
            fetch_phase_seconds=value.seconds("EVENTS_FETCH_PHASE_SECONDS"),
            fetch_allow_private=value.flag("EVENTS_FETCH_ALLOW_PRIVATE"),
            user_agent=value.text("EVENTS_USER_AGENT"),
            page_expire_hours=value.count("EVENTS_PAGE_EXPIRE_HOURS", minimum=1),
            max_occurrences=value.count("EVENTS_MAX_OCCURRENCES", minimum=1),
            expand_seconds=value.seconds("EVENTS_EXPAND_SECONDS"),
            states=value.states("EVENTS_STATES"),
            home_days=value.count("EVENTS_HOME_DAYS", minimum=1),
            uid_domain=value.text("EVENTS_UID_DOMAIN"),
            local_origin=value.origin("EVENTS_LOCAL_ORIGIN"),
            search=value.flag("EVENTS_SEARCH"),
            empty_feed_nights=value.count("EVENTS_EMPTY_FEED_NIGHTS"),
            suspect_drop_share=value.share("EVENTS_SUSPECT_DROP_SHARE"),
            nightly_max_failed_share=value.share("EVENTS_NIGHTLY_MAX_FAILED_SHARE"),
            run_summary=value.path("EVENTS_RUN_SUMMARY"),
            publish_bucket=value.text("EVENTS_PUBLISH_BUCKET"),
            publish_prefix=value.text("EVENTS_PUBLISH_PREFIX"),
            publish_distribution=value.text("EVENTS_PUBLISH_DISTRIBUTION"),
            publish_invalidate_max=value.count("EVENTS_PUBLISH_INVALIDATE_MAX", minimum=1),
            publish_invalidate_batch=value.count("EVENTS_PUBLISH_INVALIDATE_BATCH", minimum=1),
            publish_guard_ratio=value.share("EVENTS_PUBLISH_GUARD_RATIO"),
            publish_workers=value.count("EVENTS_PUBLISH_WORKERS", minimum=1),
            publish_max_age=value.count("EVENTS_PUBLISH_MAX_AGE"),
            publish_asset_max_age=value.count("EVENTS_PUBLISH_ASSET_MAX_AGE"),
            repository=_repository(value.text("EVENTS_REPOSITORY")),
            repository_branch=_branch(value.text("EVENTS_REPOSITORY_BRANCH")),
            theme_static_paths=value.names("EVENTS_THEME_STATIC_PATHS"),
        )

    def replace(self, **changes: Any) -> EventsSettings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return EventsSettings(**values)


class _Reader:
    """Reads one setting at a time with its default, naming it on error."""

    def __init__(self, settings: Mapping[str, Any], root: Path) -> None:
        self._settings = settings
        self._root = root

    def _get(self, name: str) -> Any:
        return self._settings.get(name, SETTING_DOCS[name][0])

    def text(self, name: str) -> str:
        raw = self._get(name)
        if not isinstance(raw, str):
            raise SettingsError(f"{name}: expected a string, got {type(raw).__name__} {raw!r}")
        return raw

    def origin(self, name: str) -> str:
        raw = self.text(name).rstrip("/")
        scheme, _, host = raw.partition("://")
        if scheme not in ("http", "https") or not host or "/" in host:
            raise SettingsError(f"{name}: expected an origin such as http://127.0.0.1:8000, got {raw!r}")
        return raw

    def path(self, name: str) -> Path:
        raw = Path(self.text(name))
        return raw if raw.is_absolute() else self._root / raw

    def flag(self, name: str) -> bool:
        raw = self._get(name)
        if isinstance(raw, str) and raw.lower() in ("1", "true", "yes", "0", "false", "no", ""):
            return raw.lower() in ("1", "true", "yes")
        if not isinstance(raw, bool):
            raise SettingsError(f"{name}: expected True or False, got {raw!r}")
        return raw

    def count(self, name: str, minimum: int = 0) -> int:
        raw = self._get(name)
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
        if isinstance(raw, bool) or number < minimum or (isinstance(raw, float) and raw != number):
            raise SettingsError(f"{name}: expected a whole number of at least {minimum}, got {raw!r}")
        return number

    def seconds(self, name: str) -> float:
        raw = self._get(name)
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}: expected a number of seconds, got {raw!r}") from None
        if number <= 0:
            raise SettingsError(f"{name}: expected more than 0 seconds, got {raw!r}")
        return number

    def share(self, name: str) -> float:
        raw = self._get(name)
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}: expected a share between 0 and 1, got {raw!r}") from None
        if not 0 <= number <= 1:
            raise SettingsError(f"{name}: expected a share between 0 and 1, got {raw!r}")
        return number

    def zone(self, name: str) -> ZoneInfo:
        raw = self.text(name)
        try:
            return ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"{name}: {raw!r} is not an IANA timezone such as 'America/New_York'") from None

    def instant(self, name: str) -> datetime | None:
        raw = self.text(name).strip()
        if not raw:
            return None
        try:
            return parse_now(raw)
        except ValueError as error:
            raise SettingsError(f"{name}: {error}") from None

    def names(self, name: str) -> tuple[str, ...]:
        """A list of relative paths (a string from the environment: separated by commas); empty entries are errors."""
        raw = self._get(name)
        if isinstance(raw, str):
            raw = [part.strip() for part in raw.split(",")] if raw.strip() else []
        if not isinstance(raw, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in raw):
            raise SettingsError(f"{name}: expected a list of paths such as ['static'], got {raw!r}")
        absolute = [s for s in raw if Path(s).is_absolute()]
        if absolute:
            raise SettingsError(f"{name}: {absolute[0]!r} is absolute; expected a path inside the theme such as 'static'")
        return tuple(raw)

    def states(self, name: str) -> tuple[str, ...]:
        raw = self._get(name)
        if isinstance(raw, str):
            raw = [part for part in raw.replace(",", " ").split() if part]
        if not isinstance(raw, (list, tuple)) or not all(isinstance(s, str) and len(s) == 2 for s in raw):
            raise SettingsError(f"{name}: expected a list of two-letter state codes such as ['DC', 'MD'], got {raw!r}")
        return tuple(s.upper() for s in raw)


def _repository(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+", value):
        raise SettingsError(f"EVENTS_REPOSITORY: {value!r} is not a GitHub repository; expected OWNER/NAME such as dctech-events/site")
    return value


def _branch(value: str) -> str:
    if not value.strip() or any(c.isspace() or c in "~^:?*[\\" for c in value) or ".." in value:
        raise SettingsError(f"EVENTS_REPOSITORY_BRANCH: {value!r} is not a branch name; expected a name such as main")
    return value
