"""Personal agenda pages, seat reservations, the personal calendar feed and calendar
downloads (one session, the whole programme, a track, a presenter).

Who the agenda belongs to: the attendee whose link from the registration email was
opened in this browser (remembered in the signed session cookie), else the signed-in
user. Nobody needs an account.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from summit.accounts.forms import EmptyForm
from summit.agenda import plan, queries, services
from summit.agenda.calendar import etag_for, google_calendar_url, outlook_calendar_url
from summit.agenda.enums import RESERVATION_LABELS, WALK_HINT_MINUTES, ReservationState
from summit.agenda.notifications import queue_seat_emails
from summit.core.auth import is_safe_next
from summit.core.errors import DomainError
from summit.core.transactions import outside_a_transaction
from summit.extensions import db, limiter
from summit.registration import documents
from summit.registration import services as registration_services
from summit.scheduling import ical, programme
from summit.summits.queries import get_track
from summit.summits.routes import summit_view

bp = Blueprint("agenda", __name__)
# The public calendar downloads and links only read a released version: no transaction.
READ_ONLY_ENDPOINTS = frozenset(
    f"agenda.{name}"
    for name in ("programme_ics", "track_ics", "presenter_ics", "session_ics", "add_to_calendar")
)


@bp.before_request
def _read_only_downloads() -> None:
    if request.endpoint in READ_ONLY_ENDPOINTS:
        outside_a_transaction()


SESSION_KEY = "agendas"  # {summit id: agenda public id}, set by the emailed link


def _locale() -> str:
    return str(get_locale() or "en")


def current_agenda(summit, *, create: bool = False):
    remembered = session.get(SESSION_KEY, {}).get(str(summit.id))
    agenda = queries.get_agenda(summit, remembered) if remembered else None
    if agenda is None and current_user.is_authenticated:
        agenda = services.agenda_for_user(summit, current_user, create=create, locale=_locale())
    if agenda is not None:
        services.remember_locale(agenda, _locale())
    return agenda


@bp.app_context_processor
def agenda_helpers() -> dict:
    def agenda_stars(summit) -> set[str]:
        """Codes of the sessions the visitor starred (empty without an agenda): one
        look-up per request, however many sessions the page shows."""
        if not summit:
            return set()
        cache = g.setdefault("agenda_stars", {})
        if summit.id not in cache:
            cache[summit.id] = queries.starred_codes(current_agenda(summit))
        return cache[summit.id]

    return {"agenda_stars": agenda_stars}


def _back(summit, fallback: str | None = None):
    target = request.form.get("next", "")
    if is_safe_next(target):
        return redirect(target)
    return redirect(fallback or url_for("agenda.index", slug=summit.slug))


def _problem(summit, error: DomainError):
    db.session.rollback()
    flash(error.message, "danger")
    return _back(summit)


def _form_or_400():
    if not EmptyForm().validate_on_submit():
        abort(400, _("The form expired. Please reload the page and try again."))


# --- the agenda page ---------------------------------------------------------------


@bp.get("/<slug>/agenda")
@summit_view()
def index(summit):
    agenda = current_agenda(summit)
    if agenda is None:
        return render_template("agenda/welcome.html", summit=summit)
    sessions = services.list_agenda(summit, agenda)
    ids = [s.proposal_id for s in sessions]
    seats = queries.seat_status(summit, ids) if ids else {}
    reservations = queries.live_reservations(agenda)
    positions = {
        pid: queries.waiting_position(r)
        for pid, r in reservations.items()
        if r.state == ReservationState.WAITLISTED
    }
    by_code = {s.code: s for s in sessions}
    days = []
    for day, group in programme.by_day(sessions):
        hints = plan.walk_hints(group, within_minutes=WALK_HINT_MINUTES)
        days.append(
            {
                "day": day,
                "sessions": group,
                "overlaps": plan.overlaps(group),
                "hints_by_next": {h.after: h for h in hints},
            }
        )
    db.session.commit()  # the language the person uses
    return render_template(
        "agenda/index.html",
        summit=summit,
        agenda=agenda,
        owner=queries.owner_email(agenda)[1],
        remembered=str(summit.id) in session.get(SESSION_KEY, {}),
        days=days,
        by_code=by_code,
        seats=seats,
        capacities={s.proposal_id: services.seat_capacity(s) for s in sessions},
        reservations=reservations,
        positions=positions,
        reservation_labels=RESERVATION_LABELS,
        form=EmptyForm(),
    )


@bp.get("/<slug>/tickets/<token>/agenda/<code>")
@summit_view()
def open_from_ticket(summit, token: str, code: str):
    """The registration's link opens one ticket holder's agenda in this browser."""
    booking = registration_services.find_by_manage_link(summit, token)
    if booking is None:
        abort(404)
    attendee = next((a for a in booking.active_attendees if a.code == code), None)
    if attendee is None or booking.state != "confirmed":
        abort(404)
    agenda = services.agenda_for_attendee(attendee, locale=_locale())
    db.session.commit()
    remembered = dict(session.get(SESSION_KEY, {}))
    remembered[str(summit.id)] = agenda.public_id
    session[SESSION_KEY] = remembered
    flash(_("This is the agenda of %(name)s on this device.", name=attendee.name), "info")
    return redirect(url_for("agenda.index", slug=summit.slug))


@bp.post("/<slug>/agenda/forget")
@summit_view()
def forget(summit):
    """Stop using the emailed link's agenda in this browser (a shared phone)."""
    _form_or_400()
    remembered = dict(session.get(SESSION_KEY, {}))
    remembered.pop(str(summit.id), None)
    session[SESSION_KEY] = remembered
    flash(_("This device no longer shows that agenda."), "info")
    return redirect(url_for("agenda.index", slug=summit.slug))


