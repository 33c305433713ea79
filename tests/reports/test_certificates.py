"""Learning-hours certificates: the lines (pure), the PDF read back with pypdf, the
download from the tickets page, the public check of an id and the staff's send."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from summit.extensions import db
from tests.registration.test_documents import needs_pango

SLUG = "2027"
TZ = ZoneInfo("America/Los_Angeles")


def local(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=TZ).astimezone(UTC)


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1
    return " ".join(pages[0].extract_text().split())


# --- the pure core ---------------------------------------------------------------------


def _session(pid: int, day: date, start: str, end: str, title: str = ""):
    from summit.reports.certificates import SessionTime

    return SessionTime(
        pid,
        f"PRO-{pid}",
        title or f"Session {pid}",
        day,
        *map(lambda t: local(day, t), (start, end)),
    )


DAY = date(2027, 9, 23)


def test_certificate_lines_overlapping_sessions_count_shared_time_once():
    from summit.reports.certificates import certificate_lines

    sessions = [
        _session(1, DAY, "13:00", "14:30"),
        _session(2, DAY, "13:30", "14:00"),
        _session(3, DAY, "16:00", "16:45"),
    ]

    lines = certificate_lines(sessions, checked_in={1, 2, 3}, presented=(), first_day=DAY)

    assert [s.proposal_id for s in lines.attended] == [1, 2, 3]
    assert [s.minutes for s in lines.attended] == [90, 30, 45]
    assert lines.attended_minutes == 135


def test_certificate_lines_presented_sessions_are_counted_apart_and_unknown_ids_ignored():
    from summit.reports.certificates import certificate_lines

    sessions = [_session(1, DAY, "10:00", "11:00"), _session(2, DAY, "13:00", "14:30")]

    lines = certificate_lines(
        sessions,
        checked_in={1, 2, 99},  # 99: not released (or cancelled)
        presented={1, 98},
        entrance_days={DAY + timedelta(days=1), DAY},
        first_day=DAY,
    )

    assert [s.proposal_id for s in lines.attended] == [2]
    assert [s.proposal_id for s in lines.presented] == [1]
    assert (lines.attended_minutes, lines.presented_minutes) == (90, 60)
    assert lines.days == (1, 2)
    assert lines.is_eligible


def test_certificate_lines_entrance_alone_is_no_certificate():
    from summit.reports.certificates import certificate_lines

    lines = certificate_lines([], checked_in=(), presented=(), entrance_days={DAY}, first_day=DAY)

    assert lines.days == (1,) and not lines.is_eligible


# --- a summit that is over, built by hand ------------------------------------------------


@dataclass
class Held:
    tickets: dict[str, tuple[str, str]]  # name -> (tickets-link secret, ticket code)
    day_one: date


def _build_summit(app, make_summit, day_one: date):
    """Summit 2027 on ``day_one`` and the day after (America/Los_Angeles), with one
    ticket type; returns the ticket type's id."""
    from summit.registration import services as registration
    from summit.summits.queries import get_summit_by_slug

    make_summit(
        SLUG,
        starts_on=day_one,
        ends_on=day_one + timedelta(days=1),
        venue="Sacramento Convention Center",
        registration_opens_at=local(day_one, "09:00") - timedelta(days=60),
        registration_closes_at=local(day_one, "09:00"),
    )
    with app.app_context():
        ticket = registration.save_ticket_type(
            get_summit_by_slug(SLUG),
            actor=None,
            code="family",
            name_en="Family member",
            name_es="Familia",
            capacity=20,
        )
        db.session.commit()
        return ticket.id


def _book(summit, ticket, people: list[dict], *, contact: str, at: datetime):
    from summit.registration import services as registration

    booking, secret = registration.register(
        summit,
        contact_name="Contact Person",
        contact_email=contact,
        people=[{"ticket_type": ticket, **p} for p in people],
        at=at,
    )
    registration.confirm_booking(secret, at=at)
    return booking, registration.issue_manage_link(booking, at=at)


