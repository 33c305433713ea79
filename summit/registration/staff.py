"""Staff pages for registration: ticket types, the registrations list and each household,
approvals, complimentary tickets, reissue and resend, the needs summary and the CSV."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from summit.accounts.enums import AGE_BAND_LABELS, CALIFORNIA_COUNTIES, PRESENTER_ROLE_LABELS
from summit.accounts.forms import EmptyForm
from summit.core import audit
from summit.core.clock import from_local_input, to_local_input
from summit.core.errors import DomainError
from summit.core.exports import csv_response
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.core.templating import local_date
from summit.extensions import db
from summit.registration import notifications, queries, services
from summit.registration.enums import ACCOMMODATION_LABELS, NEED_LABELS, BookingState
from summit.registration.forms import CompForm, NewTicketTypeForm, StaffPersonForm, TicketTypeForm
from summit.registration.models import TicketType
from summit.summits.policies import can_manage_summit
from summit.summits.queries import regions_by_county
from summit.summits.routes import summit_view

bp = Blueprint("registration_staff", __name__)
staff_view = summit_view(can_manage_summit)


def _ticket_types(summit) -> list[TicketType]:
    return queries.list_ticket_types(summit)


@bp.get("/<slug>/staff/tickets")
@staff_view
def ticket_types(summit):
    return render_template(
        "registration_staff/ticket_types.html", summit=summit, ticket_types=_ticket_types(summit)
    )


@bp.route("/<slug>/staff/tickets/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/tickets/<code>", methods=["GET", "POST"])
@staff_view
def ticket_type_form(summit, code: str | None = None):
    ticket_type = None
    if code:
        ticket_type = next((t for t in _ticket_types(summit) if t.code == code), None)
        if ticket_type is None:
            abort(404)
    form = (TicketTypeForm if ticket_type else NewTicketTypeForm)(obj=ticket_type)
    form.days.choices = [
        SelectChoice(d.isoformat(), local_date(d, "full")) for d in queries.summit_days(summit)
    ]
    if request.method == "GET" and ticket_type is not None:
        for name in ("sales_opens_at", "sales_closes_at"):
            getattr(form, name).data = to_local_input(getattr(ticket_type, name), summit.timezone)
    if form.validate_on_submit():
        values = {
            "name_en": form.name_en.data.strip(),
            "name_es": form.name_es.data.strip(),
            "audience_en": (form.audience_en.data or "").strip(),
            "audience_es": (form.audience_es.data or "").strip(),
            "capacity": form.capacity.data,
            "sales_opens_at": from_local_input(form.sales_opens_at.data, summit.timezone),
            "sales_closes_at": from_local_input(form.sales_closes_at.data, summit.timezone),
            "requires_approval": bool(form.requires_approval.data),
            "access_code": (form.access_code.data or "").strip().upper() or None,
            "days": sorted(set(form.days.data or []) & {c.value for c in form.days.choices}),
            "position": form.position.data or 0,
            "is_active": bool(form.is_active.data),
        }
        try:
            services.save_ticket_type(
                summit,
                actor=current_user,
                ticket_type=ticket_type,
                code=None if ticket_type else form.code.data,
                **values,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Ticket type saved."), "success")
            return redirect(url_for("registration_staff.ticket_types", slug=summit.slug))
    return render_template(
        "registration_staff/ticket_type_form.html",
        summit=summit,
        form=form,
        ticket_type=ticket_type,
    ), status_for(form)


# --- registrations ------------------------------------------------------------------


def _booking_or_404(summit, code: str):
    booking = queries.get_booking(summit, code)
    if booking is None:
        abort(404)
    return booking


def _attendee_or_404(booking, code: str):
    attendee = next((a for a in booking.attendees if a.code == code), None)
    if attendee is None:
        abort(404)
    return attendee


def _to_detail(summit, booking):
    return redirect(
        url_for("registration_staff.booking_detail", slug=summit.slug, code=booking.code)
    )


@bp.get("/<slug>/staff/registrations")
@staff_view
def registrations(summit):
    filters = queries.RegistrationFilters.from_args(request.args)
    attendees, total = queries.list_attendees(summit, filters)
    return render_template(
        "registration_staff/list.html",
        summit=summit,
        attendees=attendees,
        total=total,
        filters=filters,
        counts=queries.count_by_state(summit),
        ticket_types=_ticket_types(summit),
        counties=CALIFORNIA_COUNTIES,
        regions_by_county=regions_by_county(summit),
        need_labels=NEED_LABELS,
        has_next=filters.page * filters.per_page < total,
    )


@bp.get("/<slug>/staff/registrations/export.csv")
@staff_view
def export_registrations(summit):
    """Every column, minors' details included: this page is for summit staff only."""
    filters = queries.RegistrationFilters.from_args(request.args)
    attendees = queries.all_filtered_attendees(summit, filters)
    audit.record(
        "registration.export",
        actor=current_user,
        summit=summit,
        object_type="registration",
        label=f"{len(attendees)} people",
        after=filters.as_args(),
    )
    db.session.commit()
    return csv_response(
        f"registrations-{summit.slug}.csv",
        queries.EXPORT_COLUMNS,
        queries.export_rows(summit, attendees),
    )


@bp.get("/<slug>/staff/registrations/needs")
@staff_view
def needs(summit):
    return render_template(
        "registration_staff/needs.html",
        summit=summit,
        summary=queries.needs_summary(summit),
        need_labels=NEED_LABELS,
    )


