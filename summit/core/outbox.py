"""Mail leaves through an outbox table written in the same transaction as the change.

``queue_email`` renders a template in the recipient's language and adds a row;
``deliver_pending`` (``flask mail send``) sends pending rows over SMTP with
retry and exponential backoff. The console backend prints instead of sending.

Files travel with a message as ``outbox_attachments`` rows: an attachment with a
``content_id`` is an inline image that the HTML part shows as ``cid:<content_id>``;
any other is a regular attachment (a PDF).
"""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import ForeignKey, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.core.clock import now
from summit.extensions import db

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int | None] = mapped_column(
        ForeignKey("summits.id", ondelete="SET NULL"), index=True
    )
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    template: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="OutboxAttachment.id"
    )


class OutboxAttachment(db.Model):
    """A file sent with a message; ``content_id`` marks an inline image of the HTML part."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_id: Mapped[str | None] = mapped_column(String(255))


@dataclass(frozen=True)
class Attachment:
    """A file to send. With ``content_id`` it is an image the HTML shows as ``cid:<id>``."""

    filename: str
    content_type: str
    content: bytes
    content_id: str | None = None


def render_email(template: str, locale: str, **context) -> tuple[str, str, str | None]:
    """Render ``<template>.txt`` (first line: subject) and optional ``<template>.html``.

    An HTML template that renders blank (its content inside an ``{% if %}``) means
    "no HTML part for this one", so one template name can serve both kinds.
    """
    with force_locale(locale):
        text = render_template(f"{template}.txt", locale=locale, **context)
        subject, _, body = text.strip().partition("\n")
        try:
            html = render_template(f"{template}.html", locale=locale, subject=subject, **context)
        except TemplateNotFound:
            html = None
    return subject.strip(), body.strip() + "\n", html if html and html.strip() else None


def queue_email(
    to: str,
    template: str,
    *,
    locale: str = "en",
    summit=None,
    attachments: Iterable[Attachment] = (),
    **context,
) -> OutboxMessage:
    subject, body, html = render_email(template, locale, **context)
    message = OutboxMessage(
        summit_id=summit.id if summit is not None else None,
        to_email=to,
        subject=subject[:255],
        body_text=body,
        body_html=html,
        locale=locale,
        template=template,
        next_attempt_at=now(),
        attachments=[
            OutboxAttachment(
                filename=item.filename,
                content_type=item.content_type,
                content=item.content,
                content_id=item.content_id,
            )
            for item in attachments
        ],
    )
    db.session.add(message)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.to_email
    mail["Message-ID"] = make_msgid(domain="summit")
    mail.set_content(message.body_text)
    files = list(message.attachments)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
        html = mail.get_body(preferencelist=("html",))
        for item in files:
            if item.content_id:  # multipart/related around the HTML and its images
                html.add_related(
                    item.content,
                    *_mime_type(item.content_type),
                    cid=f"<{item.content_id}>",
                    filename=item.filename,
                    disposition="inline",
                )
        files = [item for item in files if not item.content_id]
    for item in files:  # multipart/mixed: the alternative first, then the files
        mail.add_attachment(item.content, *_mime_type(item.content_type), filename=item.filename)
    # Last: set_content() and each multipart step move the Content-* headers set before it.
    mail["Content-Language"] = message.locale
    return mail


def _mime_type(content_type: str) -> tuple[str, str]:
    maintype, _, subtype = content_type.partition("/")
    if not maintype or not subtype or maintype == "multipart":
        raise ValueError(f"not a MIME type: {content_type!r}")
    return maintype, subtype


def _smtp_send(mail: EmailMessage) -> None:
    config = current_app.config
    cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(mail)


def _console_send(mail: EmailMessage) -> None:
    body = mail.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    files = "".join(
        f"[{part.get_content_disposition()}: {part.get_filename()}, {part.get_content_type()}]\n"
        for part in mail.walk()
        if part.get_filename()
    )
    print(
        f"\n--- mail to {mail['To']} ---\nSubject: {mail['Subject']}\n\n{text}{files}"
        "--- end of mail ---",
        file=sys.stderr,
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, capped at six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver_pending(*, limit: int = 100, at: datetime | None = None) -> dict[str, int]:
    """Send due messages one at a time, committing after each.

    Each message is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so
    several senders can run at once without sending a message twice, and a
    crash loses at most the message in flight.
    """
    at = at or now()
    config = current_app.config
    send = _console_send if config["MAIL_BACKEND"] == "console" else _smtp_send
    counts = {"sent": 0, "retry": 0, "failed": 0}
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= at)
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    for _ in range(limit):
        message = db.session.scalars(query).first()
        if message is None:
            break
        message.attempts += 1
        try:
            mail = _build(message)
        except ValueError as error:  # e.g. a header with a line break: it can never be sent
            message.status = FAILED
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            counts["failed"] += 1
            db.session.commit()
            continue
        try:
            send(mail)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                message.status = FAILED
                counts["failed"] += 1
            else:
                message.next_attempt_at = at + backoff(message.attempts)
                counts["retry"] += 1
        else:
            message.status = SENT
            message.sent_at = at
            message.last_error = None
            counts["sent"] += 1
        db.session.commit()
    return counts
