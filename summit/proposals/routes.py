"""Presenters' pages: the call, the proposal form, the team, invitations, guardian consent."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import SelectChoice

from summit.accounts.enums import PRESENTER_ROLE_LABELS
from summit.accounts.forms import EmptyForm
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.extensions import db, limiter
from summit.proposals import notifications, policies, services
from summit.proposals.enums import (
    AV_NEEDS_LABELS,
    CONSENT_STATUS_LABELS,
    HISTORY_LABELS,
    INVITE_STATUS_LABELS,
    NEXT_STEPS,
    ROOM_SETUP_LABELS,
    SESSION_LANGUAGE_LABELS,
    STATE_LABELS,
    ProposalState,
)
from summit.proposals.forms import (
    AddPresenterForm,
    ConsentForm,
    GuardianForm,
    InviteForm,
    proposal_form_class,
)
from summit.proposals.queries import (
    get_format,
    get_presenter_by_consent,
    get_presenter_by_invite,
    get_proposal,
    list_formats,
    list_my_proposals,
    list_questions,
)
from summit.summits.queries import get_track, list_tracks
from summit.summits.routes import summit_view

bp = Blueprint("proposals", __name__)


@bp.app_context_processor
def proposal_labels() -> dict:
    return {
        "state_labels": STATE_LABELS,
        "invite_labels": INVITE_STATUS_LABELS,
        "consent_labels": CONSENT_STATUS_LABELS,
        "language_labels": SESSION_LANGUAGE_LABELS,
        "missing_labels": MISSING_LABELS,
        "role_type_labels": PRESENTER_ROLE_LABELS,
        "room_setup_labels": ROOM_SETUP_LABELS,
        "history_labels": HISTORY_LABELS,
        "text_lang": text_lang,
        "av_labels": AV_NEEDS_LABELS,
    }


def text_lang(proposal) -> Markup:
    """``lang`` attribute for a proposal's own text when it is in one language (WCAG 3.1.2)."""
    if proposal.language in ("en", "es"):
        return Markup(' lang="{}"').format(proposal.language)
    return Markup("")


MISSING_LABELS = {
    "title": _l("a title"),
    "abstract": _l("what the session is about"),
    "outcomes": _l("what participants will take away"),
    "lead_role": _l("which best describes you"),
    "format": _l("a session format"),
    "track": _l("a main topic"),
}


def _load(summit, code: str, policy=policies.can_view_proposal):
    """Another person's proposal is a 404, never a 403: codes reveal nothing."""
    proposal = get_proposal(summit, code)
    if proposal is None or not policy(current_user, proposal):
        abort(404)
    return proposal


def _form_for(summit, locale: str, *, formdata=None, obj=None):
    questions = list_questions(summit, active_only=True)
    form_class = proposal_form_class(questions, locale)
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    formats = list_formats(summit, active_only=True)
    tracks = list_tracks(summit, active_only=True)
    form.format.choices = [
        SelectChoice(f.code, f"{f.name(locale)} — {f.duration_minutes} min") for f in formats
    ]
    form.track.choices = [SelectChoice("", _("Choose a topic"))] + [
        SelectChoice(t.code, t.name(locale)) for t in tracks
    ]
    form.secondary_tracks.choices = [SelectChoice(t.code, t.name(locale)) for t in tracks]
    if obj is not None and request.method == "GET":
        _fill(form, obj, questions)
    return form, questions


def _fill(form, proposal, questions) -> None:
    for name in (
        "title",
        "abstract",
        "outcomes",
        "language",
        "accessibility_needs",
        "room_setup",
        "audience_roles",
        "grade_bands",
        "av_needs",
    ):
        getattr(form, name).data = getattr(proposal, name)
    form.lead_role.data = proposal.lead_role or ""
    form.format.data = proposal.format.code if proposal.format else None
    form.track.data = proposal.track.code if proposal.track else ""
    form.secondary_tracks.data = [t.code for t in proposal.secondary_tracks]
    for question in questions:
        value = proposal.answer_for(question.id)
        if value is not None:
            stored = value.get("v")
            if stored is True:
                stored = "yes"
            elif stored is False:
                stored = "no"
            getattr(form, f"q_{question.public_id}").data = stored


