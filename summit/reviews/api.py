from flask_babel import gettext as _
from flask_smorest import Blueprint

from summit.accounts.queries import get_user_by_email
from summit.core.api import API_SECURITY, WRITE_ERRORS, documents_errors, paginate, require_login
from summit.core.errors import DomainError, Forbidden, NotFound
from summit.extensions import db
from summit.proposals.queries import get_proposal
from summit.reviews import services
from summit.reviews.policies import can_review_in
from summit.reviews.queries import (
    assignments_query,
    list_scored_proposals,
    pending_decisions,
    reviewer_queue,
    reviewer_texts,
    reviews_query,
)
from summit.reviews.schemas import (
    AssignmentListSchema,
    MyReviewSchema,
    ProposalScoreListSchema,
    QueueSchema,
    ReviewInputSchema,
    ReviewQuerySchema,
    ScoreQuerySchema,
    StaffReviewListSchema,
)
from summit.summits.policies import can_manage_summit
from summit.summits.queries import get_track
from summit.summits.services import find_summit

blp = Blueprint("reviews_api", __name__, description="Reviewing (blind) and, for staff, reviews")

# The reviewer's own endpoints and the staff's ones answer these besides 200.
REVIEWER_ERRORS = (401, 403, 404)
STAFF_ERRORS = (401, 403, 404)


def _blind(proposal, text: dict) -> dict:
    return {
        "code": proposal.code,
        **text,
        "format": proposal.format.code if proposal.format else None,
        "track": proposal.track.code if proposal.track else None,
        "language": proposal.language,
        "lead_role": proposal.lead_role,
    }


def _reviewer_summit(slug: str):
    user = require_login()
    summit = find_summit(slug)
    if not can_review_in(user, summit):
        raise Forbidden("not_reviewer", _("You are not a reviewer of this summit."))
    return user, summit


def _staff_summit(slug: str):
    user = require_login()
    summit = find_summit(slug)
    if not can_manage_summit(user, summit):
        raise Forbidden("not_staff", _("Only staff of this summit can see reviews."))
    return user, summit


def _proposal_or_404(summit, code: str):
    proposal = get_proposal(summit, code)
    if proposal is None:
        raise NotFound("proposal_not_found", _("There is no proposal with that code."))
    return proposal


def _narrowing(summit, args: dict) -> dict:
    """The proposal and reviewer a list is narrowed to; unknown ones are a 422."""
    errors, narrowed = {}, {}
    if args["proposal"]:
        narrowed["proposal"] = get_proposal(summit, args["proposal"])
        if narrowed["proposal"] is None:
            errors["proposal"] = [_("There is no proposal with that code.")]
    if args["reviewer"]:
        narrowed["reviewer"] = get_user_by_email(args["reviewer"])
        if narrowed["reviewer"] is None:
            errors["reviewer"] = [_("There is no reviewer with that email.")]
    if errors:
        raise DomainError(
            "invalid", _("Some of what you sent is not valid."), fields=errors, status=422
        )
    return narrowed


def _page(args: dict) -> dict:
    return {"limit": args["limit"], "cursor": args["cursor"]}


@blp.route("/summits/<slug>/review/queue", methods=["GET"])
@blp.response(200, QueueSchema)
@documents_errors(blp, *REVIEWER_ERRORS)
@blp.doc(security=API_SECURITY)
def queue(slug: str):
    """Your assigned proposals (blind), unreviewed first, with your own reviews."""
    user, summit = _reviewer_summit(slug)
    settings = services.ensure_review_setup(summit)
    queued = reviewer_queue(summit, user)
    texts = reviewer_texts([p for p, _review in queued], is_blind=settings.is_blind)
    items = [{"proposal": _blind(p, texts[p.id]), "review": review} for p, review in queued]
    return {"items": items, "next": None}


@blp.route("/summits/<slug>/review/<code>", methods=["PUT"])
@blp.arguments(ReviewInputSchema)
@blp.response(200, MyReviewSchema)
@documents_errors(blp, *REVIEWER_ERRORS, 409, *WRITE_ERRORS)
@blp.doc(security=API_SECURITY)
def put_review(body: dict, slug: str, code: str):
    """Write or replace your review of an assigned proposal."""
    user, summit = _reviewer_summit(slug)
    proposal = _proposal_or_404(summit, code)
    try:
        review = services.submit_review(
            proposal,
            reviewer=user,
            scores=body["scores"],
            flags=body["flags"],
            comment_committee=body["comment_committee"],
            comment_presenters=body["comment_presenters"],
            abstain=body["abstain"],
        )
    except DomainError as error:
        if error.code in {"conflicted", "not_assigned", "not_in_review"}:
            # Never confirm that a proposal the reviewer may not see exists.
            raise NotFound("proposal_not_found", _("There is no proposal with that code."))
        raise
    db.session.commit()
    return review


# --- staff ------------------------------------------------------------------------


@blp.route("/summits/<slug>/reviews", methods=["GET"])
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, StaffReviewListSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def list_reviews(args: dict, slug: str):
    """Staff: every review of the summit with its reviewer, oldest first."""
    _user, summit = _staff_summit(slug)
    return paginate(reviews_query(summit, **_narrowing(summit, args)), _page(args))


@blp.route("/summits/<slug>/proposals/<code>/reviews", methods=["GET"])
@blp.arguments(ReviewQuerySchema(only=("limit", "cursor")), location="query")
@blp.response(200, StaffReviewListSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def list_proposal_reviews(args: dict, slug: str, code: str):
    """Staff: the reviews of one proposal."""
    _user, summit = _staff_summit(slug)
    proposal = _proposal_or_404(summit, code)
    return paginate(reviews_query(summit, proposal=proposal), _page(args))


@blp.route("/summits/<slug>/reviews/assignments", methods=["GET"])
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, AssignmentListSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def list_assignments(args: dict, slug: str):
    """Staff: who is assigned to review what."""
    _user, summit = _staff_summit(slug)
    return paginate(assignments_query(summit, **_narrowing(summit, args)), _page(args))


@blp.route("/summits/<slug>/reviews/scores", methods=["GET"])
@blp.arguments(ScoreQuerySchema, location="query")
@blp.response(200, ProposalScoreListSchema)
@documents_errors(blp, *STAFF_ERRORS)
@blp.doc(security=API_SECURITY)
def list_scores(args: dict, slug: str):
    """Staff: proposals under review or decided, best normalised score first, with the
    aggregate of their reviews and any decision not yet sent."""
    _user, summit = _staff_summit(slug)
    track = None
    if args["track"]:
        track = get_track(summit, args["track"])
        if track is None:
            raise DomainError(
                "invalid",
                _("Some of what you sent is not valid."),
                fields={"track": [_("Unknown topic.")]},
                status=422,
            )
    scores, _stats = services.score_summit(summit)
    pending = pending_decisions(summit)
    rows = []
    for proposal in list_scored_proposals(summit, track.id if track else None):
        score = scores.get(proposal.id)
        rows.append(
            {
                "proposal": proposal,
                "count": score.count if score else 0,
                "mean": score.mean if score else None,
                "median": score.median if score else None,
                "spread": score.spread if score else None,
                "normalised": score.normalised if score else None,
                "disagreement": bool(score and score.disagreement),
                "pending_decision": pending.get(proposal.id),
            }
        )
    rows.sort(key=lambda r: (r["normalised"] is None, -(r["normalised"] or 0), r["proposal"].id))
    return paginate(rows, _page(args))
