"""Mail through the outbox: rendered in the recipient's language, delivered over real SMTP."""

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from summit.core.outbox import (
    FAILED,
    PENDING,
    SENT,
    OutboxMessage,
    backoff,
    deliver_pending,
    queue_email,
)
from summit.extensions import db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
VERIFY = "accounts/emails/verify"
VERIFY_SUBJECT = "Confirm your email for the Community Schools Summit"
ES_CATALOG = Path(__file__).resolve().parents[2] / "summit/translations/es/LC_MESSAGES/messages.po"


def _spanish(msgid: str) -> str:
    """What the Spanish catalog says for ``msgid`` (English until someone translates it)."""
    with ES_CATALOG.open("rb") as handle:
        message = read_po(handle).get(msgid)
    if message is None or not message.string or message.fuzzy:
        return msgid
    return message.string


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Person:
    name = "Ana Flores"


def _queue(to="ana@example.org", locale="en"):
    return queue_email(to, VERIFY, locale=locale, user=_Person(), link="https://example.org/v/1")


def _message(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


# --- queue_email ------------------------------------------------------------------


def test_queue_email_renders_subject_and_body_into_a_pending_row(ctx):
    message = _queue()
    db.session.flush()

    assert message.subject == VERIFY_SUBJECT
    assert message.body_text.startswith("Hello Ana Flores,")
    assert "https://example.org/v/1" in message.body_text
    assert (message.status, message.attempts, message.locale) == (PENDING, 0, "en")
    assert message.template == VERIFY


def test_queue_email_spanish_recipient_gets_the_spanish_catalog_text(ctx):
    message = _queue(locale="es")

    assert message.locale == "es"
    assert message.subject == _spanish(VERIFY_SUBJECT)
    greeting = _spanish("Hello %(name)s,") % {"name": "Ana Flores"}
    assert message.body_text.startswith(greeting)


def test_queue_email_is_not_sent_before_commit(ctx, mailbox):
    _queue()

    db.session.rollback()

    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert mailbox.messages == []


# --- deliver_pending over SMTP -----------------------------------------------------------


def test_deliver_pending_sends_over_smtp_and_marks_sent(ctx, mailbox):
    message = _queue(locale="es")
    db.session.commit()
    message_id = message.id

    counts = deliver_pending(at=T0 + timedelta(days=365 * 10))

    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    [mail] = mailbox.to("ana@example.org")
    assert mail["Subject"] == _spanish(VERIFY_SUBJECT)
    assert mail["From"] == ctx.config["MAIL_DEFAULT_SENDER"]
    assert mail["Content-Language"] == "es"
    assert "https://example.org/v/1" in mailbox.body(mail)
    sent = _message(message_id)
    assert (sent.status, sent.attempts, sent.last_error) == (SENT, 1, None)
    assert sent.sent_at is not None


def test_deliver_pending_sends_each_message_once(ctx, mailbox):
    for n in range(3):
        _queue(to=f"person{n}@example.org")
    db.session.commit()

    first = deliver_pending()
    second = deliver_pending()

    assert first["sent"] == 3
    assert second == {"sent": 0, "retry": 0, "failed": 0}
    assert sorted(m["To"] for m in mailbox.messages) == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
    ]


def test_deliver_pending_respects_the_limit(ctx, mailbox):
    for n in range(3):
        _queue(to=f"person{n}@example.org")
    db.session.commit()

    counts = deliver_pending(limit=2)

    assert counts["sent"] == 2
    assert len(mailbox.messages) == 2


def test_deliver_pending_skips_messages_not_yet_due(ctx, mailbox):
    message = _queue()
    message.next_attempt_at = T0 + timedelta(hours=1)
    db.session.commit()

    early = deliver_pending(at=T0)
    due = deliver_pending(at=T0 + timedelta(hours=1))

    assert early["sent"] == 0
    assert due["sent"] == 1
    assert len(mailbox.messages) == 1


# --- retries ------------------------------------------------------------------------------


@pytest.fixture
def unreachable(make_app):
    """An app whose SMTP port has nobody listening; gives up after three attempts."""
    app = make_app(MAIL_PORT=_closed_port(), MAIL_MAX_ATTEMPTS=3, MAIL_TIMEOUT=5)
    with app.app_context():
        yield app


def test_deliver_pending_smtp_down_schedules_a_retry_with_backoff(unreachable, mailbox):
    message = _queue()
    message.next_attempt_at = T0
    db.session.commit()
    message_id = message.id

    counts = deliver_pending(at=T0)

    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    pending = _message(message_id)
    assert (pending.status, pending.attempts) == (PENDING, 1)
    assert pending.next_attempt_at == T0 + timedelta(minutes=1)
    assert "ConnectionRefusedError" in pending.last_error
    assert mailbox.messages == []


def test_deliver_pending_backoff_doubles_between_attempts(unreachable):
    message = _queue()
    message.next_attempt_at = T0
    db.session.commit()
    message_id = message.id

    deliver_pending(at=T0)
    too_early = deliver_pending(at=T0 + timedelta(seconds=59))
    deliver_pending(at=T0 + timedelta(minutes=1))

    assert too_early == {"sent": 0, "retry": 0, "failed": 0}
    pending = _message(message_id)
    assert pending.attempts == 2
    assert pending.next_attempt_at == T0 + timedelta(minutes=1) + timedelta(minutes=2)


def test_deliver_pending_gives_up_after_max_attempts(unreachable):
    message = _queue()
    message.next_attempt_at = T0
    db.session.commit()
    message_id = message.id

    results = [deliver_pending(at=T0 + timedelta(days=n)) for n in range(4)]

    assert [r["retry"] for r in results] == [1, 1, 0, 0]
    assert [r["failed"] for r in results] == [0, 0, 1, 0]
    failed = _message(message_id)
    assert (failed.status, failed.attempts) == (FAILED, 3)
    assert failed.last_error


def test_deliver_pending_retry_succeeds_once_smtp_is_back(unreachable, mailbox, smtp_server):
    message = _queue()
    message.next_attempt_at = T0
    db.session.commit()
    message_id = message.id
    deliver_pending(at=T0)

    unreachable.config["MAIL_PORT"] = smtp_server[1]
    counts = deliver_pending(at=T0 + timedelta(minutes=1))

    assert counts["sent"] == 1
    assert len(mailbox.to("ana@example.org")) == 1
    sent = _message(message_id)
    assert (sent.status, sent.attempts, sent.last_error) == (SENT, 2, None)


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (9, 256), (10, 360), (40, 360)],
)
def test_backoff_doubles_and_is_capped_at_six_hours(attempts, minutes):
    assert backoff(attempts) == timedelta(minutes=minutes)


# --- console backend ------------------------------------------------------------------------


def test_deliver_pending_console_backend_prints_and_sends_nothing(make_app, mailbox, capsys):
    app = make_app(MAIL_BACKEND="console")
    with app.app_context():
        message = _queue()
        db.session.commit()
        message_id = message.id

        counts = deliver_pending()

        assert counts["sent"] == 1
        assert _message(message_id).status == SENT
    printed = capsys.readouterr().err
    assert "--- mail to ana@example.org ---" in printed
    assert f"Subject: {VERIFY_SUBJECT}" in printed
    assert mailbox.messages == []
