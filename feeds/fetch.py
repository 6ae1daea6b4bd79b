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
    connection          DNS, refused or reset connection
    tls                 the TLS handshake failed (a bad certificate, or no TLS on the other side)
    bad_response        a malformed answer or a body that does not decode
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from errors import FetchError
from model import FeedForFetch
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


class Fetcher:
    """Fetches feeds over one shared aiohttp session, within the limits of `FetchSettings`."""

    def __init__(self, session: aiohttp.ClientSession, limits: FetchSettings) -> None:
        self._session = session
        self._limits = limits

    async def fetch(self, feed: FeedForFetch) -> FetchResult:
        """GET `feed.url`, conditionally on its stored ETag and Last-Modified. Raises FetchError."""
        seconds = self._limits.timeout.total_seconds()
        try:
            async with asyncio.timeout(seconds):
                return await self._follow(feed)
        except TimeoutError as exc:
            raise FetchError(feed.url, "timeout", f"no complete answer within {seconds:g} s") from exc
        except aiohttp.InvalidURL as exc:
            raise FetchError(feed.url, "bad_url", f"{exc}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchError(feed.url, "bad_response", _describe(exc)) from exc
        except aiohttp.ClientResponseError as exc:
            raise FetchError(feed.url, "bad_response", _describe(exc)) from exc
        except (aiohttp.ClientSSLError, ssl.SSLError) as exc:
            raise FetchError(feed.url, "tls", _describe(exc)) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchError(feed.url, "connection", _describe(exc)) from exc

    async def _follow(self, feed: FeedForFetch) -> FetchResult:
        headers = {"Accept": ACCEPT}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        url, visited, permanent = feed.url, {feed.url}, True
        for hop in range(self._limits.max_redirects + 1):
            _check_url(feed.url, url)
            async with self._session.get(url, headers=headers, allow_redirects=False) as response:
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


def _check_url(feed_url: str, url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(feed_url, "bad_url", f"{url!r} is not a URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(feed_url, "bad_url", f"{url!r} is not an http(s) address")


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300] if str(exc) else text


@asynccontextmanager
async def open_fetcher(limits: FetchSettings) -> AsyncIterator[Fetcher]:
    """A Fetcher with its own session: at most `limits.concurrency` connections, the configured
    User-Agent, gzip/deflate, no cookies. Closed when the block ends."""
    session = new_session(limits)
    try:
        yield Fetcher(session, limits)
    finally:
        await session.close()


def new_session(limits: FetchSettings) -> aiohttp.ClientSession:
    """The shared session (call inside the running event loop; close it on shutdown)."""
    seconds = limits.timeout.total_seconds()
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limits.concurrency, ttl_dns_cache=300),
        headers={"User-Agent": limits.user_agent},
        timeout=aiohttp.ClientTimeout(total=seconds, sock_connect=min(seconds, 10.0)),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=True,
        raise_for_status=False,
    )
