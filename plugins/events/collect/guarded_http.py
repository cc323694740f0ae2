"""The network edge of fetching: where connections are opened, checked and bounded.

requests (through urllib3) opens every connection of a fetch, the
redirects' included, through `GuardedAdapter`, which replaces urllib3's
connect step with `Guard.open`:

- each host name is resolved once per run (`Names`), and the connection goes
  to one of those addresses, so the address checked is the address
  connected to (DNS rebinding gains nothing);
- an address the rule refuses (`address_rule.refusal`) is never connected
  to, unless private addresses are allowed;
- every socket of a try is handed to that try's `TryWatch`, a watchdog that
  shuts the sockets down when the try's wall-clock deadline passes, so a
  server that drips its headers or body one byte at a time cannot hold a
  fetch past its deadline (socket timeouts alone reset on every byte).

Proxies from the environment are not used: through a proxy the address rule
could not see the address the feed is read from.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from events.collect.address_rule import refusal

__all__ = ["Address", "FetchFailure", "Guard", "GuardedAdapter", "Names", "Resolver", "TryWatch", "system_resolver"]

# One address of a host: (socket family, IP address text, IPv6 scope id).
Address = tuple[int, str, int]
# host name -> its addresses; raises socket.gaierror when the name does not resolve.
Resolver = Callable[[str], Sequence[Address]]

# getaddrinfo errors that say "try again" rather than "no such name".
_TEMPORARY = frozenset({socket.EAI_AGAIN})


class FetchFailure(Exception):
    """A fetch failed for a reason with a name (one of `fetch.REASONS`); the message says what happened."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def system_resolver(host: str) -> list[Address]:
    """The machine's resolver (getaddrinfo), TCP addresses only."""
    found: list[Address] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM):
        scope = int(sockaddr[3]) if family == socket.AF_INET6 and len(sockaddr) > 3 else 0
        entry = (int(family), str(sockaddr[0]), scope)
        if entry not in found:
            found.append(entry)
    return found


@dataclass
class _Lookup:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    addresses: tuple[Address, ...] = ()
    error: str = ""


class Names:
    """Host names resolved once per run, whoever asks first; the others wait for that answer.

    A name that does not resolve is not asked again in the same run; a
    temporary resolver failure is retried at once, up to `tries` times (the
    resolver's own timeout spaces them). IP literals are not looked up.
    """

    def __init__(self, resolve: Resolver = system_resolver, tries: int = 3) -> None:
        self._resolve = resolve
        self._tries = max(1, tries)
        self._lookups: dict[str, _Lookup] = {}
        self._guard = threading.Lock()

    def addresses(self, host: str) -> tuple[Address, ...]:
        """The addresses of `host`; raises FetchFailure (reason "dns") when it does not resolve."""
        literal = _literal(host)
        if literal is not None:
            return (literal,)
        key = host.lower().rstrip(".")
        with self._guard:
            lookup = self._lookups.setdefault(key, _Lookup())
        with lookup.lock:
            if not lookup.done:
                lookup.addresses, lookup.error = self._ask(host)
                lookup.done = True
        if lookup.error:
            raise FetchFailure(lookup.error, "dns")
        return lookup.addresses

    def _ask(self, host: str) -> tuple[tuple[Address, ...], str]:
        error = ""
        for _ in range(self._tries):
            try:
                found = tuple(self._resolve(host))
            except (socket.gaierror, UnicodeError) as problem:
                error = f"the host name {host} could not be resolved ({_gai_text(problem)})"
                if getattr(problem, "errno", None) not in _TEMPORARY:
                    break
                continue
            if found:
                return found, ""
            error = f"the host name {host} has no address"
            break
        return (), error

    def counts(self) -> tuple[int, int]:
        """(host names resolved, host names that did not resolve) so far in this run."""
        with self._guard:
            finished = [lookup for lookup in self._lookups.values() if lookup.done]
        return sum(1 for lookup in finished if not lookup.error), sum(1 for lookup in finished if lookup.error)


def _literal(host: str) -> Address | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if ip.version == 4:
        return (int(socket.AF_INET), str(ip), 0)
    mapped = ip.ipv4_mapped
    return (int(socket.AF_INET6), f"::ffff:{mapped}" if mapped is not None else str(ip), 0)


def _gai_text(problem: Exception) -> str:
    return str(problem.args[1]) if len(problem.args) > 1 else str(problem) or type(problem).__name__