@pytest.fixture
def held(app, make_summit):
    """Summit 2027, two days that ended over a week ago.

    Released version 2 (hours come from it; version 1 had "Student voice" at 45 minutes):
    day one "Family nights that work" 10:00–11:00 (co-presenter Pat, email
    Pat@Example.org; declined co-presenter rosa@example.org), "Data for families"
    13:00–14:30, "Overlap talk" 13:30–14:00; day two "Student voice" 09:00–10:00 (lead:
    Nora's account), "Cancelled talk" 11:00–12:00 (cancelled).

    Live session check-ins: Rosa (en) — Family nights (plus a repeat scan), Data for
    families, Student voice, Cancelled talk; her Overlap talk check-in was undone. Luis
    (es, under 18, no email, guardian) — Student voice. Marta (es) — Data for families and
    Overlap talk. Pat (en) — Family nights (her own) and Student voice. Carl — Family
    nights, ticket cancelled since. Entrances: Rosa day one; Omar day one and two (no
    session); Nora nothing.
    """
    from summit.accounts.services import create_user
    from summit.checkin.models import Checkpoint, Scan
    from summit.proposals.models import Presenter, Proposal
    from summit.registration import services as registration
    from summit.registration.models import TicketType
    from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion
    from summit.summits.queries import get_summit_by_slug

    today = datetime.now(TZ).date()
    day_one = today - timedelta(days=10)
    day_two = day_one + timedelta(days=1)
    ticket_id = _build_summit(app, make_summit, day_one)
    before = local(day_one, "08:00") - timedelta(days=30)
    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        ticket = db.session.get(TicketType, ticket_id)
        owner = create_user(email="owner@example.org", password="long enough pw", name="Owner")
        nora_user = create_user(email="nora@example.org", password="long enough pw", name="Nora")
        room = Room(summit_id=summit.id, code=secrets.token_hex(4), name="Hall A")
        db.session.add(room)
        db.session.flush()

        def proposal(title, presenters):
            p = Proposal(
                code=f"PRO-{secrets.token_hex(3).upper()}",
                summit_id=summit.id,
                owner_id=owner.id,
                state="confirmed",
                title=title,
                submitted_at=before,
            )
            for i, extra in enumerate(presenters):
                p.presenters.append(
                    Presenter(public_id=secrets.token_hex(5), is_lead=i == 0, **extra)
                )
            db.session.add(p)
            return p

        lead = {"name": "Owner", "user_id": owner.id}
        nights = proposal(
            "Family nights that work",
            [
                lead,
                {"name": "Pat Presenter", "email": "Pat@Example.org", "invite_status": "accepted"},
                {"name": "Rosa Pérez", "email": "rosa@example.org", "invite_status": "declined"},
            ],
        )
        data = proposal("Data for families", [lead])
        overlap = proposal("Overlap talk", [lead])
        voice = proposal("Student voice", [{"name": "Nora", "user_id": nora_user.id}])
        gone = proposal("Cancelled talk", [lead])
        db.session.flush()

        def release(number, placements):
            version = ScheduleVersion(
                summit_id=summit.id, number=number, changelog=[], released_at=before
            )
            for p, day, start, end, cancelled in placements:
                version.sessions.append(
                    ReleasedSession(
                        proposal_id=p.id,
                        starts_at=local(day, start),
                        ends_at=local(day, end),
                        day=day,
                        slot_kind="session",
                        room_id=room.id,
                        room_name=room.name,
                        is_cancelled=cancelled,
                    )
                )
            db.session.add(version)

        release(1, [(voice, day_two, "09:00", "09:45", False)])
        release(
            2,
            [
                (nights, day_one, "10:00", "11:00", False),
                (data, day_one, "13:00", "14:30", False),
                (overlap, day_one, "13:30", "14:00", False),
                (voice, day_two, "09:00", "10:00", False),
                (gone, day_two, "11:00", "12:00", True),
            ],
        )

        rosa_b, rosa_link = _book(
            summit,
            ticket,
            [
                {"name": "Rosa Pérez", "email": "rosa@example.org", "preferred_language": "en"},
                {
                    "name": "Luis Pérez",
                    "preferred_language": "es",
                    "age_band": "13_17",
                    "guardian_name": "Rosa Pérez",
                    "guardian_email": "guardian@example.org",
                },
            ],
            contact="rosa@example.org",
            at=before,
        )
        singles = {}
        for name, email, lang in (
            ("Marta Gómez", "marta@example.org", "es"),
            ("Pat Presenter", "pat@example.org", "en"),
            ("Carl Cancel", "carl@example.org", "en"),
            ("Omar Only", "omar@example.org", "en"),
            ("Nora Lead", "NORA@example.org", "en"),
        ):
            singles[name] = _book(
                summit,
                ticket,
                [{"name": name, "email": email, "preferred_language": lang}],
                contact=email,
                at=before,
            )
        db.session.flush()
        people = {
            a.name: a for b in [rosa_b, *(b for b, _ in singles.values())] for a in b.attendees
        }

        def checkpoint(kind, **extra):
            c = Checkpoint(
                summit_id=summit.id,
                code=secrets.token_hex(3),
                kind=kind,
                name=extra.pop("name", "Door"),
                **extra,
            )
            db.session.add(c)
            return c

        doors = {
            p: checkpoint("session", proposal_id=p.id, name=p.title)
            for p in (nights, data, overlap, voice, gone)
        }
        entrance = {d: checkpoint("entrance", day=d) for d in (day_one, day_two)}
        db.session.flush()

        def scan(name, where, result="checked_in", **extra):
            row = Scan(
                summit_id=summit.id,
                checkpoint_id=where.id,
                attendee_id=people[name].id,
                scan_id=secrets.token_hex(8),
                result=result,
                ticket_version=1,
                scanned_at=local(day_one, "10:05"),
                received_at=local(day_one, "10:05"),
                **extra,
            )
            db.session.add(row)
            return row

        scan("Rosa Pérez", doors[nights])
        scan("Rosa Pérez", doors[nights], result="already_checked_in")
        scan("Rosa Pérez", doors[data])
        scan("Rosa Pérez", doors[voice])
        scan("Rosa Pérez", doors[gone])
        undone = scan("Rosa Pérez", doors[overlap], annulled_at=local(day_one, "13:40"))
        db.session.flush()
        scan("Rosa Pérez", doors[overlap], result="annulled", annuls_id=undone.id)
        scan("Rosa Pérez", entrance[day_one])
        scan("Luis Pérez", doors[voice])
        scan("Marta Gómez", doors[data])
        scan("Marta Gómez", doors[overlap])
        scan("Pat Presenter", doors[nights])
        scan("Pat Presenter", doors[voice])
        scan("Carl Cancel", doors[nights])
        scan("Omar Only", entrance[day_one])
        scan("Omar Only", entrance[day_two])
        registration.cancel_attendee(people["Carl Cancel"], at=before)
        db.session.commit()
        links = {"Rosa Pérez": rosa_link, "Luis Pérez": rosa_link}
        links |= {name: link for name, (_b, link) in singles.items()}
        return Held({name: (links[name], a.code) for name, a in people.items()}, day_one)


