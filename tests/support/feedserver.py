"""A real HTTP server on 127.0.0.1 that serves feeds the way each test tells it to.

Routes are set per test: status, headers, body, an optional gate (an asyncio.Event the handler waits on
before answering, so a test controls timing without sleeping), and conditional GET on the route's ETag
and Last-Modified. Every request is recorded for assertions.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since equals it
    gate: asyncio.Event | None = None  # wait for this before answering
    gzip: bool = False  # send the body gzip-encoded
    stream: Callable[[web.StreamResponse], Awaitable[None]] | None = None  # write the body yourself


@dataclass(frozen=True)
class Seen:
    path: str
    headers: Mapping[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._runner: web.AppRunner | None = None
        self._gates: list[asyncio.Event] = []
        self._arrived = asyncio.Event()
        self.port = 0

    def gate(self) -> asyncio.Event:
        """An event a route can wait on; the test sets it when it wants the answer (stop() sets it too)."""
        event = asyncio.Event()
        self._gates.append(event)
        return event

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **options: object) -> str:
        """Serve `body` at `path` (with Route options); returns the full URL."""
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        return self.route(path, status=status, headers={"Location": to})

    def serve_file(self, path: str, file: Path, **options: object) -> str:
        """Serve a fixture file, with the `Header:` lines of its comment header as response headers."""
        body = file.read_bytes()
        headers = dict(fixture_headers(body))
        headers.update(options.pop("headers", {}))  # type: ignore[arg-type]
        return self.route(path, body, headers=headers, **options)

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    async def wait_for_requests(self, count: int, *, timeout: float) -> None:
        """Wait until the server has received `count` requests in all (AssertionError after `timeout`)."""
        try:
            async with asyncio.timeout(timeout):
                while len(self.requests) < count:
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            raise AssertionError(f"{len(self.requests)} requests within {timeout}s, not {count}") from None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen(request.path_qs, dict(request.headers)))
        self._arrived.set()
        route = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="no such feed")
        if route.gate is not None:
            await route.gate.wait()
        validators = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        if (route.etag and request.headers.get("If-None-Match") == route.etag) or (
                route.last_modified and request.headers.get("If-Modified-Since") == route.last_modified):
            return web.Response(status=304, headers=validators)
        headers = {**validators, **route.headers}
        if route.stream is not None:
            response = web.StreamResponse(status=route.status, headers=headers)
            await response.prepare(request)
            await route.stream(response)
            return response
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        headers.setdefault("Content-Type", "application/rss+xml; charset=utf-8")
        return web.Response(status=route.status, body=body, headers=headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for gate in self._gates:  # let waiting handlers finish, so shutting down does not wait for them
            gate.set()
        if self._runner is not None:
            await self._runner.cleanup()


async def running_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def fixture_headers(body: bytes) -> list[tuple[str, str]]:
    """The `Header: Name: value` lines of a fixture's leading comment."""
    head = body[: body.find(b"-->")].decode("utf-8", "replace") if b"-->" in body[:4000] else ""
    headers = []
    for line in head.splitlines():
        name, _, rest = line.strip().partition(":")
        if name == "Header":
            key, _, value = rest.strip().partition(":")
            headers.append((key.strip(), value.strip()))
    return headers


def fixture_description(body: bytes) -> str:
    head = body[: body.find(b"-->")].decode("utf-8", "replace")
    for line in head.splitlines():
        name, _, rest = line.strip().partition(":")
        if name == "Description":
            return rest.strip()
    return ""
