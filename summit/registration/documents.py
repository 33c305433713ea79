"""Tickets as files: the QR code as SVG or PNG, and a printable PDF with one page per person.

Rendering only: nothing here commits. ``ticket_pdf`` signs each person's current
ticket (which may create the summit's key: the caller commits). WeasyPrint needs
Debian's Pango; it is imported when a PDF is asked for, so the app starts
without it and a PDF request fails with ``PdfUnavailable`` instead.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.pil
import qrcode.image.svg
from flask_babel import gettext as _

from summit.core.pdf import PdfUnavailable, render_pdf  # noqa: F401 (callers catch it here)
from summit.registration import services
from summit.registration.models import Attendee, Booking
from summit.summits.models import Summit

QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _qr(token: str, *, box_size: int, border: int, image_factory):
    code = qrcode.QRCode(
        error_correction=QR_ERROR_CORRECTION,
        box_size=box_size,
        border=border,
        image_factory=image_factory,
    )
    code.add_data(token)
    code.make(fit=True)
    return code.make_image()


def qr_svg(token: str, *, box_size: int = 12, border: int = 4) -> bytes:
    """The ticket's QR code as a standalone SVG document (one filled path)."""
    image = _qr(
        token,
        box_size=box_size,
        border=border,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_png(token: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """The ticket's QR code as a 1-bit PNG, ``box_size`` pixels per module, quiet zone kept."""
    image = _qr(token, box_size=box_size, border=border, image_factory=qrcode.image.pil.PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def data_uri(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


def ticket_pdf(summit: Summit, booking: Booking, attendees: list[Attendee], locale: str) -> bytes:
    """A PDF with one badge-sized page per person, in ``locale``.

    Every resource is inline (the QR codes are ``data:`` PNGs) and the fetcher
    refuses any other URL, so rendering never touches the network or the disk.
    """
    people = [
        {
            "attendee": attendee,
            "ticket_type": attendee.ticket_type.name(locale),
            "qr": data_uri(qr_png(services.ticket_token(summit, attendee)), "image/png"),
        }
        for attendee in attendees
    ]
    return render_pdf(
        "registration/ticket_pdf.html",
        locale=locale,
        unavailable=_(
            "Printable tickets are not available right now. Your tickets and their "
            "QR codes are on this page; please try the PDF again later."
        ),
        summit=summit,
        booking=booking,
        people=people,
    )
