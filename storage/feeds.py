"""Feeds: the configured and admin-added sources, their conditional-GET state and their health.

Ingestion reads the feeds that are due and writes back what each fetch taught it (new ETag, body hash,
error and backoff). The backoff arithmetic itself is not here: callers pass the computed times in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from model import FeedForFetch, FeedOrigin, FeedSpec, FeedStatus, FeedUpdate, Scope
from storage.engine import rows_changed, upsert_into
from storage.tables import feeds


async def ensure_feed(session: AsyncSession, spec: FeedSpec, *, now: datetime, origin: str = "config") -> int:
    """Store `spec` unless a feed with its URL exists; returns the feed's id either way."""
    await session.execute(
        upsert_into(session, feeds)
        .values(url=spec.url, name=spec.name, scope=spec.scope.value, language=spec.language, origin=origin,
                active=True, consecutive_failures=0, created_at=now)
        .on_conflict_do_nothing(index_elements=[feeds.c.url]))
    return (await session.execute(select(feeds.c.id).where(feeds.c.url == spec.url))).scalar_one()


async def sync_config_feeds(session: AsyncSession, specs: Sequence[FeedSpec], *, now: datetime) -> list[int]:
    """Make the stored config feeds match `specs`; returns their ids in the order of `specs`.

    A spec is matched by URL, or else by name to a config feed whose URL is no longer in the config
    (a permanent redirect moved it, or the operator edited it), so that one source never becomes two
    feeds. The config is the source of truth: URL, name, scope and language follow it, and a redirect is
    simply learned again on the next fetch. Config feeds that left the config are deactivated, not
    deleted (their items stay); admin-added feeds are not touched, unless the config now lists their URL:
    then the feed is the config's (origin `config`), and leaves with it.
    """
    rows = (await session.execute(select(feeds.c.id, feeds.c.url, feeds.c.name, feeds.c.origin))).all()
    by_url = {row.url: row for row in rows}
    wanted = {spec.url for spec in specs}
    moved = {row.name: row for row in rows if row.origin == "config" and row.url not in wanted}
    ids: list[int] = []
    for spec in specs:
        row = by_url.get(spec.url) or moved.pop(spec.name, None)
        if row is None:
            ids.append(await ensure_feed(session, spec, now=now))
            continue
        await session.execute(
            update(feeds).where(feeds.c.id == row.id)
            .values(url=spec.url, name=spec.name, scope=spec.scope.value, language=spec.language, active=True,
                    origin=FeedOrigin.CONFIG.value))
        ids.append(row.id)
    await session.execute(
        update(feeds).where(feeds.c.origin == "config", feeds.c.id.not_in(ids)).values(active=False))
    return ids


async def feeds_due(session: AsyncSession, due_by: datetime, *, everything: bool = False) -> list[FeedForFetch]:
    """Active feeds whose next fetch is at or before `due_by` (or never set), oldest appointment first.

    `everything`: every active feed, whatever its schedule (`fetch --once`).
    """
    query = select(feeds).where(feeds.c.active.is_(True))
    if not everything:
        query = query.where(or_(feeds.c.next_fetch_at.is_(None), feeds.c.next_fetch_at <= due_by))
    query = query.order_by(feeds.c.next_fetch_at.is_not(None), feeds.c.next_fetch_at, feeds.c.id)
    return [
        FeedForFetch(id=row.id, url=row.url, name=row.name, scope=Scope(row.scope), language=row.language,
                     etag=row.etag, last_modified=row.last_modified, body_hash=row.body_hash,
                     consecutive_failures=row.consecutive_failures, origin=FeedOrigin(row.origin))
        for row in await session.execute(query)
    ]


async def record_updates(session: AsyncSession, updates: Sequence[FeedUpdate]) -> None:
    """Write the outcome of many fetches at once (one statement per kind of outcome)."""
    successes = [
        {"b_id": u.feed_id, "b_fetched": u.fetched_at, "b_next": u.next_fetch_at, "b_etag": u.etag,
         "b_modified": u.last_modified, "b_hash": u.body_hash}
        for u in updates if u.ok]
    failures = [
        {"b_id": u.feed_id, "b_fetched": u.fetched_at, "b_next": u.next_fetch_at, "b_kind": u.error_kind,
         "b_detail": u.error_detail, "b_failures": u.failures}
        for u in updates if not u.ok]
    if successes:
        await session.execute(
            update(feeds).where(feeds.c.id == bindparam("b_id")).values(
                last_fetched_at=bindparam("b_fetched"), last_success_at=bindparam("b_fetched"),
                next_fetch_at=bindparam("b_next"), etag=bindparam("b_etag"),
                last_modified=bindparam("b_modified"), body_hash=bindparam("b_hash"), consecutive_failures=0)
            .execution_options(synchronize_session=False),
            successes)
    if failures:
        await session.execute(
            update(feeds).where(feeds.c.id == bindparam("b_id")).values(
                last_fetched_at=bindparam("b_fetched"), last_error_at=bindparam("b_fetched"),
                next_fetch_at=bindparam("b_next"), last_error_kind=bindparam("b_kind"),
                last_error_detail=bindparam("b_detail"), consecutive_failures=bindparam("b_failures"))
            .execution_options(synchronize_session=False),
            failures)


