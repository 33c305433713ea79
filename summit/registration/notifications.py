from flask import url_for

from summit.core.outbox import queue_email
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


def send_tickets_link(booking: Booking, secret: str, summit) -> None:
    queue_email(
        booking.contact_email,
        "registration/emails/tickets",
        locale=booking.locale,
        summit=summit,
        event=summit,
        booking=booking,
        link=url_for("registration.tickets", slug=summit.slug, token=secret, _external=True),
    )


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