class TryWatch:
    """The wall-clock deadline of one try: when it passes, every socket of the try is shut down.

    Shutting a socket down wakes a thread blocked reading it, however slowly
    the server sends. The watch keeps a duplicate of each socket's file
    descriptor, so it can still do that after TLS has taken the socket over,
    and closes the duplicates when the try ends.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._finished = False
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        with self._lock:
            return self._expired

    def start(self) -> None:
        self._timer.start()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if self._finished:
                return
            try:
                duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
            except OSError:  # closed already: nothing left to bound
                return
            self._sockets.append(duplicate)
            if self._expired:
                _shut(duplicate)

    def finish(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._finished = True
            for duplicate in self._sockets:
                duplicate.close()
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._expired = True
            for duplicate in self._sockets:
                _shut(duplicate)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected yet, or already closed by its owner
        sock.shutdown(socket.SHUT_RDWR)


class Guard:
    """One fetcher's rule for connections: the run's names, the address rule, each thread's current try."""

    def __init__(self, names: Names, allow_private: bool, rule: Callable[[str], str | None] = refusal) -> None:
        self.names = names
        self.allow_private = allow_private
        self._rule = rule
        self._local = threading.local()

    @contextlib.contextmanager
    def attempt(self, seconds: float) -> Iterator[TryWatch]:
        """One try, bounded by `seconds` of wall-clock time from now (in this thread)."""
        watch = TryWatch(seconds)
        self._local.watch = watch
        watch.start()
        try:
            yield watch
        finally:
            watch.finish()
            self._local.watch = None

    def current(self) -> TryWatch | None:
        watch: TryWatch | None = getattr(self._local, "watch", None)
        return watch

    def watch(self, sock: socket.socket | None) -> None:
        watch = self.current()
        if watch is not None and sock is not None:
            watch.add(sock)

    def open(self, connection: HTTPConnection) -> socket.socket:
        """A connected socket to `connection`'s host: resolved once, checked, bounded by the try."""
        host, port = connection._dns_host, int(connection.port or 0)
        addresses = self.names.addresses(host)
        allowed = list(addresses) if self.allow_private else [a for a in addresses if self._rule(a[1]) is None]
        if not allowed:
            ip = addresses[0][1]
            named = "" if _literal(host) is not None else f" ({host})"
            raise FetchFailure(f"the feed's address {ip}{named} is {self._rule(ip)}; refused", "refused-address")
        watch = self.current()
        last: OSError | None = None
        for family, ip, scope in allowed:
            if watch is not None and watch.expired:
                break
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                for option in connection.socket_options or ():
                    sock.setsockopt(*option)
                if isinstance(connection.timeout, (int, float)):
                    sock.settimeout(connection.timeout)
                if connection.source_address:
                    sock.bind(connection.source_address)
                if watch is not None:
                    watch.add(sock)
                sock.connect((ip, port, 0, scope) if family == socket.AF_INET6 else (ip, port))
            except OSError as error:
                sock.close()
                last = error
                continue
            return sock
        if isinstance(last, TimeoutError) or last is None:
            raise ConnectTimeoutError(connection, f"connection to {host} timed out")
        raise NewConnectionError(connection, f"Failed to establish a new connection: {last}") from last


def _connection_types(guard: Guard) -> tuple[type[HTTPConnectionPool], type[HTTPSConnectionPool]]:
    """urllib3 pool types whose connections open through `guard` and report reused sockets to the current try."""

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return guard.open(self)

        def request(self, *args: Any, **kwargs: Any) -> None:
            guard.watch(self.sock)  # a kept-alive connection from an earlier try
            super().request(*args, **kwargs)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return guard.open(self)

        def request(self, *args: Any, **kwargs: Any) -> None:
            guard.watch(self.sock)
            super().request(*args, **kwargs)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return GuardedHTTPPool, GuardedHTTPSPool


class GuardedAdapter(HTTPAdapter):
    """requests' adapter with every connection opened through a `Guard`, and no proxies."""

    def __init__(self, guard: Guard, pool_maxsize: int = 10) -> None:
        self._pools = _connection_types(guard)
        super().__init__(pool_maxsize=pool_maxsize)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        plain, secure = self._pools
        self.poolmanager.pool_classes_by_scheme = {"http": plain, "https": secure}

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> Response:
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=None)