async def move_feed(session: AsyncSession, feed_id: int, new_url: str) -> bool:
    """Give the feed the address a permanent redirect pointed to. False (and no change) when another
    feed already has that address: the two are then the same source, and an admin should remove one."""
    taken = exists().where(feeds.c.url == new_url, feeds.c.id != feed_id)
    result = await session.execute(
        update(feeds).where(and_(feeds.c.id == feed_id, ~taken)).values(url=new_url)
        .execution_options(synchronize_session=False))
    return bool(rows_changed(result))


async def feed_statuses(session: AsyncSession, *, active_only: bool = False) -> list[FeedStatus]:
    """Every feed with its health, failing feeds first, then by name."""
    query = select(feeds)
    if active_only:
        query = query.where(feeds.c.active.is_(True))
    query = query.order_by(feeds.c.consecutive_failures.desc(), feeds.c.name, feeds.c.id)
    return [_status(row) for row in await session.execute(query)]


async def get_feed(session: AsyncSession, feed_id: int) -> FeedStatus | None:
    row = (await session.execute(select(feeds).where(feeds.c.id == feed_id))).one_or_none()
    return _status(row) if row is not None else None


async def feed_by_url(session: AsyncSession, url: str) -> FeedStatus | None:
    row = (await session.execute(select(feeds).where(feeds.c.url == url))).one_or_none()
    return _status(row) if row is not None else None


async def add_admin_feed(session: AsyncSession, spec: FeedSpec, *, now: datetime) -> tuple[FeedStatus, bool]:
    """Store `spec` as an admin-added feed, due at once; returns the stored feed and whether it was added.

    A feed with that URL that is active stays as it is (False: it was there first). An inactive one (an
    admin removed it, or it left config.toml) comes back as an admin feed with the new name and scope and
    a clean health record; its conditional-GET state and its items stay.
    """
    inserted = (await session.execute(
        upsert_into(session, feeds)
        .values(url=spec.url, name=spec.name, scope=spec.scope.value, language=spec.language,
                origin=FeedOrigin.ADMIN.value, active=True, consecutive_failures=0, created_at=now)
        .on_conflict_do_nothing(index_elements=[feeds.c.url])
        .returning(feeds.c.id))).scalar_one_or_none()
    revived = False
    if inserted is None:
        result = await session.execute(
            update(feeds).where(feeds.c.url == spec.url, feeds.c.active.is_(False))
            .values(name=spec.name, scope=spec.scope.value, language=spec.language, origin=FeedOrigin.ADMIN.value,
                    active=True, consecutive_failures=0, next_fetch_at=None, last_error_at=None,
                    last_error_kind=None, last_error_detail=None)
            .execution_options(synchronize_session=False))
        revived = bool(rows_changed(result))
    stored = await feed_by_url(session, spec.url)
    assert stored is not None, "inserted, or there already"
    return stored, inserted is not None or revived


async def deactivate_admin_feed(session: AsyncSession, feed_id: int) -> bool:
    """Switch an active admin-added feed off (its items stay); False when there is no such feed."""
    result = await session.execute(
        update(feeds).where(feeds.c.id == feed_id, feeds.c.origin == FeedOrigin.ADMIN.value,
                            feeds.c.active.is_(True))
        .values(active=False).execution_options(synchronize_session=False))
    return bool(rows_changed(result))


def _status(row: Row[Any]) -> FeedStatus:
    return FeedStatus(id=row.id, url=row.url, name=row.name, scope=Scope(row.scope), origin=FeedOrigin(row.origin),
                      active=row.active, last_fetched_at=row.last_fetched_at, last_success_at=row.last_success_at,
                      last_error_at=row.last_error_at, last_error_kind=row.last_error_kind,
                      last_error_detail=row.last_error_detail, consecutive_failures=row.consecutive_failures,
                      next_fetch_at=row.next_fetch_at)
