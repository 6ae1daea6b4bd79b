"""Running the bot, rather than being it: the health and metrics port (`health`, `metrics`), the offline
demo's printer (`demo`), and the `classify`, `evaluate` and `fit` commands (`classify`, `evaluate`, `fit`).

May import: feeds, delivery, storage, and the leaves model, errors, settings and text; never handlers
(which may import `ops.metrics`) or bot.
"""
