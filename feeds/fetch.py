"""HTTP for feeds: one conditional GET per feed, with a deadline, a size cap and redirects followed by hand.

The only module (with the tests and the demo's snapshot server) that imports aiohttp. It decides
nothing about feeds: it returns the bytes and headers it got, or raises `FetchError` with a stable
`kind`:

    timeout             no complete answer within fetch.timeout_seconds (redirects and body included)
    http_<status>       an answer other than 200, 304 or a redirect (http_404, http_500...)
    too_large           the body (after gzip/deflate decoding) is over fetch.max_body_bytes
    redirect_loop       a redirect led back to an address already visited
    too_many_redirects  more than fetch.max_redirects redirects
    bad_redirect        a redirect without a usable Location
    bad_url             not an http(s) address
    blocked_address     a guarded feed's host is, or resolves to, an address that is not public
    connection          DNS, refused or reset connection
    tls                 the TLS handshake failed (a bad certificate, or no TLS on the other side)
    bad_response        a malformed answer or a body that does not decode

Feeds that an admin added at run time (`FeedOrigin.ADMIN`) are guarded unless
`fetch.allow_private_addresses` is set: they may only reach public addresses, so that the bot cannot be
pointed at itself, its network or a cloud metadata service. Names are checked by a resolver of their
own session (`GuardedResolver`), which refuses a host when any of its addresses is not public and
hands the connector only the addresses it checked, so a second DNS answer cannot slip in between the
check and the connection; an address written in the URL never reaches a resolver and is checked
before each request. Redirects are followed by hand, so every hop passes both checks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from errors import FetchError
from model import FeedForFetch, FeedOrigin
from settings import FetchSettings

ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, "
          "text/xml;q=0.8, */*;q=0.5")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one conditional GET brought back."""

    url: str  # the address the answer came from, after redirects
    not_modified: bool  # 304: nothing to read
    body: bytes = b""
    content_type: str | None = None
    content_language: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # every redirect was permanent: the feed's new address


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_problem(address: str | IPAddress) -> str | None:
    """Why a guarded feed may not connect to `address` ("loopback", "private", "link-local"...), or None
    when the address is public.

    An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, NAT64) is judged by
    the IPv4 address inside it, which is where its packets may end up.
    """
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.partition("%")[0])  # fe80::1%eth0: the zone is no address
        except ValueError:
            return "not an IP address"
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        if inner is not None:
            return address_problem(inner)
    for problem, applies in (("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
                             ("link-local", address.is_link_local), ("multicast", address.is_multicast),
                             ("private", address.is_private), ("reserved", address.is_reserved)):
        if applies:
            return problem
    return None if address.is_global else "not public"  # e.g. 100.64.0.0/10, shared by carrier-grade NAT


class BlockedAddress(Exception):
    """A guarded fetch was about to reach an address that is not public. `Fetcher.fetch` turns it into
    FetchError(kind="blocked_address"); it is no OSError, so aiohttp hands it through unwrapped."""

    def __init__(self, host: str, address: str, problem: str) -> None:
        self.detail = (f"{host} is {problem}" if host.strip("[]") == address
                       else f"{host} resolves to {address} ({problem})")
        super().__init__(self.detail)


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Refuses addresses that are not public. `exempt` addresses count as public: tests use it to let a
    loopback server stand in for a host on the internet."""

    exempt: frozenset[str] = frozenset()

    @classmethod
    def exempting(cls, addresses: Collection[str]) -> AddressGuard:
        return cls(frozenset(str(ipaddress.ip_address(address)) for address in addresses))

    def check(self, host: str, address: str) -> None:
        """Raise BlockedAddress unless `address` (which `host` resolved to) is public."""
        problem = address_problem(address)
        if problem is not None and address.partition("%")[0] not in self.exempt:
            raise BlockedAddress(host, address, problem)

    def check_literal(self, host: str) -> None:
        """Check a host written in the URL as an address: the connector uses it without a resolver."""
        candidate = host.strip("[]").partition("%")[0]
        try:
            normal = str(ipaddress.ip_address(candidate))
        except ValueError:
            return  # a name: the guarded session's resolver checks what it resolves to
        self.check(host, normal)


class GuardedResolver(AbstractResolver):
    """The resolver of the guarded session: resolves like `inner` (the system's resolver by default) and
    refuses the host when ANY of its addresses is not public. The connector connects only to addresses
    that this method returned, so what was checked is what is reached."""

    def __init__(self, guard: AddressGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner if inner is not None else aiohttp.DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        resolved = await self._inner.resolve(host, port, family)
        for result in resolved:
            self._guard.check(host, result["host"])
        return resolved

    async def close(self) -> None:
        await self._inner.close()


class Fetcher:
    """Fetches feeds over one shared aiohttp session, within the limits of `FetchSettings`; admin-added
    feeds go through a second session whose resolver refuses addresses that are not public."""

    def __init__(self, session: aiohttp.ClientSession, limits: FetchSettings, *,
                 guarded_session: aiohttp.ClientSession | None = None, guard: AddressGuard | None = None,
                 user_agents: Mapping[str, str] | None = None) -> None:
        self._session = session
        self._limits = limits
        self._user_agents = dict(user_agents or {})
        self._guarded_session = guarded_session
        self._guard = guard if guard is not None else AddressGuard()

    def guards(self, feed: FeedForFetch) -> bool:
        """Whether `feed` may only reach public addresses: admin-added, unless the config allows more."""
        return feed.origin is FeedOrigin.ADMIN and not self._limits.allow_private_addresses

    async def fetch(self, feed: FeedForFetch) -> FetchResult:
        """GET `feed.url`, conditionally on its stored ETag and Last-Modified. Raises FetchError."""
        seconds = self._limits.timeout.total_seconds()
        guarded = self.guards(feed)
        session = self._guarded_session if guarded else self._session
        if session is None:
            raise RuntimeError("a guarded feed needs the guarded session: build the Fetcher with open_fetcher")
        try:
            async with asyncio.timeout(seconds):
                return await self._follow(feed, session, guarded=guarded)
        except BlockedAddress as exc:
            raise FetchError(feed.url, "blocked_address", exc.detail) from exc
        except TimeoutError as exc:
            raise FetchError(feed.url, "timeout", f"no complete answer within {seconds:g} s") from exc
        except aiohttp.InvalidURL as exc:
            raise FetchError(feed.url, "bad_url", f"{exc}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchError(feed.url, "bad_response", _describe(exc)) from exc
        except aiohttp.ClientResponseError as exc:
            # Raised only when aiohttp could not read the answer (an answered 400 is a status, not an
            # exception here): its "400" is aiohttp's own code for that, not the server's.
            raise FetchError(feed.url, "bad_response", f"the answer is not valid HTTP: {exc.message}"[:300]) from exc
        except (aiohttp.ClientSSLError, ssl.SSLError) as exc:
            raise FetchError(feed.url, "tls", _describe(exc)) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchError(feed.url, "connection", _describe(exc)) from exc

    async def _follow(self, feed: FeedForFetch, session: aiohttp.ClientSession, *, guarded: bool) -> FetchResult:
        headers = {"Accept": ACCEPT}
        if feed.url in self._user_agents:
            headers["User-Agent"] = self._user_agents[feed.url]
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        url, visited, permanent = feed.url, {feed.url}, True
        for hop in range(self._limits.max_redirects + 1):
            host = _check_url(feed.url, url)
            if guarded:
                self._guard.check_literal(host)
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status in REDIRECTS:
                    location = response.headers.get("Location", "").strip()
                    if not location:
                        raise FetchError(feed.url, "bad_redirect", f"{response.status} without a Location")
                    target = urljoin(url, location).partition("#")[0]
                    if target in visited:
                        raise FetchError(feed.url, "redirect_loop", f"{url} -> {target} was visited before")
                    if hop == self._limits.max_redirects:
                        raise FetchError(feed.url, "too_many_redirects",
                                         f"more than {self._limits.max_redirects} redirects")
                    permanent = permanent and response.status in PERMANENT
                    visited.add(target)
                    url = target
                    continue
                moved_to = url if permanent and url != feed.url else None
                if response.status == 304:
                    return FetchResult(url=url, not_modified=True, etag=response.headers.get("ETag"),
                                       last_modified=response.headers.get("Last-Modified"), moved_to=moved_to)
                if not 200 <= response.status < 300:
                    raise FetchError(feed.url, f"http_{response.status}", response.reason or "")
                body = await self._read(feed.url, response)
                return FetchResult(
                    url=url, not_modified=False, body=body, content_type=response.headers.get("Content-Type"),
                    content_language=response.headers.get("Content-Language"),
                    etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
                    moved_to=moved_to)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _read(self, feed_url: str, response: aiohttp.ClientResponse) -> bytes:
        """The body, decompressed, refusing it as soon as it is known to be over the cap."""
        limit = self._limits.max_body_bytes
        if response.content_length is not None and response.content_length > limit:
            raise FetchError(feed_url, "too_large", f"Content-Length {response.content_length} > {limit} bytes")
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchError(feed_url, "too_large", f"body over {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _check_url(feed_url: str, url: str) -> str:
    """The host of `url`, if it is an http(s) address; else FetchError(bad_url)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise FetchError(feed_url, "bad_url", f"{url!r} is not a URL") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(feed_url, "bad_url", f"{url!r} is not an http(s) address")
    return host


def _describe(exc: BaseException) -> str:
    """'ClientConnectorDNSError: Cannot connect to host...' (the class name alone when there is no message)."""
    return f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__


@asynccontextmanager
async def open_fetcher(limits: FetchSettings, *, resolver: AbstractResolver | None = None,
                       exempt: Collection[str] = (), user_agents: Mapping[str, str] | None = None,
                       ) -> AsyncIterator[Fetcher]:
    """A Fetcher with its own sessions: at most `limits.concurrency` connections each, the configured
    User-Agent (or, for the feed URLs in `user_agents`, theirs), gzip/deflate, no cookies. Closed when the
    block ends.

    Unless `limits.allow_private_addresses`, a second session serves guarded (admin-added) feeds; its
    resolver wraps `resolver` (the system's by default) and `exempt` addresses count as public there.
    Both are seams for tests, which have no DNS and only a loopback server.
    """
    guard = AddressGuard.exempting(exempt)
    session = new_session(limits)
    guarded = None if limits.allow_private_addresses else new_session(limits, GuardedResolver(guard, resolver))
    try:
        yield Fetcher(session, limits, guarded_session=guarded, guard=guard, user_agents=user_agents)
    finally:
        await session.close()
        if guarded is not None:
            await guarded.close()


def new_session(limits: FetchSettings, resolver: AbstractResolver | None = None) -> aiohttp.ClientSession:
    """A session for feeds (call inside the running event loop; close it on shutdown)."""
    seconds = limits.timeout.total_seconds()
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limits.concurrency, ttl_dns_cache=300, resolver=resolver),
        headers={"User-Agent": limits.user_agent},
        timeout=aiohttp.ClientTimeout(total=seconds, sock_connect=min(seconds, 10.0)),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=True,
        raise_for_status=False,
    )
