"""Tickets as files: QR codes that scan back to a genuine ticket, the printable PDF, the
PDF route and the tickets email with inline QR codes and the PDF attached."""

from __future__ import annotations

import io
import re
import sys
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from summit.core.errors import DomainError
from summit.core.outbox import OutboxMessage, deliver_pending
from summit.extensions import db
from summit.registration import documents, notifications, services, tickets
from summit.registration.models import Booking, TicketType
from summit.summits.queries import get_summit_by_slug
from tests.conftest import IN_CI
from tests.registration.conftest import NOW, person

A6_POINTS = (105 / 25.4 * 72, 148 / 25.4 * 72)


def _weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


# Locally without Pango the PDF tests skip (like the browser tests without Chromium);
# CI installs Pango (.ci/run), so there they always run.
needs_pango = pytest.mark.skipif(
    not IN_CI and not _weasyprint_loads(),
    reason="WeasyPrint cannot load Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
)


def decode(image: Image.Image) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def decode_png(png: bytes) -> list[str]:
    with Image.open(io.BytesIO(png)) as image:
        return decode(image)


def verify(summit, token: str, booking: Booking) -> tickets.TicketClaim:
    """The check a door scanner makes: genuine, this summit, the current version."""
    key = services.ensure_summit_key(summit)
    return tickets.verify_ticket(
        token,
        {summit.slug: key.public_key},
        summit=summit.slug,
        current_versions={a.code: a.ticket_version for a in booking.attendees},
    )


def pdf_pages(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages


def drawn_images(page) -> list[Image.Image]:
    """The images a page draws. WeasyPrint shares one resource dictionary between
    pages, so ``page.images`` lists every page's; the content stream says which."""
    used = set(re.findall(rb"/([^\s/]+)\s+Do\b", page.get_contents().get_data()))
    return [i.image for i in page.images if i.name.rsplit(".", 1)[0].encode() in used]


@pytest.fixture
def confirmed(summit_and_ticket):
    """A confirmed household of two (service level, in an app context)."""
    summit, ticket = summit_and_ticket
    booking, secret = services.register(
        summit,
        contact_name="Rosa Pérez",
        contact_email="rosa@example.org",
        people=[
            person(ticket, 1, name="Rosa Pérez", organisation="Oakland Unified"),
            person(ticket, 2, name="Ana Pérez"),
        ],
        at=NOW,
    )
    services.confirm_booking(secret, at=NOW)
    assert booking.state == "confirmed"
    return summit, booking


# --- QR images ------------------------------------------------------------------------------


def test_qr_png_decodes_to_a_token_that_verifies(confirmed):
    summit, booking = confirmed
    attendee = booking.attendees[0]
    token = services.ticket_token(summit, attendee)

    png = documents.qr_png(token)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_png(png) == [token]
    claim = verify(summit, token, booking)
    assert (claim.summit, claim.code, claim.version) == (summit.slug, attendee.code, 1)


def test_qr_png_box_size_scales_the_image_and_keeps_the_quiet_zone(confirmed):
    summit, booking = confirmed
    token = services.ticket_token(summit, booking.attendees[0])

    small, large = documents.qr_png(token, box_size=4), documents.qr_png(token, box_size=10)

    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(large)) as b:
        assert a.size[0] * 10 == b.size[0] * 4
        assert a.getpixel((0, 0)) == a.getpixel((4 * 4 - 1, 4 * 4 - 1))  # 4 white modules
    assert decode_png(small) == decode_png(large) == [token]


def test_qr_svg_is_an_svg_document(confirmed):
    summit, booking = confirmed
    token = services.ticket_token(summit, booking.attendees[0])

    svg = documents.qr_svg(token)

    assert b"<svg" in svg[:300]
    assert b"<path" in svg


# --- the PDF --------------------------------------------------------------------------------


@needs_pango
def test_ticket_pdf_one_page_per_person_with_name_code_and_a_qr_that_verifies(confirmed):
    summit, booking = confirmed

    pdf = documents.ticket_pdf(summit, booking, booking.active_attendees, "en")

    pages = pdf_pages(pdf)
    assert len(pages) == 2
    for page, attendee in zip(pages, booking.attendees, strict=True):
        text = page.extract_text()
        assert attendee.name in text
        assert attendee.code in text
        assert "Community Schools Summit 2027" in text
        assert "Family member" in text
        assert "What to bring" in text
        [image] = drawn_images(page)
        [token] = decode(image)
        assert verify(summit, token, booking).code == attendee.code
    assert "Oakland Unified" in pages[0].extract_text()