def _lines(app, name: str):
    from summit.registration.models import Attendee
    from summit.reports import certificates
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        attendee = db.session.scalar(db.select(Attendee).where(Attendee.name == name))
        return certificates.certificate_for(get_summit_by_slug(SLUG), attendee).lines


def test_certificate_for_counts_live_session_check_ins_of_the_newest_version(app, held):
    lines = _lines(app, "Rosa Pérez")

    assert [s.title for s in lines.attended] == [
        "Family nights that work",
        "Data for families",
        "Student voice",
    ]  # not the cancelled talk, not the undone one; the repeat scan adds nothing
    assert [s.minutes for s in lines.attended] == [60, 90, 60]  # Student voice: version 2
    assert (lines.attended_minutes, lines.presented_minutes) == (210, 0)
    assert lines.presented == ()  # a declined invitation presents nothing
    assert lines.days == (1,)


def test_certificate_for_presenter_by_email_or_account_lists_presented_sessions(app, held):
    pat, nora = _lines(app, "Pat Presenter"), _lines(app, "Nora Lead")

    assert [s.title for s in pat.presented] == ["Family nights that work"]
    assert [s.title for s in pat.attended] == ["Student voice"]
    assert (pat.attended_minutes, pat.presented_minutes) == (60, 60)
    assert ([s.title for s in nora.presented], nora.attended) == (["Student voice"], ())


def test_certificate_for_overlapping_check_ins_count_once(app, held):
    lines = _lines(app, "Marta Gómez")

    assert len(lines.attended) == 2
    assert lines.attended_minutes == 90


# --- download from the tickets page ------------------------------------------------------


def _download(client, held, name):
    link, code = held.tickets[name]
    return client.get(f"/{SLUG}/tickets/{link}/{code}/certificate.pdf")


@needs_pango
def test_certificate_download_lists_sessions_hours_name_and_a_verifiable_id(client, held):
    response = _download(client, held, "Rosa Pérez")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert "Certificate of learning hours" in text
    assert "Rosa Pérez" in text
    assert "Community Schools Summit 2027" in text and "Sacramento Convention Center" in text
    for title in ("Family nights that work", "Data for families", "Student voice"):
        assert title in text
    assert "Cancelled talk" not in text and "Overlap talk" not in text
    assert "Total learning hours 3.5" in text
    assert "attended day 1" in text
    code = re.search(r"Certificate id: (CRT-[A-Z0-9]{10})", text).group(1)
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="certificate-{code}.pdf"'
    assert f"/{SLUG}/certificates/{code}" in text.replace(" ", "")
    again = pdf_text(_download(client, held, "Rosa Pérez").data)
    assert code in again  # the id is kept from the first download

    page = client.get(f"/{SLUG}/certificates/{code}").get_data(as_text=True)
    assert "genuine" in page and "Rosa Pérez" in page and "3.5" in page


