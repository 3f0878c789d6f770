"""The address of the client behind our own reverse proxies (for rate limits and /metrics).

REMOTE_ADDR is the proxy when one sits in front (on the same host: a loopback address).
When the peer is one of TRUSTED_PROXY_NETWORKS, the client is the right-most address in
X-Forwarded-For that is not itself a trusted proxy: entries to its left were written by the
client and can be forged, the right-most ones by our proxies. A direct peer that is not a
trusted proxy is the client, whatever X-Forwarded-For it sends.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("Ignoring malformed network %r in settings", entry)
    return tuple(networks)


def in_networks(address: str, entries) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in parse_networks(tuple(entries)))


def client_address(request) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_NETWORKS
    if not in_networks(peer, trusted):
        return peer
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in forwarded if h]):
        if not in_networks(hop, trusted):
            return hop if _is_address(hop) else peer
    return peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