def _data(form, summit) -> tuple[dict, dict]:
    data = {
        name: getattr(form, name).data
        for name in (
            "title",
            "abstract",
            "outcomes",
            "language",
            "accessibility_needs",
            "room_setup",
            "audience_roles",
            "grade_bands",
            "av_needs",
            "lead_role",
        )
    }
    data["format"] = get_format(summit, form.format.data) if form.format.data else None
    data["track"] = get_track(summit, form.track.data) if form.track.data else None
    data["secondary_tracks"] = [
        t for t in (get_track(summit, code) for code in form.secondary_tracks.data or []) if t
    ]
    answers = {
        name[2:]: field.data for name, field in form._fields.items() if name.startswith("q_")
    }
    return data, answers


def _save_and_maybe_submit(summit, form, questions, proposal=None):
    """Save what was typed (always), then submit if asked. Returns (proposal, error)."""
    data, answers = _data(form, summit)
    try:
        if proposal is None:
            proposal = services.create_proposal(
                summit, actor=current_user, data=data, questions=questions, answers=answers
            )
        else:
            services.update_proposal(
                proposal, actor=current_user, data=data, questions=questions, answers=answers
            )
    except DomainError as error:
        db.session.rollback()
        return None, error
    db.session.commit()
    if request.form.get("action") != "submit":
        return proposal, None
    try:
        services.submit_proposal(
            proposal,
            actor=current_user,
            questions=questions,
            access_code=form.access_code.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        return proposal, error
    notifications.send_receipt(proposal)
    notifications.send_consent_requests(proposal, locale=select_locale())
    db.session.commit()
    return proposal, None


@bp.get("/<slug>/call")
@summit_view()
def call(summit):
    settings = services.ensure_call(summit)
    db.session.commit()
    return render_template(
        "proposals/call.html",
        summit=summit,
        settings=settings,
        window=services.call_window(summit),
        formats=list_formats(summit, active_only=True),
        tracks=list_tracks(summit, active_only=True),
    )


@bp.get("/<slug>/proposals/")
@summit_view()
@login_required
def mine(summit):
    return render_template(
        "proposals/mine.html",
        summit=summit,
        proposals=list_my_proposals(summit, current_user),
        next_steps=NEXT_STEPS,
        window=services.call_window(summit),
    )


@bp.route("/<slug>/proposals/new", methods=["GET", "POST"])
@summit_view()
@login_required
def new(summit):
    services.ensure_call(summit)
    locale = select_locale()
    form, questions = _form_for(summit, locale)
    if request.method == "GET" and current_user.presenter_role:
        form.lead_role.data = current_user.presenter_role
    if form.validate_on_submit():
        proposal, error = _save_and_maybe_submit(summit, form, questions)
        if error is None:
            flash(_submitted_or_saved(proposal), "success")
            return redirect(url_for("proposals.detail", slug=summit.slug, code=proposal.code))
        apply_errors(form, error)
        if proposal is not None:  # saved as a draft, submit refused: keep editing it
            flash(error.message, "warning")
            return _render_form(summit, form, questions, proposal), 422
        flash(error.message, "danger")
    return _render_form(summit, form, questions, None), status_for(form)


def _submitted_or_saved(proposal) -> str:
    if proposal.state == ProposalState.SUBMITTED:
        return _("Your proposal %(code)s is submitted. We sent you a receipt.", code=proposal.code)
    return _("Your draft is saved. You can come back and finish it any time.")


def _render_form(summit, form, questions, proposal):
    settings = services.ensure_call(summit)
    return render_template(
        "proposals/form.html",
        summit=summit,
        form=form,
        questions=questions,
        proposal=proposal,
        settings=settings,
        window=services.call_window(summit, proposal.format if proposal else None),
    )


@bp.route("/<slug>/proposals/<code>/edit", methods=["GET", "POST"])
@summit_view()
@login_required
def edit(summit, code: str):
    proposal = _load(summit, code, policies.can_edit_proposal)
    locale = select_locale()
    form, questions = _form_for(summit, locale, obj=proposal)
    if form.validate_on_submit():
        saved, error = _save_and_maybe_submit(summit, form, questions, proposal)
        if error is None:
            flash(_submitted_or_saved(saved), "success")
            return redirect(url_for("proposals.detail", slug=summit.slug, code=proposal.code))
        apply_errors(form, error)
        flash(error.message, "warning" if saved is not None else "danger")
        return _render_form(summit, form, questions, proposal), 422
    return _render_form(summit, form, questions, proposal), status_for(form)


@bp.get("/<slug>/proposals/<code>")
@summit_view()
@login_required
def detail(summit, code: str):
    proposal = _load(summit, code)
    questions = list_questions(summit)
    return render_template(
        "proposals/detail.html",
        summit=summit,
        proposal=proposal,
        questions=[q for q in questions if proposal.answer_for(q.id) is not None],
        can_edit=policies.can_edit_proposal(current_user, proposal),
        can_respond=policies.can_respond_as_presenter(current_user, proposal),
        missing=services.missing_for_submit(proposal, list_questions(summit, active_only=True))
        if proposal.state == ProposalState.DRAFT
        else {},
        window=services.call_window(summit, proposal.format),
        next_step=NEXT_STEPS[ProposalState(proposal.state)],
        invite_form=InviteForm(),
        add_form=AddPresenterForm(),
        guardian_form=GuardianForm(),
        action_form=EmptyForm(),
    )


def _team_action(summit, code: str):
    proposal = _load(summit, code, policies.can_edit_proposal)
    return proposal, url_for("proposals.detail", slug=summit.slug, code=proposal.code)


@bp.post("/<slug>/proposals/<code>/invite")
@summit_view()
@login_required
@limiter.limit("30 per hour")
def invite(summit, code: str):
    proposal, back = _team_action(summit, code)
    form = InviteForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return redirect(back + "#team")
    try:
        invitation = services.invite_copresenter(
            proposal, actor=current_user, email=form.email.data, name=form.name.data
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back + "#team")
    notifications.send_invitation(invitation, inviter=current_user, locale=select_locale())
    db.session.commit()
    flash(_("We sent an invitation to %(email)s.", email=invitation.presenter.email), "success")
    return redirect(back + "#team")


@bp.post("/<slug>/proposals/<code>/presenters/add")
@summit_view()
@login_required
def add_presenter(summit, code: str):
    proposal, back = _team_action(summit, code)
    form = AddPresenterForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return redirect(back + "#team")
    try:
        services.add_presenter_without_email(
            proposal,
            actor=current_user,
            name=form.name.data,
            role_type=form.role_type.data,
            age_band=form.age_band.data,
            guardian_name=form.guardian_name.data,
            guardian_email=form.guardian_email.data,
        )
        notifications.send_consent_requests(proposal, locale=select_locale())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back + "#team")
    db.session.commit()
    flash(_("Presenter added."), "success")
    return redirect(back + "#team")