# --- stars ---------------------------------------------------------------------------


def _no_agenda(summit):
    flash(
        _("To keep an agenda, open the link in your registration email on this device, or log in."),
        "info",
    )
    return redirect(url_for("agenda.index", slug=summit.slug))


def _act(summit, action, *, create: bool = False):
    """The shape of every agenda form: CSRF, the visitor's agenda, one service call that
    returns (message, category, promoted reservations), commit, then back to the page."""
    _form_or_400()
    agenda = current_agenda(summit, create=create)
    if agenda is None:
        return _no_agenda(summit)
    try:
        message, category, promoted = action(agenda)
    except DomainError as error:
        return _problem(summit, error)
    queue_seat_emails(summit, promoted, "promoted")
    db.session.commit()
    flash(message, category)
    return _back(summit)


@bp.post("/<slug>/agenda/star/<code>")
@summit_view()
@limiter.limit("120 per minute")
def star(summit, code: str):
    def action(agenda):
        found = services.star_session(agenda, summit, code)
        return _("Added “%(title)s” to your agenda.", title=found.title), "success", []

    return _act(summit, action, create=True)


@bp.post("/<slug>/agenda/unstar/<code>")
@summit_view()
@limiter.limit("120 per minute")
def unstar(summit, code: str):
    def action(agenda):
        promoted = services.unstar_session(agenda, summit, code)
        return _("Removed the session from your agenda."), "info", promoted

    return _act(summit, action)


# --- seats ---------------------------------------------------------------------------


@bp.post("/<slug>/agenda/seats/<code>")
@summit_view()
@limiter.limit("30 per minute")
def reserve(summit, code: str):
    waitlist = request.form.get("waitlist") == "1"

    def action(agenda):
        reservation = services.reserve_seat(agenda, summit, code, waitlist=waitlist)
        if reservation.state == ReservationState.RESERVED:
            return _("Your seat is reserved."), "success", []
        message = _(
            "You are number %(n)d on the waiting list. We will email you if a seat frees up.",
            n=queries.waiting_position(reservation),
        )
        return message, "info", []

    return _act(summit, action)


@bp.post("/<slug>/agenda/seats/<code>/release")
@summit_view()
@limiter.limit("30 per minute")
def release(summit, code: str):
    def action(agenda):
        promoted = services.release_seat(agenda, summit, code)
        message = _("You gave the seat back. Thank you: the next person in line gets it.")
        return message, "info", promoted

    return _act(summit, action)


# --- the personal feed ---------------------------------------------------------------


def _feed_urls(summit, secret: str) -> dict[str, str]:
    https = url_for("agenda.feed", slug=summit.slug, secret=secret, _external=True)
    webcal = "webcal://" + https.split("://", 1)[1]
    name = _("My agenda · %(summit)s", summit=summit.display_name(_locale()))
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?"
        + urlencode({"cid": webcal}, quote_via=quote),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": name}, quote_via=quote),
    }


def _qr_markup(text: str) -> Markup:
    svg = documents.qr_svg(text, box_size=8, border=2).decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML declaration
    return Markup(svg)  # noqa: S704 — generated by qrcode from our own URL


@bp.get("/<slug>/agenda/calendar")
@summit_view()
def calendar(summit):
    agenda = current_agenda(summit)
    if agenda is None:
        return render_template("agenda/welcome.html", summit=summit)
    secret = services.feed_secret(agenda)
    urls = _feed_urls(summit, secret) if secret else None
    return render_template(
        "agenda/calendar.html",
        summit=summit,
        agenda=agenda,
        urls=urls,
        qr=_qr_markup(urls["webcal"]) if urls else None,
        form=EmptyForm(),
    )


@bp.post("/<slug>/agenda/calendar")
@summit_view()
@limiter.limit("20 per hour")
def calendar_link(summit):
    _form_or_400()
    agenda = current_agenda(summit, create=True)
    if agenda is None:
        return _no_agenda(summit)
    action = request.form.get("action")
    if action == "create":
        services.ensure_feed(agenda)
        flash(_("Your calendar link is ready."), "success")
    elif action == "regenerate":
        services.create_feed(agenda)
        flash(_("You have a new calendar link. The old one no longer works."), "success")
    elif action == "revoke":
        services.revoke_feed(agenda)
        flash(_("The calendar link is turned off. Calendars using it stop updating."), "info")
    else:
        abort(400, _("Choose what to do with the calendar link."))
    db.session.commit()
    return redirect(url_for("agenda.calendar", slug=summit.slug))


