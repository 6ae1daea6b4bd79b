"""The Telegram side: command handlers, message formatting, delivery and scheduled jobs.

The only package besides `bot.py` that imports `telegram`.
"""