@needs_pango
def test_ticket_pdf_pages_are_a6(confirmed):
    summit, booking = confirmed

    pages = pdf_pages(documents.ticket_pdf(summit, booking, booking.active_attendees, "en"))

    for page in pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A6_POINTS, abs=1)


@needs_pango
def test_ticket_pdf_in_spanish_names_the_ticket_type_in_spanish(confirmed):
    summit, booking = confirmed

    pages = pdf_pages(documents.ticket_pdf(summit, booking, booking.active_attendees[:1], "es"))

    [page] = pages
    assert "Familia" in page.extract_text()
    assert "Family member" not in page.extract_text()
    assert "23 de septiembre de 2027" in page.extract_text()


@needs_pango
def test_ticket_pdf_fetches_no_url_but_its_inline_images(confirmed, monkeypatch):
    from weasyprint.urls import URLFetcher

    fetched = []
    original = URLFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", recording)
    summit, booking = confirmed

    documents.ticket_pdf(summit, booking, booking.active_attendees, "en")

    assert len(fetched) == 2
    assert all(url.startswith("data:image/png;base64,") for url in fetched)


def test_ticket_pdf_without_weasyprint_raises_a_clear_domain_error(confirmed, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    summit, booking = confirmed

    with pytest.raises(documents.PdfUnavailable) as raised:
        documents.ticket_pdf(summit, booking, booking.active_attendees, "en")

    assert isinstance(raised.value, DomainError)
    assert (raised.value.code, raised.value.status) == ("pdf_unavailable", 503)
    assert "not available" in raised.value.message


# --- the PDF route --------------------------------------------------------------------------


@pytest.fixture
def open_summit(app, make_summit):
    now = datetime.now(UTC)
    make_summit(
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=30),
        venue="Sacramento Convention Center",
    )
    with app.app_context():
        ticket = services.save_ticket_type(
            get_summit_by_slug("2027"),
            actor=None,
            code="family",
            name_en="Family member",
            name_es="Familia",
            capacity=2,
        )
        db.session.commit()
        return ticket.id


def book(app, ticket_id: int, *names: str, email="rosa@example.org") -> tuple[str, str]:
    """Register and confirm through the services; returns (booking code, tickets link secret)."""
    with app.app_context():
        ticket = db.session.get(TicketType, ticket_id)
        booking, secret = services.register(
            get_summit_by_slug("2027"),
            contact_name="Rosa Pérez",
            contact_email=email,
            people=[{"name": name, "ticket_type": ticket} for name in names],
        )
        services.confirm_booking(secret)
        manage = services.issue_manage_link(booking)
        db.session.commit()
        return booking.code, manage