def _presenter(proposal, public_id: str):
    presenter = next((p for p in proposal.presenters if p.public_id == public_id), None)
    if presenter is None:
        abort(404)
    return presenter


@bp.post("/<slug>/proposals/<code>/presenters/<public_id>/<action>")
@summit_view()
@login_required
def presenter_action(summit, code: str, public_id: str, action: str):
    proposal, back = _team_action(summit, code)
    presenter = _presenter(proposal, public_id)
    try:
        if action == "resend":
            if not EmptyForm().validate_on_submit():
                abort(400)
            invitation = services.resend_invitation(presenter, actor=current_user)
            notifications.send_invitation(invitation, inviter=current_user, locale=select_locale())
            message = _("Invitation sent again.")
        elif action == "remove":
            if not EmptyForm().validate_on_submit():
                abort(400)
            services.remove_presenter(presenter, actor=current_user)
            message = _("Presenter removed.")
        elif action == "guardian":
            form = GuardianForm()
            if not form.validate_on_submit():
                for messages in form.errors.values():
                    for text in messages:
                        flash(text, "danger")
                return redirect(back + "#team")
            services.set_guardian(
                presenter,
                actor=current_user,
                guardian_name=form.guardian_name.data,
                guardian_email=form.guardian_email.data,
            )
            notifications.send_consent_requests(proposal, locale=select_locale())
            message = _("Guardian contact saved.")
        else:
            abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back + "#team")
    db.session.commit()
    flash(message, "success")
    return redirect(back + "#team")


