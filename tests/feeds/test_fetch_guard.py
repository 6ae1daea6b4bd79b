"""The address guard of feeds.fetch: admin-added feeds reach public addresses only, checked after DNS
and on every redirect hop; config feeds and `fetch.allow_private_addresses` are not guarded.

There is no DNS in tests and the only server is on loopback, so names resolve through a table
(`TableResolver`), and where a test needs a "public" server, 127.0.0.1 is exempted from the guard to
stand in for one. The network guard of tests/conftest.py would fail any connection the address guard
let through to a private address, so a refusal here also proves nothing was connected.
"""

from __future__ import annotations

import dataclasses
import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from errors import FetchError
from feeds.fetch import AddressGuard, BlockedAddress, FetchResult, address_problem, open_fetcher
from model import FeedForFetch, FeedOrigin, Scope
from settings import FetchSettings
from tests.support.feedserver import FeedServer

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
LOCAL = "127.0.0.1"  # the feed server; exempted where it plays a host on the internet


class TableResolver(AbstractResolver):
    """Answers from a table of host -> addresses, like DNS would; an unknown name does not resolve."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(socket.EAI_NONAME, f"{host}: Name or service not known")
        return [ResolveResult(hostname=host, host=address, port=port,
                              family=socket.AF_INET6 if ":" in address else socket.AF_INET, proto=0,
                              flags=socket.AI_NUMERICHOST) for address in self.table[host]]

    async def close(self) -> None:
        pass


def admin_feed(url: str) -> FeedForFetch:
    return FeedForFetch(id=1, url=url, name="Added", scope=Scope.WORLD, language=None, origin=FeedOrigin.ADMIN)


def config_feed(url: str) -> FeedForFetch:
    return dataclasses.replace(admin_feed(url), origin=FeedOrigin.CONFIG)


async def fetch(limits: FetchSettings, feed: FeedForFetch, *, table: dict[str, list[str]] | None = None,
                exempt: tuple[str, ...] = ()) -> FetchResult:
    async with open_fetcher(limits, resolver=TableResolver(table or {}), exempt=exempt) as fetcher:
        return await fetcher.fetch(feed)


async def refused(limits: FetchSettings, feed: FeedForFetch, **options: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(limits, feed, **options)  # type: ignore[arg-type]
    assert caught.value.kind == "blocked_address", caught.value
    return caught.value


# --------------------------------------------------------------------------------------------------
# The check itself


@pytest.mark.parametrize(("address", "problem"), [
    pytest.param("127.0.0.1", "loopback", id="loopback"),
    pytest.param("127.8.9.10", "loopback", id="all-of-127/8"),
    pytest.param("169.254.169.254", "link-local", id="cloud-metadata"),
    pytest.param("10.0.0.1", "private", id="10/8"),
    pytest.param("172.16.0.1", "private", id="172.16/12"),
    pytest.param("192.168.1.1", "private", id="192.168/16"),
    pytest.param("100.64.0.1", "not public", id="carrier-grade-nat"),
    pytest.param("0.0.0.0", "unspecified", id="unspecified-v4"),
    pytest.param("224.0.0.1", "multicast", id="multicast-v4"),
    pytest.param("::1", "loopback", id="loopback-v6"),
    pytest.param("::", "unspecified", id="unspecified-v6"),
    pytest.param("fe80::1", "link-local", id="link-local-v6"),
    pytest.param("fe80::1%eth0", "link-local", id="link-local-v6-with-zone"),
    pytest.param("fd00::1", "private", id="unique-local-v6"),
    pytest.param("fd00:ec2::254", "private", id="aws-metadata-v6"),
    pytest.param("ff02::1", "multicast", id="multicast-v6"),
    pytest.param("::ffff:127.0.0.1", "loopback", id="ipv4-mapped-loopback"),
    pytest.param("::ffff:169.254.169.254", "link-local", id="ipv4-mapped-metadata"),
    pytest.param("2002:7f00:1::", "loopback", id="6to4-around-loopback"),
    pytest.param("64:ff9b::a00:1", "private", id="nat64-around-private"),
    pytest.param("localhost", "not an IP address", id="a-name-is-no-address"),
])
def test_addresses_that_are_not_public_are_refused(address: str, problem: str) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize("address", [
    pytest.param("8.8.8.8", id="v4"),
    pytest.param("151.101.1.140", id="v4-cdn"),
    pytest.param("2606:4700:4700::1111", id="v6"),
    pytest.param("::ffff:8.8.8.8", id="ipv4-mapped-public"),
])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


def test_the_guard_names_the_host_and_what_it_resolved_to() -> None:
    guard = AddressGuard.exempting(["127.0.0.1"])
    guard.check("feeds.example", "127.0.0.1")  # exempt
    with pytest.raises(BlockedAddress, match=r"intranet\.example resolves to 10\.1\.2\.3 \(private\)"):
        guard.check("intranet.example", "10.1.2.3")
    with pytest.raises(BlockedAddress, match=r"::1 is loopback"):
        guard.check_literal("::1")
    guard.check_literal("feeds.example")  # a name is the resolver's to check


# --------------------------------------------------------------------------------------------------
# Fetching


async def test_an_admin_feed_on_a_loopback_address_is_refused_before_any_request(
        feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS)
    error = await refused(limits, admin_feed(url))
    assert "127.0.0.1 is loopback" in error.detail
    assert feed_server.requests == []


async def test_allow_private_addresses_lifts_the_guard(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS)
    allowed = dataclasses.replace(limits, allow_private_addresses=True)
    assert (await fetch(allowed, admin_feed(url))).body == RSS


async def test_config_feeds_are_trusted(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS)
    assert (await fetch(limits, config_feed(url))).body == RSS


async def test_a_public_name_is_resolved_checked_and_fetched(feed_server: FeedServer, limits: FetchSettings) -> None:
    feed_server.route("/feed", RSS)
    url = f"http://feeds.example:{feed_server.port}/feed"
    result = await fetch(limits, admin_feed(url), table={"feeds.example": [LOCAL]}, exempt=(LOCAL,))
    assert result.body == RSS
    assert feed_server.hits("/feed")[0].headers["Host"] == f"feeds.example:{feed_server.port}"


@pytest.mark.parametrize("addresses", [
    pytest.param(["10.0.0.7"], id="private"),
    pytest.param(["169.254.169.254"], id="metadata"),
    pytest.param([LOCAL, "10.0.0.7"], id="one-bad-address-among-good-ones"),
    pytest.param(["fd12:3456::1"], id="unique-local-v6"),
])
async def test_a_name_that_resolves_to_a_private_address_is_refused(
        feed_server: FeedServer, limits: FetchSettings, addresses: list[str]) -> None:
    feed_server.route("/feed", RSS)
    url = f"http://intranet.example:{feed_server.port}/feed"
    error = await refused(limits, admin_feed(url), table={"intranet.example": addresses}, exempt=(LOCAL,))
    assert error.detail.startswith("intranet.example resolves to ")
    assert feed_server.requests == []


@pytest.mark.parametrize("target", [
    pytest.param("http://127.0.0.2:{port}/feed", id="loopback-literal"),
    pytest.param("http://[::1]:{port}/feed", id="v6-loopback-literal"),
    pytest.param("http://[::ffff:127.0.0.1]:{port}/feed", id="ipv4-mapped-literal"),
    pytest.param("http://169.254.169.254/latest/meta-data/", id="metadata-literal"),
    pytest.param("http://intranet.example:{port}/feed", id="name-of-a-private-address"),
    pytest.param("http://localhost.example:{port}/feed", id="name-of-loopback"),
])
async def test_a_redirect_to_a_private_address_is_refused_at_that_hop(
        feed_server: FeedServer, limits: FetchSettings, target: str) -> None:
    feed_server.redirect("/feed", target.format(port=feed_server.port), status=302)
    feed_server.route("/inside", RSS)
    url = f"http://feeds.example:{feed_server.port}/feed"
    table = {"feeds.example": [LOCAL], "intranet.example": ["192.168.1.10"], "localhost.example": ["::1"]}
    await refused(limits, admin_feed(url), table=table, exempt=(LOCAL,))
    assert [seen.path for seen in feed_server.requests] == ["/feed"]  # the first hop only


async def test_a_redirect_to_a_public_host_is_followed(feed_server: FeedServer, limits: FetchSettings) -> None:
    feed_server.redirect("/feed", f"http://mirror.example:{feed_server.port}/moved", status=301)
    feed_server.route("/moved", RSS)
    url = f"http://feeds.example:{feed_server.port}/feed"
    table = {"feeds.example": [LOCAL], "mirror.example": [LOCAL]}
    result = await fetch(limits, admin_feed(url), table=table, exempt=(LOCAL,))
    assert result.body == RSS and result.moved_to == f"http://mirror.example:{feed_server.port}/moved"


async def test_a_name_that_does_not_resolve_is_a_connection_error(limits: FetchSettings) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch(limits, admin_feed("http://nowhere.example/feed"))
    assert caught.value.kind == "connection"
