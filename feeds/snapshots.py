"""Serves the feed snapshots shipped in demo/feeds/ on a loopback HTTP port, so that the offline demo ingests
them through the real fetcher (conditional GET included) instead of a shortcut.

A feed's snapshot is demo/feeds/<slug of its name>.xml. Besides feeds/fetch.py this is the only feeds
module that imports aiohttp (tests/test_layering.py allows it): it is the server side, for the demo only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from model import FeedSpec
from text import fold

SNAPSHOTS = Path(__file__).resolve().parent.parent / "demo" / "feeds"
LAST_MODIFIED = "Mon, 23 Nov 2026 11:55:00 GMT"  # the snapshots were taken just before the demo's clock


def slug(name: str) -> str:
    """'El País América' -> 'el-pais-america'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


class SnapshotServer:
    """Answers GET /<slug>.xml with the snapshot, its ETag and Last-Modified, and 304 when they match."""

    def __init__(self, folder: Path = SNAPSHOTS) -> None:
        self.folder = folder
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def _serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        path = self.folder / f"{name}.xml"
        if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
            return web.Response(status=404, text="no such snapshot")
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers={**headers, "Content-Type": "application/rss+xml; charset=utf-8"})

    def specs(self, feeds: Sequence[FeedSpec]) -> list[FeedSpec]:
        """The configured feeds that have a snapshot, pointed at this server."""
        return [replace(feed, url=f"{self.base_url}/{slug(feed.name)}.xml") for feed in feeds
                if (self.folder / f"{slug(feed.name)}.xml").is_file()]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}.xml", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@asynccontextmanager
async def serve_snapshots(folder: Path = SNAPSHOTS) -> AsyncIterator[SnapshotServer]:
    server = SnapshotServer(folder)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
