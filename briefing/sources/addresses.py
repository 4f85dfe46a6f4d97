"""Which addresses a fetch may connect to: the private-address check and name resolution.

The host of every hop is resolved once and refused if *any* of its addresses is loopback,
private, link-local, multicast, reserved, unspecified, shared (CGNAT), not globally routable,
or a cloud metadata address; IPv4 addresses embedded in IPv6 ones (IPv4-mapped
``::ffff:a.b.c.d``, NAT64, 6to4, Teredo) are checked as IPv4 too. Literal IP hosts are checked
without resolving anything. The addresses that pass are the only ones the connection may dial
(:class:`briefing.sources.transport.PinnedBackend`): no second lookup, so no DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Sequence
from typing import Any

from briefing.sources.transport import Clock, Problem

__all__ = ["Resolver", "checked_addresses", "is_private_address"]

_PRIVATE_HINT = "use --allow-private for intranet sources"

# Cloud instance-metadata endpoints (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS IPv6;
# Alibaba). All but the IPv6 one are non-global anyway; listed so the intent is explicit.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str], Sequence[str]]
"""Host name -> IP address strings (default: the system resolver, ``socket.getaddrinfo``)."""


def is_private_address(address: str) -> bool:
    """True if ``address`` (an IP address string) must not be fetched without allow_private.

    Anything that is not a public unicast address counts: loopback, RFC 1918/ULA private,
    link-local, multicast, reserved, unspecified, shared/CGNAT, documentation ranges, cloud
    metadata, and IPv6 addresses embedding such an IPv4 address. Unparseable input is refused.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return True
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        if ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            candidates.append(ip.sixtofour)
        if ip.teredo is not None:
            candidates.extend(ip.teredo)
        if ip in _NAT64:
            candidates.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return any(
        c in _METADATA
        or c.is_loopback
        or c.is_private
        or c.is_link_local
        or c.is_multicast
        or c.is_reserved
        or c.is_unspecified
        or not c.is_global
        for c in candidates
    )


def _system_resolver(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _resolve(host: str, resolver: Resolver, clock: Clock) -> list[str]:
    """Resolve in a daemon thread so a hanging DNS server cannot outlast the deadline."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["addresses"] = list(resolver(host))
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="briefing-resolve", daemon=True)
    thread.start()
    thread.join(clock.check())
    if thread.is_alive():
        raise clock.expired()
    if "error" in outcome or not outcome.get("addresses"):
        raise Problem(f"cannot resolve host name {host}", transient=True)
    addresses: list[str] = []
    for address in outcome["addresses"]:
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(
    host: str,
    clock: Clock,
    *,
    resolver: Resolver | None = None,
    allow_private: bool = False,
    shown: str | None = None,
) -> list[str]:
    """The addresses to connect to for ``host`` (a name or a literal IP, as in the URL), after
    the private-address check; ``shown`` is the host as the user wrote it, for messages."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        addresses = _resolve(host, resolver or _system_resolver, clock)
        literal = False
    else:
        addresses, literal = [host], True
    if not allow_private:
        for address in addresses:
            if is_private_address(address):
                where = "" if literal else f" for {shown or host}"
                raise Problem(f"refused private address {address}{where} ({_PRIVATE_HINT})")
    return addresses
