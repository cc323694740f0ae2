"""Which addresses a feed may be fetched from: public internet addresses only.

Group files come from pull requests, and `invoke preview` runs on them, so a
feed URL (or a redirect) must not make the build read the runner's own
services: loopback, the private network, link-local addresses such as the
cloud metadata service at 169.254.169.254, and the like. The fetcher asks
`refusal` about the very address it is about to connect to, so a name that
resolves to a public address once and a private one later (DNS rebinding)
gains nothing. A setting (`EVENTS_FETCH_ALLOW_PRIVATE`) turns the rule off
for tests and the demo, which serve feeds on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress

__all__ = ["KINDS", "refusal"]

# The kinds of address refused, in the order they are checked (the first that applies names it).
KINDS = ("unspecified", "loopback", "link-local", "multicast", "reserved", "private")

# 64:ff9b::/96 carries an IPv4 address to a NAT64 gateway, which connects to it.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def refusal(address: str) -> str | None:
    """The kind of address `address` is if feeds may not be read from it (one of `KINDS`), else None.

    IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
    NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) are judged by the IPv4
    address they carry as well. Anything not globally routable is refused,
    for example the shared address space 100.64.0.0/10 as "private".
    Raises ValueError for text that is not an IP address.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") does not change the kind
    for candidate in _carried(ip):
        kind = _kind(candidate)
        if kind is not None:
            return kind
    return None


def _carried(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    if isinstance(ip, ipaddress.IPv4Address):
        return [ip]
    # A mapped or NAT64 address is only a way of writing the IPv4 address: judge that alone.
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return [ip.sixtofour, ip] if ip.sixtofour is not None else [ip]


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or not ip.is_global or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local):
        return "private"
    return None
