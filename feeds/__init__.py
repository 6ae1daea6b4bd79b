"""A feed URL -> a stored, classified story: fetch, parse, normalise, cluster, classify (the configured
terms, the learned `topic_model`, and `topics`, which reads its file), the parse worker pool, ingestion
cycles, the feeds an administrator adds (`sources`), the demo's snapshots, and the `service` through which
the rest of the bot runs ingestion.

May import: storage, and the leaves model, errors, settings and text. Never delivery (fan-out reaches
ingestion as the `on_new` hook that bot.py injects), handlers or ops.
"""
