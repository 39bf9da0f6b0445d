"""Where webhook deliveries may go: public internet addresses only, unless the operator allows
private ones (``webhooks_allow_private``).

A webhook URL is chosen by whoever holds an admin key; without this check it could make Tally
POST to its own loopback services, the private network it runs in or a cloud metadata service
(server-side request forgery). A host is refused when it is, or resolves to, an address that is
loopback, unspecified, link-local (cloud metadata at 169.254.169.254 among them), private,
shared (carrier-grade NAT), multicast, reserved or otherwise not globally routable — in IPv4 and
IPv6, with IPv4 inside IPv6 (``::ffff:127.0.0.1``, NAT64, 6to4) judged by its IPv4 address, and
IPv4 in any form the C library accepts (``2130706433``, ``0177.0.0.1``, ``0x7f.1``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Cloud metadata services (AWS, GCP and Azure at 169.254.169.254 and AWS's IPv6 one; Alibaba's
# is in the shared range): named, so the refusal says what it is.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAMES = ("localhost", "localhost.localdomain", "metadata.google.internal")


class Refused(Exception):
    """The destination is not a public address (the message says which and why)."""


def _embedded_ipv4(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def kind(address: Address) -> str | None:
    """What makes ``address`` non-public (``"loopback"``, ``"private"``, …), or None."""
    inner = _embedded_ipv4(address)
    for candidate in dict.fromkeys((inner, address)):
        if candidate in _METADATA:
            return "cloud metadata"
        checks = (
            ("loopback", candidate.is_loopback),
            ("unspecified", candidate.is_unspecified),
            ("link-local", candidate.is_link_local),
            ("multicast", candidate.is_multicast),
            ("private", candidate.is_private),
            ("reserved", candidate.is_reserved),
            ("site-local", getattr(candidate, "is_site_local", False)),
            ("not globally routable", not candidate.is_global),
        )
        for name, applies in checks:
            if applies:
                return name
    return None


def literal(host: str) -> Address | None:
    """The address a host written as an IP stands for, in any form, or None for a name."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:  # 2130706433, 0177.0.0.1, 0x7f.1, 127.1: what inet_aton (and so connect) accepts
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def check_address(host: str, address: Address) -> None:
    found = kind(address)
    if found is not None:
        shown = host if host == str(address) else f"{host} ({address})"
        raise Refused(f"{shown} is a {found} address; webhooks go to public addresses only")


def check_name(host: str) -> Address | None:
    """Refuse what the host itself says (an address, ``localhost``); the literal address."""
    name = host.lower().rstrip(".")
    if name in _NAMES or name.endswith(".localhost"):
        raise Refused(f"{host} is a local name; webhooks go to public addresses only")
    address = literal(host)
    if address is not None:
        check_address(host, address)
    return address


@dataclass(frozen=True)
class Destination:
    host: str
    addresses: list[Address]


async def resolve(host: str, port: int, seconds: float) -> list[Address]:
    """Every address ``host`` resolves to (an OSError when it resolves to none)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(seconds):
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def destination(host: str, port: int, seconds: float, check: bool = True) -> Destination:
    """The address to connect to. With ``check``, every address the host resolves to must be
    public (one bad answer among good ones is refused, so a rebinding resolver cannot slip one
    in). Raises Refused, or OSError/TimeoutError when the name does not resolve."""
    address = check_name(host) if check else literal(host)
    if address is not None:
        return Destination(host, [address])
    found = list(dict.fromkeys(await resolve(host, port, seconds)))
    for each in found if check else ():
        check_address(host, each)
    return Destination(host, found)
