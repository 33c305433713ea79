"""Attendees' pages: register (alone or as a household), confirm, tickets, cancel, claim."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from summit.accounts.forms import EmptyForm
from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.extensions import db, limiter
from summit.registration import documents, notifications, services
from summit.registration.enums import BOOKING_STATE_LABELS, BookingState
from summit.registration.forms import MAX_PEOPLE, NeedsForm, RegistrationForm, ResendForm
from summit.reports import certificates
from summit.summits.routes import summit_view

bp = Blueprint("registration", __name__)


@bp.app_context_processor
def registration_labels() -> dict:
    return {"booking_labels": BOOKING_STATE_LABELS}


def _choose_types(form, summit, locale: str):
    types = services.on_sale_types(summit, access_code=form.access_code.data or "")
    choices = [SelectChoice(str(t.id), t.name(locale)) for t in types]
    for entry in form.people:
        entry.form.ticket_type.choices = choices
    return {str(t.id): t for t in types}


@bp.route("/<slug>/register", methods=["GET", "POST"])
@summit_view()
@limiter.limit("30 per hour", methods=["POST"])
def register(summit):
    locale = select_locale()
    form = RegistrationForm()
    adding = request.method == "POST" and request.form.get("action") == "add"
    if adding and len(form.people) < MAX_PEOPLE:
        form.people.append_entry()
    types = _choose_types(form, summit, locale)

    def page(status: int = 200, **extra):
        return render_template(
            "registration/register.html",
            summit=summit,
            form=form,
            has_types=bool(types),
            **extra,
        ), status

    if adding:
        return page()
    if not form.validate_on_submit():
        return page(status_for(form))
    people = [
        {name: getattr(entry.form, name).data for name in services.PERSON_FIELDS}
        | {"ticket_type": types.get(entry.form.ticket_type.data or "")}
        for entry in form.people
    ]
    try:
        booking, secret = services.register(
            summit,
            contact_name=form.contact_name.data,
            contact_email=form.contact_email.data,
            people=people,
            locale=locale,
            access_code=form.access_code.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        _show_errors(form, error)
        return page(422, already_registered=error.code == "already_registered")
    notifications.send_confirm_link(booking, secret, summit)
    db.session.commit()
    return render_template(
        "registration/check_email.html", summit=summit, email=booking.contact_email
    )


def _show_errors(form, error: DomainError) -> None:
    """Field errors named "<person index>.<field>" go to that person's block."""
    for key, messages in error.fields.items():
        index, _sep, name = key.partition(".")
        if name and index.isdigit() and int(index) < len(form.people):
            field = getattr(form.people[int(index)].form, name, None)
            if field is not None:
                field.errors = [*field.errors, *messages]
    apply_errors(form, error)
    flash(error.message, "danger")


@bp.route("/<slug>/register/confirm/<token>", methods=["GET", "POST"])
@summit_view()
@limiter.limit("60 per hour", methods=["POST"])
def confirm(summit, token: str):
    """The link shows a button; only pressing it confirms. A mail scanner that opens
    links on the person's behalf can't spend the link or take their seats."""
    form = EmptyForm()
    pending = services.find_pending(token)
    if pending is None or pending.summit_id != summit.id:
        return _link_problem(summit, _("This link is not valid, or was already used."), 404)
    if not form.validate_on_submit():
        return render_template("registration/confirm.html", summit=summit, form=form)
    # The tickets are drawn before the seats are taken: the seat UPDATE locks the
    # ticket type's row until commit, and others confirming at once wait for it.
    prepared = notifications.ticket_files(pending, summit)
    try:
        booking = services.confirm_booking(token)
    except DomainError as error:
        db.session.rollback()
        return _link_problem(summit, error.message, error.status)
    secret = services.issue_manage_link(booking)
    notifications.send_tickets_link(booking, secret, summit, prepared=prepared)
    db.session.commit()
    return redirect(url_for("registration.tickets", slug=summit.slug, token=secret))


def _link_problem(summit, message: str, status: int):
    resend_url = url_for("registration.resend", slug=summit.slug)
    return render_template(
        "accounts/link_problem.html", message=message, resend_url=resend_url
    ), status


@bp.route("/<slug>/register/resend", methods=["GET", "POST"])
@summit_view()
@limiter.limit("10 per hour", methods=["POST"])
def resend(summit):
    """Lost or expired link: fresh links go to the registered email, never on screen."""
    form = ResendForm()
    if form.validate_on_submit():
        for booking, kind, secret in services.resend_links(summit, form.email.data):
            if kind == "confirm":
                notifications.send_confirm_link(booking, secret, summit)
            else:
                notifications.send_tickets_link(booking, secret, summit)
        db.session.commit()
        return render_template(
            "registration/check_email.html", summit=summit, email=form.email.data, resent=True
        )
    return render_template("registration/resend.html", summit=summit, form=form), status_for(form)


