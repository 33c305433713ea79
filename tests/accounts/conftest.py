"""Fixtures for account tests: deliver queued mail and follow the link inside."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from summit.core.outbox import deliver_pending

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def deliver(app):
    """Send every queued message to the loopback SMTP server; return the counts."""

    def run():
        with app.app_context():
            return deliver_pending()

    return run


@pytest.fixture
def link_from(mailbox, deliver):
    """Deliver queued mail, then return the path of the link in the newest mail to ``email``."""

    def find(email: str) -> str:
        deliver()
        messages = mailbox.to(email)
        assert messages, f"no mail arrived for {email}"
        match = LINK.search(mailbox.body(messages[-1]))
        assert match, "the mail has no link"
        return urlsplit(match.group()).path

    return find
