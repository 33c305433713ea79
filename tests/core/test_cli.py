"""`flask mail send`: the sender run on a timer in production."""

import socket

from sqlalchemy import select

from summit.core.outbox import PENDING, OutboxMessage, queue_email
from summit.extensions import db


class _Person:
    name = "Ana Flores"


def _queue():
    queue_email(
        "ana@example.org", "accounts/emails/verify", user=_Person(), link="https://example.org/v/1"
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mail_send_command_delivers_and_reports_counts(app, runner, mailbox):
    with app.app_context():
        _queue()
        db.session.commit()

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 1, will retry 0, failed 0"
    assert len(mailbox.to("ana@example.org")) == 1


def test_mail_send_command_smtp_down_reports_retry(make_app, mailbox):
    app = make_app(MAIL_PORT=_closed_port())
    with app.app_context():
        _queue()
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["mail", "send", "--limit", "5"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 0, will retry 1, failed 0"
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == PENDING
    assert mailbox.messages == []