def _booking(summit, token: str):
    booking = services.find_by_manage_link(summit, token)
    if booking is None:
        abort(404)
    return booking


def _active_attendee(booking, code: str):
    attendee = next((a for a in booking.active_attendees if a.code == code), None)
    if attendee is None:
        abort(404)
    return attendee


@bp.route("/<slug>/tickets/<token>/needs/<code>", methods=["GET", "POST"])
@summit_view()
def update_needs(summit, token: str, code: str):
    """Self-service: change accommodations, diet and photo consent of one person."""
    booking = _booking(summit, token)
    attendee = _active_attendee(booking, code)
    form = NeedsForm(obj=attendee)
    if form.validate_on_submit():
        services.update_needs(
            attendee, {name: getattr(form, name).data for name in services.NEEDS_FIELDS}
        )
        db.session.commit()
        flash(_("Saved the needs of %(name)s.", name=attendee.name), "success")
        return redirect(url_for("registration.tickets", slug=summit.slug, token=token))
    return render_template(
        "registration/needs.html", summit=summit, form=form, attendee=attendee, token=token
    ), status_for(form)


@bp.post("/<slug>/tickets/<token>/resend")
@summit_view()
@limiter.limit("10 per hour")
def resend_tickets(summit, token: str):
    booking = _booking(summit, token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    notifications.send_tickets_link(booking, token, summit)
    db.session.commit()
    flash(_("We sent the tickets to %(email)s again.", email=booking.contact_email), "success")
    return redirect(url_for("registration.tickets", slug=summit.slug, token=token))


@bp.get("/<slug>/tickets/<token>")
@summit_view()
def tickets(summit, token: str):
    booking = _booking(summit, token)
    return render_template(
        "registration/tickets.html",
        summit=summit,
        booking=booking,
        token=token,
        form=EmptyForm(),
        certificates=certificates.for_booking(summit, booking, at=now()),
    )


@bp.get("/<slug>/tickets/<token>/<code>.svg")
@summit_view()
def qr(summit, token: str, code: str):
    booking = _booking(summit, token)
    attendee = next((a for a in booking.active_attendees if a.code == code), None)
    if attendee is None or booking.state != BookingState.CONFIRMED:
        abort(404)
    svg = documents.qr_svg(services.ticket_token(summit, attendee))
    db.session.commit()  # the summit's key may have just been created
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.post("/<slug>/tickets/<token>/cancel/<code>")
@summit_view()
def cancel(summit, token: str, code: str):
    booking = _booking(summit, token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    attendee = _active_attendee(booking, code)
    offered = services.cancel_attendee(attendee)
    for other in offered:
        notifications.send_offer(other, services.issue_offer_link(other), summit)
    from summit.agenda.notifications import queue_seat_emails
    from summit.agenda.services import end_reservations_of

    queue_seat_emails(summit, end_reservations_of(attendee), "promoted")
    db.session.commit()
    flash(_("The ticket of %(name)s is cancelled.", name=attendee.name), "info")
    return redirect(url_for("registration.tickets", slug=summit.slug, token=token))


@bp.route("/<slug>/register/claim/<token>", methods=["GET", "POST"])
@summit_view()
def claim(summit, token: str):
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            booking = services.claim_offer(token)
        except DomainError as error:
            db.session.rollback()
            return _link_problem(summit, error.message, error.status)
        secret = services.issue_manage_link(booking)
        notifications.send_tickets_link(booking, secret, summit)
        db.session.commit()
        return redirect(url_for("registration.tickets", slug=summit.slug, token=secret))
    return render_template("registration/claim.html", summit=summit, form=form)


@bp.get("/<slug>/tickets/<token>/tickets.pdf")
@summit_view()
@limiter.limit("20 per minute")  # each PDF costs real CPU to lay out
def tickets_pdf(summit, token: str):
    """Every active ticket of a confirmed registration, one printable page per person."""
    booking = _booking(summit, token)
    people = booking.active_attendees
    if booking.state != BookingState.CONFIRMED or not people:
        abort(404)
    pdf = documents.ticket_pdf(summit, booking, people, select_locale())
    db.session.commit()  # the summit's key may have just been created
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="tickets-{booking.code}.pdf"',
            "Cache-Control": "no-store",
        },
    )
