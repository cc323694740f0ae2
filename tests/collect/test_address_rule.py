"""The address rule: which addresses a feed may be read from (a pure function, as a table)."""

from __future__ import annotations

import pytest

from events.collect.address_rule import KINDS, refusal


@pytest.mark.parametrize(
    "address, kind",
    [
        # IPv4
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # shared address space (carrier-grade NAT): not global
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        # IPv6
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "private"),  # site-local, deprecated but still routed inside sites
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),  # documentation
        ("::127.0.0.1", "reserved"),  # IPv4-compatible, deprecated
        ("2606:4700:4700::1111", None),
        ("2001:4860:4860::8888", None),
        # IPv6 carrying IPv4: judged by the IPv4 address
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.5", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("64:ff9b::808:808", None),
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:808:808::1", None),
    ],
)
def test_addresses_are_refused_by_kind(address, kind):
    assert refusal(address) == kind
    assert kind is None or kind in KINDS


def test_text_that_is_not_an_address_is_an_error():
    with pytest.raises(ValueError):
        refusal("intranet.example")