def _person_from(form, types: dict) -> dict:
    return {name: getattr(form, name).data for name in services.PERSON_FIELDS} | {
        "ticket_type": types.get(form.ticket_type.data or "")
    }


def _staff_person_form(form_class, summit, obj=None):
    form = form_class(obj=obj)
    types = {str(t.id): t for t in _ticket_types(summit)}
    form.ticket_type.choices = [
        SelectChoice(key, t.name(select_locale())) for key, t in types.items()
    ]
    if obj is not None and request.method == "GET":
        form.ticket_type.data = str(obj.ticket_type_id)
    return form, types


@bp.route("/<slug>/staff/registrations/comp", methods=["GET", "POST"])
@staff_view
def comp(summit):
    form, types = _staff_person_form(CompForm, summit)
    if form.validate_on_submit():
        person = _person_from(form, types)
        try:
            booking = services.comp_ticket(
                summit, person, actor=current_user, locale=person["preferred_language"] or "en"
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            if form.notify.data:
                secret = services.issue_manage_link(booking)
                notifications.send_tickets_link(booking, secret, summit)
            db.session.commit()
            flash(_("Complimentary ticket added."), "success")
            return _to_detail(summit, booking)
    return render_template(
        "registration_staff/person_form.html", summit=summit, form=form, booking=None
    ), status_for(form)


@bp.get("/<slug>/staff/registrations/<code>")
@staff_view
def booking_detail(summit, code: str):
    booking = _booking_or_404(summit, code)
    return render_template(
        "registration_staff/detail.html",
        summit=summit,
        booking=booking,
        form=EmptyForm(),
        history=queries.history(summit, booking),
        regions=regions_by_county(summit),
        accommodation_labels=ACCOMMODATION_LABELS,
        age_labels=AGE_BAND_LABELS,
        role_labels=PRESENTER_ROLE_LABELS,
    )


def _checked_post(summit, code: str):
    booking = _booking_or_404(summit, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return booking


def _send_offers(summit, offered) -> None:
    for other in offered:
        notifications.send_offer(other, services.issue_offer_link(other), summit)


def _run(summit, booking, action, success: str):
    """Run a staff action on a household; a rule that says no is shown, nothing is lost."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return _to_detail(summit, booking)


@bp.post("/<slug>/staff/registrations/<code>/approve")
@staff_view
def approve(summit, code: str):
    booking = _checked_post(summit, code)

    def action():
        services.approve(booking, actor=current_user, summit=summit)
        notifications.send_tickets_link(booking, services.issue_manage_link(booking), summit)

    return _run(summit, booking, action, _("Approved. We emailed the registration."))


@bp.post("/<slug>/staff/registrations/<code>/decline")
@staff_view
def decline(summit, code: str):
    booking = _checked_post(summit, code)

    def action():
        services.decline(booking, actor=current_user, summit=summit)
        notifications.send_declined(booking, summit)

    return _run(summit, booking, action, _("Declined. We emailed the registration."))


@bp.post("/<slug>/staff/registrations/<code>/resend")
@staff_view
def resend(summit, code: str):
    booking = _checked_post(summit, code)

    def action():
        if booking.state == BookingState.CANCELLED:
            raise DomainError("cancelled", _("This registration is cancelled."))
        if booking.state == BookingState.PENDING_EMAIL:
            notifications.send_confirm_link(booking, services.issue_confirm_link(booking), summit)
        else:
            notifications.send_tickets_link(booking, services.issue_manage_link(booking), summit)
        services.record_resend(booking, actor=current_user, summit=summit)

    return _run(summit, booking, action, _("Sent again to %(email)s.", email=booking.contact_email))


def _give_up_seats(summit, attendee) -> None:
    from summit.agenda.notifications import queue_seat_emails
    from summit.agenda.services import end_reservations_of

    queue_seat_emails(summit, end_reservations_of(attendee), "promoted")


@bp.post("/<slug>/staff/registrations/<code>/<person>/cancel")
@staff_view
def cancel_person(summit, code: str, person: str):
    booking = _checked_post(summit, code)
    attendee = _attendee_or_404(booking, person)

    def action():
        _send_offers(summit, services.staff_cancel(attendee, actor=current_user, summit=summit))
        _give_up_seats(summit, attendee)

    return _run(
        summit, booking, action, _("The ticket of %(name)s is cancelled.", name=attendee.name)
    )


@bp.post("/<slug>/staff/registrations/<code>/<person>/reissue")
@staff_view
def reissue(summit, code: str, person: str):
    booking = _checked_post(summit, code)
    attendee = _attendee_or_404(booking, person)

    def action():
        services.reissue_ticket(attendee, actor=current_user, summit=summit)
        if booking.state == BookingState.CONFIRMED:
            notifications.send_tickets_link(booking, services.issue_manage_link(booking), summit)

    return _run(
        summit,
        booking,
        action,
        _("A new ticket for %(name)s: the old QR code no longer works.", name=attendee.name),
    )


@bp.route("/<slug>/staff/registrations/<code>/<person>/edit", methods=["GET", "POST"])
@staff_view
def edit_person(summit, code: str, person: str):
    booking = _booking_or_404(summit, code)
    attendee = _attendee_or_404(booking, person)
    form, types = _staff_person_form(StaffPersonForm, summit, obj=attendee)
    if form.validate_on_submit():
        try:
            services.edit_attendee(
                attendee, _person_from(form, types), actor=current_user, summit=summit
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return _to_detail(summit, booking)
    return render_template(
        "registration_staff/person_form.html",
        summit=summit,
        form=form,
        booking=booking,
        attendee=attendee,
    ), status_for(form)