@needs_pango
def test_certificate_download_for_a_spanish_speaker_is_in_spanish(client, held):
    text = pdf_text(_download(client, held, "Marta Gómez").data)

    assert "Certificado de horas de aprendizaje" in text
    assert "Marta Gómez" in text
    assert "Data for families" in text and "Overlap talk" in text
    assert "1,5" in text
    assert "Certificate of learning hours" not in text


@needs_pango
def test_certificate_download_of_a_presenter_lists_presented_sessions(client, held):
    text = pdf_text(_download(client, held, "Pat Presenter").data)

    assert "Sessions presented" in text and "Total hours presented 1" in text
    presented = text.split("Sessions presented", 1)[1]
    assert "Family nights that work" in presented
    assert "Student voice" in text.split("Sessions presented", 1)[0]


def test_certificate_download_of_a_cancelled_ticket_is_404(client, held):
    response = _download(client, held, "Carl Cancel")

    assert response.status_code == 404
    assert "no active ticket" in response.get_data(as_text=True)


def test_certificate_download_without_sessions_is_404_with_a_reason(client, held):
    response = _download(client, held, "Omar Only")

    assert response.status_code == 404
    assert "No session was recorded for Omar Only" in response.get_data(as_text=True)


def test_certificate_download_with_a_wrong_link_is_404(client, held):
    _link, code = held.tickets["Rosa Pérez"]

    assert client.get(f"/{SLUG}/tickets/not-a-link/{code}/certificate.pdf").status_code == 404


def test_tickets_page_after_the_summit_links_each_certificate(client, held):
    link, rosa = held.tickets["Rosa Pérez"]
    _link, luis = held.tickets["Luis Pérez"]

    page = client.get(f"/{SLUG}/tickets/{link}").get_data(as_text=True)

    assert page.count("Download your certificate") == 2
    assert f'href="/{SLUG}/tickets/{link}/{rosa}/certificate.pdf"' in page
    assert f'href="/{SLUG}/tickets/{link}/{luis}/certificate.pdf"' in page
    omar_link, _code = held.tickets["Omar Only"]
    omar = client.get(f"/{SLUG}/tickets/{omar_link}").get_data(as_text=True)
    assert "Download your certificate" not in omar
    assert "No session was recorded for Omar Only" in omar


def test_verify_an_unknown_certificate_id_is_404(client, held):
    response = client.get(f"/{SLUG}/certificates/CRT-2222222222")

    assert response.status_code == 404
    assert "no certificate with this id" in response.get_data(as_text=True)


# --- before the summit is over -----------------------------------------------------------


@pytest.fixture
def upcoming(app, make_summit):
    """Summit 2027 starting in five days; Rosa registered and confirmed."""
    from summit.registration.models import TicketType
    from summit.summits.queries import get_summit_by_slug

    day_one = datetime.now(TZ).date() + timedelta(days=5)
    ticket_id = _build_summit(app, make_summit, day_one)
    with app.app_context():
        booking, link = _book(
            get_summit_by_slug(SLUG),
            db.session.get(TicketType, ticket_id),
            [{"name": "Rosa Pérez", "email": "rosa@example.org"}],
            contact="rosa@example.org",
            at=datetime.now(UTC),
        )
        db.session.commit()
        return link, booking.attendees[0].code, day_one


def test_certificate_download_before_the_summit_is_over_is_refused_with_when(client, upcoming):
    link, code, day_one = upcoming

    response = client.get(f"/{SLUG}/tickets/{link}/{code}/certificate.pdf")

    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "made after the summit" in body
    assert str((day_one + timedelta(days=2)).year) in body
    page = client.get(f"/{SLUG}/tickets/{link}").get_data(as_text=True)
    assert "made after the summit" in page
    assert "Download your certificate" not in page


def test_available_from_is_midnight_after_the_last_day_in_the_summits_time_zone(ctx):
    from summit.reports.certificates import available_from, is_available
    from summit.summits.models import Summit

    summit = Summit(
        slug="x",
        name="X",
        starts_on=DAY,
        ends_on=DAY + timedelta(days=1),
        timezone="America/Los_Angeles",
    )

    assert available_from(summit) == datetime(2027, 9, 25, 7, 0, tzinfo=UTC)  # PDT is UTC-7
    assert not is_available(summit, datetime(2027, 9, 25, 6, 59, tzinfo=UTC))
    assert is_available(summit, datetime(2027, 9, 25, 7, 0, tzinfo=UTC))