@bp.post("/<slug>/proposals/<code>/<action>")
@summit_view()
@login_required
def state_action(summit, code: str, action: str):
    """withdraw / reopen / confirm / decline / submit, from the detail page's buttons."""
    policy = (
        policies.can_respond_as_presenter
        if action in {"confirm", "decline"}
        else policies.can_edit_proposal
    )
    proposal = _load(summit, code, policy)
    back = url_for("proposals.detail", slug=summit.slug, code=proposal.code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    targets = {
        "withdraw": ProposalState.WITHDRAWN,
        "reopen": ProposalState.DRAFT,
        "confirm": ProposalState.CONFIRMED,
        "decline": ProposalState.DECLINED,
    }
    try:
        if action == "submit":
            services.submit_proposal(
                proposal,
                actor=current_user,
                questions=list_questions(summit, active_only=True),
                access_code=request.form.get("access_code", ""),
            )
            notifications.send_receipt(proposal)
            notifications.send_consent_requests(proposal, locale=select_locale())
            message = _(
                "Your proposal %(code)s is submitted. We sent you a receipt.", code=proposal.code
            )
        elif action in targets:
            if action == "reopen":
                services.reopen_proposal(proposal, actor=current_user)
            else:
                services.change_state(proposal, targets[action], actor=current_user, as_staff=False)
            if action == "withdraw":
                notifications.send_withdrawn(proposal)
            if action == "decline":
                _offer_freed_slot(proposal)
            message = {
                "withdraw": _("Your proposal is withdrawn. We sent you a confirmation."),
                "reopen": _("Your proposal is a draft again."),
                "confirm": _("Thank you! You are confirmed as presenters."),
                "decline": _("We have noted that you cannot present."),
            }[action]
        else:
            abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _offer_freed_slot(proposal) -> None:
    """A declined session frees its place for the next waitlisted one of its topic."""
    from summit.reviews import notifications as review_notifications
    from summit.reviews import services as review_services

    successor = review_services.offer_slot_after_decline(proposal, actor=None)
    if successor is not None:
        settings = review_services.ensure_review_setup(proposal.summit)
        review_notifications.send_decision(
            successor, share_comments=settings.share_comments_with_presenters
        )


@bp.route("/<slug>/invitations/<token>", methods=["GET", "POST"])
@summit_view()
@limiter.limit("60 per hour", methods=["POST"])
def invitation(summit, token: str):
    presenter = get_presenter_by_invite(token)
    if presenter is None or presenter.proposal.summit_id != summit.id:
        return render_template(
            "accounts/link_problem.html",
            message=_(
                "This invitation link is not valid. Ask the person who invited you to "
                "send it again."
            ),
        ), 404
    proposal = presenter.proposal
    form = EmptyForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        if form.validate_on_submit():
            try:
                if request.form.get("answer") == "decline":
                    services.decline_invitation(presenter, user=current_user)
                    db.session.commit()
                    flash(_("You declined the invitation. We will let the lead know."), "info")
                    return redirect(url_for("summits.home", slug=summit.slug))
                services.accept_invitation(presenter, user=current_user)
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "danger")
                return render_template(
                    "proposals/invitation.html",
                    summit=summit,
                    presenter=presenter,
                    proposal=proposal,
                    form=form,
                    token=token,
                ), error.status
            notifications.send_consent_requests(proposal, locale=select_locale())
            db.session.commit()
            flash(_("Welcome to the team! You are now a presenter on this proposal."), "success")
            return redirect(url_for("proposals.detail", slug=summit.slug, code=proposal.code))
    return render_template(
        "proposals/invitation.html",
        summit=summit,
        presenter=presenter,
        proposal=proposal,
        form=form,
        token=token,
    )


@bp.route("/<slug>/consent/<token>", methods=["GET", "POST"])
@summit_view()
@limiter.limit("60 per hour", methods=["POST"])
def consent(summit, token: str):
    presenter = get_presenter_by_consent(token)
    if presenter is None or presenter.proposal.summit_id != summit.id:
        return render_template(
            "accounts/link_problem.html",
            message=_("This consent link is not valid or has already been used."),
        ), 404
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            services.record_consent(
                presenter,
                granted=form.decision.data == "yes",
                media_release=form.media_release.data,
                signed_name=form.signed_name.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            return render_template(
                "proposals/consent_done.html", summit=summit, presenter=presenter
            )
    return render_template(
        "proposals/consent.html",
        summit=summit,
        presenter=presenter,
        proposal=presenter.proposal,
        form=form,
    ), status_for(form)