@needs_pango
def test_tickets_pdf_route_confirmed_downloads_every_ticket(app, client, open_summit):
    code, manage = book(app, open_summit, "Rosa", "Ana")

    response = client.get(f"/2027/tickets/{manage}/tickets.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="tickets-{code}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    pages = pdf_pages(response.data)
    assert [("Rosa" in p.extract_text(), "Ana" in p.extract_text()) for p in pages] == [
        (True, False),
        (False, True),
    ]
    assert "Sacramento Convention Center" in " ".join(pages[0].extract_text().split())


@needs_pango
def test_tickets_pdf_route_leaves_out_cancelled_tickets(app, client, open_summit):
    _code, manage = book(app, open_summit, "Rosa", "Ana")
    with app.app_context():
        booking = services.find_by_manage_link(get_summit_by_slug("2027"), manage)
        ana = booking.attendees[1]
        services.cancel_attendee(ana)
        db.session.commit()
        ana_code = ana.code

    response = client.get(f"/2027/tickets/{manage}/tickets.pdf")

    [page] = pdf_pages(response.data)
    assert "Rosa" in page.extract_text()
    assert ana_code not in page.extract_text()


def test_tickets_pdf_route_wrong_token_is_404(app, client, open_summit):
    book(app, open_summit, "Rosa")

    response = client.get("/2027/tickets/not-a-real-link/tickets.pdf")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_tickets_pdf_route_unconfirmed_booking_is_404(app, client, open_summit):
    _code, manage = book(app, open_summit, "Rosa", "Ana", "Luis")  # 3 people, 2 seats
    with app.app_context():
        assert db.session.scalar(db.select(Booking.state)) == "waitlisted"

    response = client.get(f"/2027/tickets/{manage}/tickets.pdf")
    page = client.get(f"/2027/tickets/{manage}").get_data(as_text=True)

    assert response.status_code == 404
    assert "tickets.pdf" not in page


def test_tickets_page_links_the_pdf_and_says_what_to_bring(app, client, open_summit):
    code, manage = book(app, open_summit, "Rosa", "Ana")

    page = client.get(f"/2027/tickets/{manage}").get_data(as_text=True)

    assert f'href="/2027/tickets/{manage}/tickets.pdf"' in page
    assert "Download PDF to print" in page
    assert page.count('class="ticket-qr') == 2
    assert page.count("What to bring:") == 2
    with app.app_context():
        booking = db.session.scalar(db.select(Booking).where(Booking.code == code))
        assert all(a.code in page for a in booking.attendees)


# --- the tickets email ----------------------------------------------------------------------


def _tickets_mail(mailbox, address="rosa@example.org"):
    [mail] = [m for m in mailbox.to(address) if m["Subject"].startswith("Your tickets")]
    return mail


@needs_pango
def test_confirming_a_registration_emails_inline_qr_codes_and_the_pdf(
    app, client, mailbox, open_summit
):
    data = {"contact_name": "Rosa Pérez", "contact_email": "rosa@example.org"}
    for i, name in enumerate(("Rosa Pérez", "Ana Pérez")):
        data |= {
            f"people-{i}-name": name,
            f"people-{i}-ticket_type": str(open_summit),
            f"people-{i}-age_band": "adult",
            f"people-{i}-preferred_language": "en",
        }
    assert client.post("/2027/register", data=data | {"action": "register"}).status_code == 200
    with app.app_context():
        deliver_pending()
    [confirm_mail] = mailbox.to("rosa@example.org")
    confirm = re.search(r"http://localhost(\S+/register/confirm/\S+)", mailbox.body(confirm_mail))

    assert client.post(confirm.group(1)).status_code == 302
    with app.app_context():
        assert deliver_pending()["sent"] == 1

    mail = _tickets_mail(mailbox)
    html_part = mail.get_body(preferencelist=("html",))
    html = html_part.get_content()
    assert '<html lang="en">' in html
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert len(cids) == 2
    assert 'alt="QR code of the ticket of Rosa Pérez"' in html
    assert 'alt="QR code of the ticket of Ana Pérez"' in html
    images = {
        part["Content-ID"].strip("<>"): part
        for part in mail.walk()
        if part.get_content_type() == "image/png"
    }
    assert sorted(images) == sorted(cids)
    assert all(part.get_content_disposition() == "inline" for part in images.values())
    [pdf] = [a for a in mail.iter_attachments() if a.get_content_type() == "application/pdf"]
    link = re.search(r"http://localhost(/2027/tickets/\S+)", mailbox.body(mail)).group(1)
    assert "attached to this email as a PDF" in mailbox.body(mail)
    assert client.get(link).status_code == 200
    with app.app_context():
        summit = get_summit_by_slug("2027")
        booking = db.session.scalar(db.select(Booking))
        scanned = {
            verify(summit, decode_png(images[c].get_content())[0], booking).code for c in cids
        }
        assert scanned == {a.code for a in booking.attendees}
        assert pdf.get_filename() == f"tickets-{booking.code}.pdf"
        pages = pdf_pages(pdf.get_content())
        assert len(pages) == 2
        for page, attendee in zip(pages, booking.attendees, strict=True):
            assert attendee.name in page.extract_text()
            [token] = decode(*drawn_images(page))
            assert verify(summit, token, booking).code == attendee.code


def test_waitlisted_registration_email_is_the_link_alone(app, mailbox, open_summit):
    book(app, open_summit, "Rosa", "Ana", "Luis")  # 3 people, 2 seats: the waiting list
    with app.app_context():
        booking = db.session.scalar(db.select(Booking))
        with app.test_request_context():
            notifications.send_tickets_link(booking, "the-secret", get_summit_by_slug("2027"))
        db.session.commit()
        message = db.session.scalar(db.select(OutboxMessage))
        assert (message.body_html, message.attachments) == (None, [])
        deliver_pending()

    mail = _tickets_mail(mailbox)
    assert mail.get_content_type() == "text/plain"
    assert "/2027/tickets/the-secret" in mailbox.body(mail)
    assert "waiting list" in mailbox.body(mail)
    assert "PDF" not in mailbox.body(mail)


def test_tickets_email_without_pango_still_has_the_inline_qr_codes(
    app, mailbox, open_summit, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    book(app, open_summit, "Rosa")
    with app.app_context():
        booking = db.session.scalar(db.select(Booking))
        with app.test_request_context():
            notifications.send_tickets_link(booking, "the-secret", get_summit_by_slug("2027"))
        db.session.commit()
        deliver_pending()

    mail = _tickets_mail(mailbox)
    assert [p.get_content_type() for p in mail.walk() if p.get_filename()] == ["image/png"]
    assert "PDF" not in mailbox.body(mail)