def _miss(response) -> bool:
    return response.status_code == 404


@bp.get("/<slug>/agenda/feed/<secret>.ics")
@summit_view()
@limiter.limit(lambda: current_app.config["FEED_RATE_LIMIT"])
@limiter.limit(lambda: current_app.config["FEED_MISS_RATE_LIMIT"], deduct_when=_miss)
def feed(summit, secret: str):
    """The personal feed: starred sessions (cancelled ones kept for a while), in the
    person's language. Unknown and revoked links get a bare 404."""
    agenda = queries.get_agenda_by_feed(summit, secret)
    if agenda is None:
        abort(404)
    version = programme.get_latest_version(summit)
    validator, stamp = queries.feed_state(agenda, version)
    # Calendar apps poll: answer a repeat from the cheap validator, before building.
    unchanged = _calendar(Response(status=200), validator, stamp, private=True, weak=True)
    if unchanged.make_conditional(request).status_code == 304:
        return unchanged
    sessions = services.list_agenda(summit, agenda, version=version)
    locale = agenda.locale
    with force_locale(locale):
        name = _("My agenda · %(summit)s", summit=summit.display_name(locale))
    data = ical.calendar_bytes(summit, name, sessions, locale, stamp=stamp)
    return _calendar(Response(data), validator, stamp, private=True, weak=True)


def _calendar(response, etag: str, last_modified, *, private: bool, weak: bool = False):
    """Calendar headers: the ETag (weak for the personal feed, whose bytes may differ by a
    presenter's changed name until the next change), Last-Modified and caching."""
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.set_etag(etag, weak=weak)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=300"
    return response


def _calendar_response(data: bytes, last_modified, filename: str):
    response = _calendar(Response(data), etag_for(data).strip('"'), last_modified, private=False)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response.make_conditional(request)


# --- downloads -----------------------------------------------------------------------


def _download_locale() -> str:
    lang = request.args.get("lang")
    return lang if lang in services.LOCALES else _locale()


def _download(summit, filename: str, sessions_of, name_of):
    """A public calendar download of the newest release, in the page's language (or
    ``?lang=``): ``sessions_of(version)`` picks the sessions, ``name_of(locale)`` names
    the calendar (called in that language)."""
    version = programme.get_latest_version(summit)
    if version is None:
        abort(404)
    locale = _download_locale()
    with force_locale(locale):
        name = name_of(locale)
    data = ical.calendar_bytes(
        summit, name, sessions_of(version), locale, stamp=version.released_at
    )
    return _calendar_response(data, version.released_at, filename)


@bp.get("/<slug>/programme.ics")
@summit_view()
def programme_ics(summit):
    return _download(
        summit,
        f"{summit.slug}-program.ics",
        lambda version: programme.list_released(summit, version=version),
        lambda locale: _("%(summit)s program", summit=summit.display_name(locale)),
    )


@bp.get("/<slug>/programme/tracks/<code>.ics")
@summit_view()
def track_ics(summit, code: str):
    track = get_track(summit, code)
    if track is None:
        abort(404)
    only_track = programme.ProgrammeFilters(track=track.code)
    return _download(
        summit,
        f"{summit.slug}-{track.code}.ics",
        lambda version: programme.list_released(summit, only_track, version=version),
        lambda locale: _(
            "%(track)s · %(summit)s", track=track.name(locale), summit=summit.display_name(locale)
        ),
    )


@bp.get("/<slug>/programme/presenters/<public_id>.ics")
@summit_view()
def presenter_ics(summit, public_id: str):
    page = programme.get_presenter_page(summit, public_id)
    if page is None:
        abort(404)
    return _download(
        summit,
        f"{summit.slug}-{public_id}.ics",
        lambda _version: page.sessions,
        lambda locale: _(
            "%(name)s · %(summit)s", name=page.name, summit=summit.display_name(locale)
        ),
    )


@bp.get("/<slug>/programme/sessions/<code>.ics")
@summit_view()
def session_ics(summit, code: str):
    found = programme.get_released_session(summit, code)
    if found is None:
        abort(404)
    return _download(
        summit, f"{found.code.lower()}.ics", lambda _version: [found], lambda _locale: found.title
    )


CALENDAR_SERVICES = {"google": google_calendar_url, "outlook": outlook_calendar_url}


@bp.get("/<slug>/programme/sessions/<code>/add-to/<service>")
@summit_view()
def add_to_calendar(summit, code: str, service: str):
    """Send the visitor on to Google Calendar or Outlook with the session filled in, in
    their language. The session page links here, so its long address (the whole
    abstract, encoded) is built when someone asks for it, not on every page view."""
    make_url = CALENDAR_SERVICES.get(service)
    found = programme.get_released_session(summit, code) if make_url else None
    if found is None or found.is_cancelled:
        abort(404)
    return redirect(make_url(ical.item_for(summit, found, _locale())))
