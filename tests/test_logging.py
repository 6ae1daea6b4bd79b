"""The bot token never reaches a log line, whoever logs it and however."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import configure_logging

TOKEN = "123456:AAE-secret-token-value"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", [TOKEN], stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_a_url_with_the_token_is_redacted_in_message_and_arguments(log_stream: io.StringIO) -> None:
    logging.getLogger("telegram.ext").info("POST https://api.telegram.org/bot%s/sendMessage", TOKEN)
    logging.getLogger("centinela").warning(f"failed https://api.telegram.org/bot{TOKEN}/getMe")
    output = log_stream.getvalue()
    assert TOKEN not in output
    assert output.count("[REDACTED]") == 2


def test_a_traceback_mentioning_the_token_is_redacted(log_stream: io.StringIO) -> None:
    try:
        raise RuntimeError(f"connection to /bot{TOKEN}/getUpdates reset")
    except RuntimeError:
        logging.getLogger("centinela").exception("polling failed")
    output = log_stream.getvalue()
    assert "polling failed" in output and "RuntimeError" in output
    assert TOKEN not in output


def test_http_client_request_lines_are_silenced(log_stream: io.StringIO) -> None:
    logging.getLogger("httpx").info('HTTP Request: POST https://api.telegram.org/bot%s/getMe "200 OK"', TOKEN)
    assert log_stream.getvalue() == ""