# --- the staff's send --------------------------------------------------------------------


def _outbox(app):
    from summit.core.outbox import OutboxMessage

    with app.app_context():
        messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        return [
            (
                m.to_email,
                m.locale,
                m.subject,
                [(a.filename, a.content_type, a.content) for a in m.attachments],
            )
            for m in messages
            if m.template == "reports/certificate_email"
        ]


@needs_pango
def test_staff_send_queues_one_email_per_eligible_person_and_a_second_send_none(
    app, client, held, login_as
):
    login_as("staff")
    page = client.get(f"/{SLUG}/staff/certificates").get_data(as_text=True)
    assert "5 people have a certificate." in page
    assert "5 emails will go out." in page

    response = client.post(f"/{SLUG}/staff/certificates/send")

    assert response.status_code == 302
    sent = _outbox(app)
    assert sorted(to for to, *_ in sent) == [
        "guardian@example.org",  # Luis has no email: his guardian's
        "marta@example.org",
        "nora@example.org",
        "pat@example.org",
        "rosa@example.org",
    ]
    by_to = {to: (locale, subject, files) for to, locale, subject, files in sent}
    locale, subject, [(name, kind, pdf)] = by_to["marta@example.org"]
    assert (locale, kind) == ("es", "application/pdf")
    assert subject.startswith("Su certificado de horas de aprendizaje")
    assert re.fullmatch(r"certificate-CRT-[A-Z0-9]{10}\.pdf", name)
    text = pdf_text(pdf)
    assert "Marta Gómez" in text and "1,5" in text
    assert "Luis Pérez" in pdf_text(by_to["guardian@example.org"][2][0][2])
    page = client.get(f"/{SLUG}/staff/certificates").get_data(as_text=True)
    assert "Queued 5 certificate emails." in page
    assert "Everyone has been sent their certificate." in page

    client.post(f"/{SLUG}/staff/certificates/send")

    assert len(_outbox(app)) == 5
    with app.app_context():
        from summit.core.audit import AuditEntry

        entries = db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.action == "certificate.send")
            .order_by(AuditEntry.id)
        ).all()
        assert [e.after for e in entries] == [
            {"emailed": 5, "remaining": 0},
            {"emailed": 0, "remaining": 0},
        ]


@needs_pango
def test_send_certificates_again_mails_only_whose_certificate_changed(app, held):
    from summit.checkin.models import Checkpoint, Scan
    from summit.registration.models import Attendee
    from summit.reports import certificates
    from summit.summits.queries import get_summit_by_slug

    at = datetime.now(UTC)
    with app.test_request_context():
        summit = get_summit_by_slug(SLUG)
        first = certificates.send_certificates(summit, actor=None, at=at, limit=2)
        rest = certificates.send_certificates(summit, actor=None, at=at)
        omar = db.session.scalar(db.select(Attendee).where(Attendee.name == "Omar Only"))
        door = db.session.scalar(db.select(Checkpoint).where(Checkpoint.name == "Student voice"))
        db.session.add(
            Scan(
                summit_id=summit.id,
                checkpoint_id=door.id,
                attendee_id=omar.id,
                scan_id="late-sync",
                result="checked_in",
                scanned_at=at,
                received_at=at,
            )
        )
        db.session.flush()
        late = certificates.send_certificates(summit, actor=None, at=at)
        db.session.commit()

    assert (first.queued, first.remaining) == (2, 3)
    assert (rest.queued, rest.remaining) == (3, 0)
    assert (late.queued, late.remaining) == (1, 0)
    assert [to for to, *_ in _outbox(app)][-1] == "omar@example.org"


def test_staff_send_before_the_summit_is_over_is_refused(app, client, upcoming, login_as):
    login_as("staff")

    page = client.get(f"/{SLUG}/staff/certificates").get_data(as_text=True)
    response = client.post(f"/{SLUG}/staff/certificates/send")

    assert "made after the summit" in page and "Send all certificates" not in page
    assert response.status_code == 409
    assert "made after the summit" in response.get_data(as_text=True)
    assert _outbox(app) == []


@pytest.mark.parametrize("role", [None, "reviewer", "door"])
def test_certificates_staff_page_for_non_staff_is_403(app, client, held, login_as, role):
    login_as(role)

    assert client.get(f"/{SLUG}/staff/certificates").status_code == 403
    assert client.post(f"/{SLUG}/staff/certificates/send").status_code == 403
    assert _outbox(app) == []


def test_certificates_staff_page_anonymous_goes_to_login(client, held):
    response = client.post(f"/{SLUG}/staff/certificates/send")

    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
