"""Who may call the service, from which web pages and how often: cross-origin access and per-client rate limits.

- :func:`parse_origins` and :func:`parse_rate_limit` check the operator's values (``--allowed-origins``,
  ``--rate-limit`` or their ``PROVRISK_*`` variables) and :func:`parse_trusted_proxies` those of
  ``--forwarded-allow-ips``; each raises ValueError with one line naming the bad value.
- :func:`allow_cross_origin` lets the web pages of the listed origins call the API (Starlette's
  ``CORSMiddleware``); without it the service answers same-origin pages only, as browsers enforce by default.
- :class:`ClientRateLimit` is a FastAPI dependency counting each client's requests in a moving window
  (the ``limits`` library, in this server process's memory); over the limit it answers 429 with
  ``Retry-After``. A client is its IP address as uvicorn reports it: behind a reverse proxy, the
  address in ``X-Forwarded-For`` when the proxy is trusted (``--forwarded-allow-ips``), else the proxy's.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections.abc import Iterable

import limits
from fastapi import FastAPI, Request
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

DEFAULT_PORTS = {"http": 80, "https": 443}
# scheme://host[:port]: a DNS name (IDNs in their xn-- form, as browsers send them), IPv4, or [IPv6]
_ORIGIN = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?"
)
_DNS_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
ORIGIN_FORM = "scheme://host[:port] with scheme http or https and nothing after the port, such as https://ngo.example.org"
RATE_LIMIT_FORM = "requests per period, such as 60/minute or 10/second (periods: second, minute, hour, day)"
# What a page from an allowed origin may send and read: bearer tokens and JSON or multipart bodies; the file
# name of a download and how long to wait after a 429.
CROSS_ORIGIN_METHODS = ["GET", "POST"]
CROSS_ORIGIN_REQUEST_HEADERS = ["Authorization", "Content-Type"]
CROSS_ORIGIN_EXPOSED_HEADERS = ["Content-Disposition", "Retry-After"]
PREFLIGHT_CACHE_S = 600


def parse_origin(text: str) -> str:
    """``text`` as a browser sends it in ``Origin`` (lower case, no default port); ValueError if it is no origin."""
    match = _ORIGIN.fullmatch(text.strip())
    if match is None or match["scheme"].lower() not in DEFAULT_PORTS:
        raise ValueError(f"{text!r} is not an origin: write {ORIGIN_FORM}")
    scheme = match["scheme"].lower()
    host = match["host"].lower()
    if host.startswith("["):
        try:
            host = f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            raise ValueError(f"{text!r} is not an origin: {host} is not an IPv6 address") from None
    elif not _DNS_NAME.fullmatch(host):
        raise ValueError(f"{text!r} is not an origin: {host!r} is not a host name")
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not an origin: port {port} is not between 1 and 65535")
    keep_port = port is not None and int(port) != DEFAULT_PORTS[scheme]
    return f"{scheme}://{host}" + (f":{int(port)}" if keep_port else "")


def parse_origins(values: Iterable[str]) -> tuple[str, ...]:
    """The origins in ``values`` (each one origin or a comma-separated list), normalised, in order, without repeats."""
    origins: dict[str, None] = {}
    for value in values:
        for item in value.split(","):
            if item.strip():
                origins[parse_origin(item)] = None
    return tuple(origins)


def parse_rate_limit(text: str) -> str:
    """``text`` (such as ``60/minute``) stripped, once ``limits`` reads it as one limit of at least one request."""
    try:
        items = limits.parse_many(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a rate limit: write {RATE_LIMIT_FORM}") from None
    if len(items) != 1:
        raise ValueError(f"{text!r} is more than one rate limit: write one, {RATE_LIMIT_FORM}")
    if items[0].amount < 1:
        raise ValueError(f"{text!r} allows no request at all: write at least 1 request per period, such as 1/minute")
    return text.strip()


def parse_trusted_proxies(text: str) -> str:
    """``text``, comma-separated IP addresses or networks (or ``*``) whose X-Forwarded-For uvicorn believes, cleaned.

    uvicorn takes any other word as a literal that never matches a TCP client, so a typo would
    silently make every client look like the proxy; hence the check.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError(f"{text!r} names no proxy: write IP addresses or networks, such as 127.0.0.1,10.0.0.0/8")
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network (such as 172.17.0.1 or 10.0.0.0/8)") from None
    return ",".join(items)


def allow_cross_origin(app: FastAPI, origins: Iterable[str]) -> None:
    """Let web pages from ``origins`` (normalised by :func:`parse_origins`) call ``app``; no cookies are involved."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=CROSS_ORIGIN_METHODS,
        allow_headers=CROSS_ORIGIN_REQUEST_HEADERS,
        expose_headers=CROSS_ORIGIN_EXPOSED_HEADERS,
        max_age=PREFLIGHT_CACHE_S,
    )


class ClientRateLimit:
    """A FastAPI dependency: at most ``rate_limit`` requests (such as ``60/minute``) per client IP address.

    A request over the limit raises HTTPException 429, which the app answers as ``{"error": ...}``
    with ``Retry-After`` (whole seconds until the client's oldest counted request leaves the window).
    Counts live in this server process, so each of ``--workers N`` processes counts on its own.
    """

    def __init__(self, rate_limit: str) -> None:
        self.rate_limit = parse_rate_limit(rate_limit)
        self.item = limits.parse(self.rate_limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client is not None else "unknown"
        if self.limiter.hit(self.item, client):
            return
        reset_at = self.limiter.get_window_stats(self.item, client).reset_time
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise HTTPException(
            429,
            f"too many requests: this server allows {self.rate_limit} from one client; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
