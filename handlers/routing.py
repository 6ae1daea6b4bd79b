"""What the bot answers and does on its own: every handler, the error handler and the jobs.

`start_handling` adds them to the Application once the runtime is installed in `Services`, then lets the
updates through (`Services.handling`). Importing this module imports every handler, and with them storage
and SQLAlchemy: `bot.py run` does that in a thread while the bot already polls.
"""

from __future__ import annotations

from handlers import admin, alerts, chat_settings, feedback, inline, latest, plain_text, start, subscribe
from handlers.error_handler import on_error
from handlers.jobs import schedule_jobs
from handlers.menu import publish_commands
from handlers.services import BotApplication, Context, Services
from handlers.throttle import THROTTLE_GROUP, throttle_updates
from settings import Settings


def start_handling(application: BotApplication, settings: Settings) -> None:
    """Add the handlers and jobs, publish the command menus (a job: six or more setMyCommands round trips),
    and start handling updates, those that waited first."""

    async def publish_menus(context: Context) -> None:
        await publish_commands(context.bot, admin_ids=settings.telegram.admin_ids)

    application.add_handler(throttle_updates, group=THROTTLE_GROUP)
    for module in (start, subscribe, latest, alerts, chat_settings, admin, feedback, inline, plain_text):
        application.add_handlers(module.HANDLERS)
    application.add_handler(start.FALLBACK)  # after every command: only commands nobody took reach it
    application.add_handler(plain_text.OUTDATED)  # after every button's handler: only data nobody took
    application.add_error_handler(on_error)
    schedule_jobs(application, settings)
    assert application.job_queue is not None, "the JobQueue is missing: install python-telegram-bot[job-queue]"
    application.job_queue.run_once(publish_menus, when=0, name="publish-commands")
    services: Services = application.bot_data
    services.handling.set()
