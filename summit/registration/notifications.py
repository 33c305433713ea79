from dataclasses import dataclass, field
from email.utils import make_msgid

from flask import current_app, url_for

from summit.core.outbox import Attachment, queue_email
from summit.registration import documents, services
from summit.registration.enums import BookingState
from summit.registration.models import Booking


def send_confirm_link(booking: Booking, secret: str, summit) -> None:
    queue_email(
        booking.contact_email,
        "registration/emails/confirm",
        locale=booking.locale,
        summit=summit,
        event=summit,
        booking=booking,
        link=url_for("registration.confirm", slug=summit.slug, token=secret, _external=True),
    )


@dataclass
class TicketFiles:
    """What the tickets email carries: people with their inline QR, the files, a PDF?"""

    people: list[dict] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    has_pdf: bool = False


def ticket_files(booking: Booking, summit) -> TicketFiles:
    """Render each QR (PNG) and the PDF. Slow (WeasyPrint): the confirm page calls it
    before seats are taken, so the ticket type's row lock is held only briefly.
    Signing may create the summit's key: the caller commits."""
    people, files = _inline_qr_codes(booking, summit)
    pdf = _tickets_pdf(booking, summit) if people else None
    return TicketFiles(people, [*files, pdf] if pdf else files, pdf is not None)


def send_tickets_link(
    booking: Booking, secret: str, summit, *, prepared: TicketFiles | None = None
) -> None:
    """The self-service link; once confirmed, also each QR inline and a PDF to print.

    Until then (waiting list, offer, approval) it is the link alone, as plain text.
    ``prepared`` is what ``ticket_files`` rendered earlier for this booking.
    """
    if booking.state != BookingState.CONFIRMED:
        content, feeds = TicketFiles(), []
    else:
        content = prepared if prepared is not None else ticket_files(booking, summit)
        feeds = calendar_feeds(booking, summit)
    queue_email(
        booking.contact_email,
        "registration/emails/tickets",
        locale=booking.locale,
        summit=summit,
        attachments=content.files,
        event=summit,
        booking=booking,
        link=url_for("registration.tickets", slug=summit.slug, token=secret, _external=True),
        people=content.people,
        has_pdf=content.has_pdf,
        feeds=feeds,
    )


def calendar_feeds(booking: Booking, summit) -> list[tuple[str, str]]:
    """(name, webcal URL) of each active person's personal agenda feed, made if needed:
    subscribed once, it fills with the sessions they choose and follows every change."""
    from summit.agenda import services as agenda

    feeds = []
    for attendee in booking.active_attendees:
        secret = agenda.ensure_feed(agenda.agenda_for_attendee(attendee))
        url = url_for("agenda.feed", slug=summit.slug, secret=secret, _external=True)
        feeds.append((attendee.name, "webcal://" + url.split("://", 1)[1]))
    return feeds


def _inline_qr_codes(booking: Booking, summit) -> tuple[list[dict], list[Attachment]]:
    """Each active person for the HTML part, with their QR as an inline PNG (``cid:``)."""
    people, files = [], []
    for attendee in booking.active_attendees:
        cid = make_msgid(idstring=f"qr-{attendee.code}", domain="summit")[1:-1]
        png = documents.qr_png(services.ticket_token(summit, attendee))
        files.append(Attachment(f"ticket-{attendee.code}.png", "image/png", png, content_id=cid))
        people.append(
            {
                "attendee": attendee,
                "ticket_type": attendee.ticket_type.name(booking.locale),
                "cid": cid,
            }
        )
    return people, files


def _tickets_pdf(booking: Booking, summit) -> Attachment | None:
    try:
        pdf = documents.ticket_pdf(summit, booking, booking.active_attendees, booking.locale)
    except documents.PdfUnavailable:  # the QR codes still go inline; the page has them too
        current_app.logger.warning("tickets email for %s sent without the PDF", booking.code)
        return None
    return Attachment(f"tickets-{booking.code}.pdf", "application/pdf", pdf)


def send_offer(booking: Booking, secret: str, summit) -> None:
    queue_email(
        booking.contact_email,
        "registration/emails/offer",
        locale=booking.locale,
        summit=summit,
        event=summit,
        booking=booking,
        link=url_for("registration.claim", slug=summit.slug, token=secret, _external=True),
    )


def send_declined(booking: Booking, summit) -> None:
    queue_email(
        booking.contact_email,
        "registration/emails/declined",
        locale=booking.locale,
        summit=summit,
        event=summit,
        booking=booking,
        register=url_for("registration.register", slug=summit.slug, _external=True),
    )
