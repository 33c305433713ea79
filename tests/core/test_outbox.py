"""Mail through the outbox: rendered in the recipient's language, delivered over real SMTP."""

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import delete, func, select

from summit.core.outbox import (
    FAILED,
    PENDING,
    SENT,
    Attachment,
    OutboxAttachment,
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


# --- attachments ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # opaque bytes: the outbox never looks inside
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4
CID = "qr-1.abc@summit"


def _with_files(html: str | None = f'<p>Ticket</p><img src="cid:{CID}" alt="QR">'):
    message = queue_email(
        "ana@example.org",
        VERIFY,
        attachments=[
            Attachment("ticket.png", "image/png", PNG, content_id=CID),
            Attachment("tickets-ABC.pdf", "application/pdf", PDF),
        ],
        user=_Person(),
        link="https://example.org/v/1",
    )
    message.body_html = html  # the verify email has no HTML template of its own
    return message


def test_queue_email_stores_attachments_with_the_message(ctx):
    message = _with_files()
    db.session.commit()
    message_id = message.id

    stored = _message(message_id).attachments

    assert [(a.filename, a.content_type, a.content_id) for a in stored] == [
        ("ticket.png", "image/png", CID),
        ("tickets-ABC.pdf", "application/pdf", None),
    ]
    assert [bytes(a.content) for a in stored] == [PNG, PDF]


def test_deliver_pending_inline_image_is_related_to_the_html_by_content_id(ctx, mailbox):
    _with_files()
    db.session.commit()

    assert deliver_pending()["sent"] == 1

    [mail] = mailbox.to("ana@example.org")
    assert mail.get_content_type() == "multipart/mixed"
    body, pdf = mail.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert pdf.get_content_type() == "application/pdf"
    plain, related = body.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert f'src="cid:{CID}"' in html.get_content()
    assert image["Content-ID"] == f"<{CID}>"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == PNG
    assert mail.get_body(preferencelist=("html",)) is html
    assert "https://example.org/v/1" in mailbox.body(mail)
    assert mail["Content-Language"] == "en"


def test_deliver_pending_pdf_arrives_as_an_attachment(ctx, mailbox):
    _with_files()
    db.session.commit()

    deliver_pending()

    [mail] = mailbox.to("ana@example.org")
    [pdf] = mail.iter_attachments()
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content_disposition() == "attachment"
    assert pdf.get_filename() == "tickets-ABC.pdf"
    assert pdf.get_content() == PDF


def test_deliver_pending_inline_image_without_html_is_a_plain_attachment(ctx, mailbox):
    _with_files(html=None)
    db.session.commit()

    deliver_pending()

    [mail] = mailbox.to("ana@example.org")
    assert [a.get_filename() for a in mail.iter_attachments()] == [
        "ticket.png",
        "tickets-ABC.pdf",
    ]
    assert mail.get_body(preferencelist=("html",)) is None
    assert "https://example.org/v/1" in mailbox.body(mail)


def test_deliver_pending_message_without_attachments_is_unchanged(ctx, mailbox):
    plain = _queue(to="plain@example.org")
    html = _queue(to="html@example.org")
    html.body_html = "<p>Hello</p>"
    db.session.commit()

    deliver_pending()

    [text_mail] = mailbox.to("plain@example.org")
    [html_mail] = mailbox.to("html@example.org")
    assert plain.attachments == [] and html.attachments == []
    assert text_mail.get_content_type() == "text/plain"
    assert text_mail.is_multipart() is False
    assert html_mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in html_mail.iter_parts()] == ["text/plain", "text/html"]
    assert list(html_mail.iter_attachments()) == []
    assert html_mail["Content-Language"] == "en"


def test_deliver_pending_attachment_with_bad_content_type_fails_without_retry(ctx, mailbox):
    message = queue_email(
        "ana@example.org",
        VERIFY,
        attachments=[Attachment("x.bin", "not-a-type", b"x")],
        user=_Person(),
        link="https://example.org/v/1",
    )
    db.session.commit()
    message_id = message.id

    counts = deliver_pending()

    assert counts == {"sent": 0, "retry": 0, "failed": 1}
    failed = _message(message_id)
    assert failed.status == FAILED
    assert "not a MIME type" in failed.last_error
    assert mailbox.messages == []


def test_deleting_a_message_deletes_its_attachments(ctx):
    _with_files()
    db.session.commit()

    db.session.execute(delete(OutboxMessage))  # the database cascade, not only the ORM's
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(OutboxAttachment)) == 0


def test_queue_email_blank_html_template_means_no_html_part(ctx, monkeypatch):
    import summit.core.outbox as outbox

    def render(name, **context):
        return "   \n" if name.endswith(".html") else "Subject\nBody"

    monkeypatch.setattr(outbox, "render_template", render)

    message = queue_email("ana@example.org", "any/template")

    assert (message.subject, message.body_text, message.body_html) == ("Subject", "Body\n", None)


def test_deliver_pending_console_backend_lists_attachments(make_app, mailbox, capsys):
    app = make_app(MAIL_BACKEND="console")
    with app.app_context():
        _with_files()
        db.session.commit()

        deliver_pending()

    printed = capsys.readouterr().err
    assert "[inline: ticket.png, image/png]" in printed
    assert "[attachment: tickets-ABC.pdf, application/pdf]" in printed
    assert mailbox.messages == []
