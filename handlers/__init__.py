"""The Telegram command surface: command handlers and their replies (`format`, `texts`), argument parsing
(`args`), admin checks, the error handler, the command menus, the flood throttle, configured channels, and
the JobQueue wiring that runs the runtime's services on a schedule.

May import: delivery, storage, `ops.metrics`, the leaves model, errors, settings and text, and telegram.
Never feeds (ingestion is reached through `services.FeedIngestion`, which bot.py installs) or bot.
"""
