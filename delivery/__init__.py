"""A stored story -> the chats that want it -> the outbox -> Telegram.

Owns keyword alerts and their index (`keywords`), who hears a new story (`fanout`, whose hook bot.py gives
ingestion as `on_new`), what to do about Telegram's answers (`outcome`), the alert, bundle and digest
messages (`render`), the one Sender (`sender`) and the daily digests (`digests`).

May import: storage, and the leaves model, errors, settings and text. Only `delivery.sender` imports
telegram; nothing here imports feeds, handlers or ops.
"""
