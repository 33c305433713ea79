"""Staff pages for review: rubric, assignment, progress, per-proposal reviews, selection."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from summit.accounts.forms import EmptyForm
from summit.accounts.queries import get_user_by_email
from summit.core import audit
from summit.core.errors import DomainError
from summit.core.exports import csv_response
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.proposals.models import Proposal
from summit.proposals.queries import get_proposal
from summit.reviews import notifications, services
from summit.reviews.enums import CONFLICT_LABELS, DECISION_LABELS, Decision
from summit.reviews.forms import (
    AssignForm,
    BlindTextForm,
    CapacityForm,
    CriterionForm,
    NewCriterionForm,
    ReviewSettingsForm,
    StaffConflictForm,
)
from summit.reviews.queries import (
    get_blind_text,
    get_criterion,
    list_conflicts,
    list_criteria,
    list_flags,
    list_proposal_assignments,
    list_proposal_reviews,
    list_reviewers,
    list_reviews,
    pending_decisions,
    track_capacities,
)
from summit.summits.policies import can_manage_summit
from summit.summits.queries import get_track, list_tracks
from summit.summits.routes import summit_view

bp = Blueprint("review_staff", __name__)
staff_view = summit_view(can_manage_summit)


@bp.app_context_processor
def review_labels() -> dict:
    return {"decision_labels": DECISION_LABELS, "conflict_labels": CONFLICT_LABELS}


@bp.route("/<slug>/staff/review", methods=["GET", "POST"])
@staff_view
def overview(summit):
    settings = services.ensure_review_setup(summit)
    form = ReviewSettingsForm(obj=settings)
    if form.validate_on_submit():
        services.update_settings(
            summit,
            actor=current_user,
            reviews_per_proposal=form.reviews_per_proposal.data,
            is_blind=bool(form.is_blind.data),
            show_reviews_after_submit=bool(form.show_reviews_after_submit.data),
            share_comments_with_presenters=bool(form.share_comments_with_presenters.data),
            min_reviews_to_normalise=form.min_reviews_to_normalise.data,
        )
        db.session.commit()
        flash(_("Review settings saved."), "success")
        return redirect(url_for("review_staff.overview", slug=summit.slug))
    db.session.commit()
    from summit.proposals.queries import count_by_state

    return render_template(
        "review_staff/overview.html",
        summit=summit,
        form=form,
        criteria=list_criteria(summit, active_only=False),
        counts=count_by_state(summit),
        progress=services.reviewer_progress(summit),
        action_form=EmptyForm(),
    ), status_for(form)


@bp.post("/<slug>/staff/review/start")
@staff_view
def start(summit):
    if not EmptyForm().validate_on_submit():
        abort(400)
    moved = services.start_review(summit, actor=current_user)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d proposal is now under review.",
            "%(num)d proposals are now under review.",
            moved,
        ),
        "success",
    )
    return redirect(url_for("review_staff.overview", slug=summit.slug))


@bp.post("/<slug>/staff/review/assign")
@staff_view
def run_assignment(summit):
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.refresh_auto_conflicts(summit)
    result = services.assign_reviewers(summit, actor=current_user)
    db.session.commit()
    flash(
        _(
            "Assignment done: %(added)d new, %(kept)d kept, %(dropped)d replaced.",
            added=len(result.added),
            kept=len(result.kept),
            dropped=len(result.dropped),
        ),
        "success",
    )
    if result.short:
        flash(
            _(
                "Some proposals lack reviewers because too few reviewers have no conflict: "
                "%(codes)s.",
                codes=", ".join(str(k) for k in sorted(result.short)),
            ),
            "warning",
        )
    return redirect(url_for("review_staff.overview", slug=summit.slug))


@bp.route("/<slug>/staff/review/criteria/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/review/criteria/<code>", methods=["GET", "POST"])
@staff_view
def criterion_form(summit, code: str | None = None):
    criterion = get_criterion(summit, code) if code else None
    if code and criterion is None:
        abort(404)
    form = (CriterionForm if criterion else NewCriterionForm)(obj=criterion)
    if form.validate_on_submit():
        values = {
            "name_en": form.name_en.data.strip(),
            "name_es": form.name_es.data.strip(),
            "guidance_en": (form.guidance_en.data or "").strip(),
            "guidance_es": (form.guidance_es.data or "").strip(),
            "scale_min": form.scale_min.data if form.scale_min.data is not None else 1,
            "scale_max": form.scale_max.data,
            "weight": form.weight.data,
            "position": form.position.data or 0,
            "is_active": bool(form.is_active.data),
        }
        try:
            services.save_criterion(
                summit,
                actor=current_user,
                criterion=criterion,
                code=None if criterion else form.code.data,
                **values,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Criterion saved."), "success")
            return redirect(url_for("review_staff.overview", slug=summit.slug))
    return render_template(
        "review_staff/criterion_form.html", summit=summit, form=form, criterion=criterion
    ), status_for(form)


def _reviewer_choices(summit, exclude=()) -> list[SelectChoice]:
    return [
        SelectChoice(r.email, f"{r.name} ({r.email})")
        for r in list_reviewers(summit)
        if r.id not in exclude
    ]


@bp.route("/<slug>/staff/review/proposals/<code>", methods=["GET", "POST"])
@staff_view
def proposal_reviews(summit, code: str):
    proposal = get_proposal(summit, code)
    if proposal is None:
        abort(404)
    assignments = list_proposal_assignments(proposal)
    assign_form = AssignForm(prefix="assign")
    assign_form.reviewer.choices = _reviewer_choices(summit, {a.reviewer_id for a in assignments})
    conflict_form = StaffConflictForm(prefix="conflict")
    conflict_form.reviewer.choices = _reviewer_choices(summit)
    blind = get_blind_text(proposal)
    blind_form = BlindTextForm(prefix="blind", obj=blind)
    back = url_for("review_staff.proposal_reviews", slug=summit.slug, code=proposal.code)
    action = request.form.get("form")
    try:
        if action == "assign" and assign_form.validate_on_submit():
            reviewer = get_user_by_email(assign_form.reviewer.data or "")
            if reviewer is None:
                abort(400)
            services.add_assignment(proposal, reviewer, actor=current_user)
        elif action == "unassign" and EmptyForm().validate_on_submit():
            reviewer = get_user_by_email(request.form.get("reviewer", ""))
            if reviewer is None:
                abort(400)
            services.remove_assignment(proposal, reviewer, actor=current_user)
        elif action == "conflict" and conflict_form.validate_on_submit():
            reviewer = get_user_by_email(conflict_form.reviewer.data or "")
            if reviewer is None:
                abort(400)
            from summit.reviews.enums import ConflictSource

            services.declare_conflict(
                proposal,
                reviewer=reviewer,
                actor=current_user,
                reason=conflict_form.reason.data,
                source=ConflictSource.STAFF,
            )
        elif action == "blind" and blind_form.validate_on_submit():
            services.save_blind_text(
                proposal,
                actor=current_user,
                title=blind_form.title.data or "",
                abstract=blind_form.abstract.data or "",
                outcomes=blind_form.outcomes.data or "",
            )
        elif request.method == "POST":
            abort(400)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    if request.method == "POST":
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(back)
    scores, _stats = services.score_summit(summit)
    return render_template(
        "review_staff/proposal.html",
        summit=summit,
        proposal=proposal,
        reviews=list_proposal_reviews(proposal),
        assignments=assignments,
        conflicts=list_conflicts(proposal),
        score=scores.get(proposal.id),
        criteria=list_criteria(summit),
        flag_names={f.code: f.name(select_locale()) for f in list_flags(summit)},
        assign_form=assign_form,
        conflict_form=conflict_form,
        blind_form=blind_form,
        action_form=EmptyForm(),
    )


@bp.get("/<slug>/staff/selection")
@staff_view
def selection(summit):
    tracks = list_tracks(summit)
    code = request.args.get("track", "")
    track = get_track(summit, code) if code else None
    scores, stats = services.score_summit(summit)
    decidable = (
        ProposalState.UNDER_REVIEW.value,
        ProposalState.WAITLISTED.value,
        ProposalState.ACCEPTED.value,
        ProposalState.CONFIRMED.value,
        ProposalState.REJECTED.value,
    )
    all_proposals = list(
        db.session.scalars(
            db.select(Proposal).where(
                Proposal.summit_id == summit.id, Proposal.state.in_(decidable)
            )
        )
    )
    pending = pending_decisions(summit)
    shown = [p for p in all_proposals if track is None or p.track_id == track.id]

    def rank(p):
        s = scores.get(p.id)
        return (-(s.normalised if s and s.normalised is not None else -99), p.id)

    shown.sort(key=rank)
    return render_template(
        "review_staff/selection.html",
        summit=summit,
        tracks=tracks,
        track=track,
        proposals=shown,
        scores=scores,
        harsh=[s for s in stats.values() if s.tendency != "typical"],
        reviewers={r.id: r for r in list_reviewers(summit)},
        pending=pending,
        balance=services.balance(summit, all_proposals, pending),
        capacities=track_capacities(summit),
        capacity_form=CapacityForm(),
        action_form=EmptyForm(),
        decisions=list(Decision),
    )


@bp.post("/<slug>/staff/selection/decide")
@staff_view
def decide(summit):
    if not EmptyForm().validate_on_submit():
        abort(400)
    proposal = get_proposal(summit, request.form.get("code", ""))
    if proposal is None:
        abort(404)
    decision = request.form.get("decision", "")
    if decision and decision not in {d.value for d in Decision}:
        abort(400)
    try:
        services.set_pending_decision(proposal, decision or None, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
    return redirect(
        url_for("review_staff.selection", slug=summit.slug, track=request.form.get("track", ""))
        + f"#row-{proposal.code}"
    )


@bp.post("/<slug>/staff/selection/capacity/<code>")
@staff_view
def capacity(summit, code: str):
    track = get_track(summit, code)
    if track is None:
        abort(404)
    form = CapacityForm()
    if form.validate_on_submit():
        services.set_capacity(track, form.slots.data, actor=current_user)
        db.session.commit()
        flash(_("Capacity saved."), "success")
    else:
        flash(_("Enter a number of sessions from 0 to 500."), "danger")
    return redirect(url_for("review_staff.selection", slug=summit.slug, track=code))


@bp.post("/<slug>/staff/selection/send")
@staff_view
def send(summit):
    if not EmptyForm().validate_on_submit():
        abort(400)
    settings = services.ensure_review_setup(summit)
    outcome = services.send_decisions(summit, actor=current_user)
    for proposal in outcome.applied:
        notifications.send_decision(
            proposal, share_comments=settings.share_comments_with_presenters
        )
    db.session.commit()
    flash(
        ngettext("%(num)d decision sent.", "%(num)d decisions sent.", len(outcome.applied)),
        "success",
    )
    for proposal, reason in outcome.skipped:
        flash(
            _("%(code)s was not changed: %(reason)s", code=proposal.code, reason=reason), "warning"
        )
    return redirect(url_for("review_staff.selection", slug=summit.slug))


@bp.get("/<slug>/staff/review/export.csv")
@staff_view
def export_reviews(summit):
    criteria = list_criteria(summit)
    header = [
        "proposal", "title", "reviewer", "abstained", "total", *[c.code for c in criteria],
        "flags", "comment_committee", "comment_presenters", "submitted_at",
    ]  # fmt: skip
    reviews = list_reviews(summit)
    rows = []
    for review in reviews:
        total = services.weighted_total(review, summit)
        rows.append(
            [
                review.proposal.code,
                review.proposal.title,
                review.reviewer.email,
                "yes" if review.is_abstained else "no",
                "" if total is None or review.is_abstained else f"{total:.1f}",
                *[review.scores.get(c.code, "") for c in criteria],
                " ".join(review.flags or []),
                review.comment_committee,
                review.comment_presenters,
                review.submitted_at.isoformat(),
            ]
        )
    audit.record(
        "review.export",
        actor=current_user,
        summit=summit,
        object_type="review",
        label=f"{len(reviews)} reviews",
    )
    db.session.commit()
    return csv_response(f"reviews-{summit.slug}.csv", header, rows)
