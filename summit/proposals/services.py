"""Call-for-proposals use cases. They take the actor explicitly, flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from summit.accounts.models import User
from summit.accounts.queries import normalise_email
from summit.core import audit
from summit.core.clock import now
from summit.core.errors import Conflict, DomainError, Forbidden
from summit.core.markdown import word_count
from summit.core.tokens import hash_secret, new_secret, random_code
from summit.extensions import db
from summit.proposals.enums import (
    AV_NEEDS_LABELS,
    CHOICE_KINDS,
    DEFAULT_FORMATS,
    EDITABLE_STATES,
    GRADE_BAND_LABELS,
    PRESENTER_TRANSITIONS,
    ROOM_SETUP_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    ConsentStatus,
    InviteStatus,
    ProposalState,
    QuestionKind,
    SessionLanguage,
)
from summit.proposals.models import (
    AccessCode,
    Answer,
    CallSettings,
    Presenter,
    Proposal,
    ProposalEvent,
    Question,
    SessionFormat,
)
from summit.proposals.queries import get_access_code, get_call_settings, list_formats
from summit.summits.models import Summit, Track

S = ProposalState
CONTENT_FIELDS = (
    "title",
    "abstract",
    "outcomes",
    "format_id",
    "track_id",
    "audience_roles",
    "grade_bands",
    "language",
    "av_needs",
    "accessibility_needs",
    "room_setup",
    "lead_role",
)


# --- the call ---------------------------------------------------------------


def ensure_call(summit: Summit) -> CallSettings:
    """The call's settings, created with default formats the first time."""
    settings = get_call_settings(summit)
    if settings is None:
        settings = CallSettings(summit=summit)
        db.session.add(settings)
        if not list_formats(summit):
            for position, (code, name_en, name_es, minutes) in enumerate(DEFAULT_FORMATS):
                db.session.add(
                    SessionFormat(
                        summit_id=summit.id,
                        code=code,
                        name_en=name_en,
                        name_es=name_es,
                        duration_minutes=minutes,
                        position=position,
                    )
                )
        db.session.flush()
    return settings


@dataclass(frozen=True)
class CallWindow:
    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None


def call_window(summit: Summit, fmt: SessionFormat | None = None, *, at=None) -> CallWindow:
    at = at or now()
    opens = summit.cfp_opens_at
    closes = (fmt.closes_at if fmt is not None and fmt.closes_at else None) or summit.cfp_closes_at
    is_open = opens is not None and closes is not None and opens <= at < closes
    return CallWindow(is_open, opens, closes)


CALL_SETTINGS_FIELDS = (
    "intro_en",
    "intro_es",
    "max_copresenters",
    "title_max_chars",
    "abstract_max_words",
    "outcomes_max_words",
)


def update_call_settings(summit: Summit, *, actor: User, **values) -> CallSettings:
    return audit.save_fields(
        ensure_call(summit),
        values,
        allowed=CALL_SETTINGS_FIELDS,
        action="call.update",
        actor=actor,
        summit=summit,
        object_type="call",
        ident=lambda _s: summit.slug,
        label=lambda _s: summit.name,
        created=False,
    )


FORMAT_FIELDS = (
    "name_en",
    "name_es",
    "description_en",
    "description_es",
    "duration_minutes",
    "seat_limit",
    "closes_at",
    "position",
    "is_active",
)


def save_format(
    summit: Summit,
    *,
    actor: User,
    fmt: SessionFormat | None = None,
    code: str | None = None,
    **values,
) -> SessionFormat:
    from summit.summits.services import new_code

    created = fmt is None
    if created:
        code = new_code(
            code,
            (f.code for f in list_formats(summit)),
            taken_message=_("Another format uses this code."),
            field_message=_("Already used."),
        )
        fmt = SessionFormat(summit_id=summit.id, code=code)
        db.session.add(fmt)
    return audit.save_fields(
        fmt,
        values,
        allowed=FORMAT_FIELDS,
        action="format.create" if created else "format.update",
        actor=actor,
        summit=summit,
        object_type="format",
        ident=lambda f: f.code,
        label=lambda f: f.name_en,
        created=created,
    )


QUESTION_FIELDS = (
    "kind",
    "prompt_en",
    "prompt_es",
    "help_en",
    "help_es",
    "options",
    "is_required",
    "format_id",
    "track_id",
    "position",
    "is_active",
)


def parse_options(text: str) -> list[dict]:
    """One option a line, "English | Español"; values are derived and stable."""
    options, seen = [], set()
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        en, _sep, es = line.partition("|")
        en, es = en.strip(), es.strip()
        value = "-".join(en.lower().split())[:40] or f"option-{len(options) + 1}"
        while value in seen:
            value = f"{value}-{len(options) + 1}"
        seen.add(value)
        options.append({"value": value, "en": en, "es": es or en})
    return options


def save_question(summit: Summit, *, actor: User, question: Question | None = None, **values):
    kind = QuestionKind(values.get("kind") or (question.kind if question else ""))
    if (
        kind in CHOICE_KINDS
        and len(values.get("options", question.options if question else [])) < 2
    ):
        raise DomainError(
            "options_needed",
            _("A choice question needs at least two options, one per line."),
            fields={"options": [_("Add at least two options.")]},
        )
    if kind not in CHOICE_KINDS:
        values["options"] = []
    created = question is None
    if created:
        question = Question(summit_id=summit.id, public_id=random_code(8))
        db.session.add(question)
    return audit.save_fields(
        question,
        values,
        allowed=QUESTION_FIELDS,
        action="question.create" if created else "question.update",
        actor=actor,
        summit=summit,
        object_type="question",
        ident=lambda q: q.public_id,
        label=lambda q: q.prompt_en,
        created=created,
    )


def create_access_code(
    summit: Summit,
    *,
    actor: User,
    note: str = "",
    expires_at: datetime | None = None,
    max_uses: int | None = None,
    format_id: int | None = None,
    track_id: int | None = None,
    code: str | None = None,
) -> AccessCode:
    code = (code or random_code(8)).strip().upper()
    if get_access_code(summit, code) is not None:
        raise Conflict("code_taken", _("That code already exists."), fields={"code": [""]})
    access = AccessCode(
        summit_id=summit.id,
        code=code,
        note=note,
        expires_at=expires_at,
        max_uses=max_uses,
        format_id=format_id,
        track_id=track_id,
    )
    db.session.add(access)
    db.session.flush()
    audit.record(
        "access_code.create",
        actor=actor,
        summit=summit,
        object_type="access_code",
        object_id=access.code,
        label=note,
        after={"expires_at": expires_at, "max_uses": max_uses},
    )
    return access


def check_access_code(access: AccessCode | None, proposal: Proposal, *, at: datetime) -> None:
    if access is None:
        raise DomainError(
            "code_unknown",
            _("That access code is not valid for this summit."),
            fields={"access_code": [_("Unknown code.")]},
        )
    if access.expires_at is not None and access.expires_at <= at:
        raise DomainError(
            "code_expired",
            _("That access code has expired. Ask the summit team for a new one."),
            fields={"access_code": [_("Expired.")]},
        )
    if access.max_uses is not None and access.uses >= access.max_uses:
        raise DomainError(
            "code_used_up",
            _("That access code has been used as many times as allowed."),
            fields={"access_code": [_("Used up.")]},
        )
    if access.format_id is not None and access.format_id != proposal.format_id:
        raise DomainError(
            "code_wrong_format",
            _("That access code is for another session format."),
            fields={"access_code": [_("Not for this format.")]},
        )
    if access.track_id is not None and access.track_id != proposal.track_id:
        raise DomainError(
            "code_wrong_track",
            _("That access code is for another track."),
            fields={"access_code": [_("Not for this track.")]},
        )


def _redeem_access_code(access: AccessCode) -> None:
    """Atomic conditional increment: two last uses at once cannot both succeed."""
    result = db.session.execute(
        update(AccessCode)
        .where(
            AccessCode.id == access.id,
            (AccessCode.max_uses.is_(None)) | (AccessCode.uses < AccessCode.max_uses),
        )
        .values(uses=AccessCode.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(
            "code_used_up",
            _("That access code has been used as many times as allowed."),
            fields={"access_code": [_("Used up.")]},
        )
    db.session.refresh(access)


# --- history and the one transition function --------------------------------


def _log(
    proposal: Proposal,
    action: str,
    *,
    actor,
    detail: str = "",
    from_state=None,
    to_state=None,
    at=None,
) -> None:
    db.session.add(
        ProposalEvent(
            proposal=proposal,
            actor_id=actor.id if actor is not None else None,
            action=action,
            from_state=from_state,
            to_state=to_state,
            detail=detail[:500],
            created_at=at or now(),
        )
    )


def change_state(
    proposal: Proposal,
    new_state: ProposalState | str,
    *,
    actor: User | None,
    as_staff: bool,
    note: str = "",
    at=None,
) -> Proposal:
    """The only place a proposal's state changes."""
    at = at or now()
    old = ProposalState(proposal.state)
    new = ProposalState(new_state)
    if new not in TRANSITIONS[old]:
        raise Conflict(
            "bad_transition",
            _(
                "A proposal that is “%(old)s” cannot become “%(new)s”.",
                old=STATE_LABELS[old],
                new=STATE_LABELS[new],
            ),
        )
    if not as_staff and (old, new) not in PRESENTER_TRANSITIONS:
        raise Forbidden("staff_only", _("Only the summit team can make that change."))
    if new is S.ACCEPTED:
        missing = [
            p.name
            for p in proposal.active_presenters
            if p.is_minor and p.consent_status != ConsentStatus.GRANTED
        ]
        if missing:
            raise DomainError(
                "consent_missing",
                _("A guardian has not yet given consent for: %(names)s.", names=", ".join(missing)),
            )
    proposal.state = new.value
    proposal.updated_at = at
    if new is S.SUBMITTED and proposal.submitted_at is None:
        proposal.submitted_at = at
    _log(
        proposal, "state", actor=actor, from_state=old.value, to_state=new.value, detail=note, at=at
    )
    if as_staff:
        audit.record(
            "proposal.state",
            actor=actor,
            summit=proposal.summit,
            object_type="proposal",
            object_id=proposal.code,
            label=proposal.title,
            before={"state": old.value},
            after={"state": new.value, "note": note},
            at=at,
        )
    db.session.flush()
    return proposal


# --- presenters' side --------------------------------------------------------


def _new_code() -> str:
    for _attempt in range(20):
        code = random_code(5, prefix="PRO")
        if db.session.scalar(select(Proposal.id).where(Proposal.code == code)) is None:
            return code
    raise RuntimeError("could not find a free proposal code")


def _lead_presenter(proposal: Proposal, user: User) -> Presenter:
    return Presenter(
        public_id=random_code(8),
        user=user,
        is_lead=True,
        name=user.name,
        email=user.email,
        role_type=proposal.lead_role or user.presenter_role,
        age_band=user.age_band,
        invite_status=InviteStatus.NONE.value,
        consent_status=(ConsentStatus.NEEDED if user.is_minor else ConsentStatus.NOT_NEEDED).value,
    )


def _clean_list(values, allowed) -> list[str]:
    return [v for v in dict.fromkeys(values or []) if v in allowed]


def _apply_content(proposal: Proposal, data: dict, settings: CallSettings) -> None:
    """Validate field sizes and set content; raises with field errors (text is kept by the form)."""
    from summit.accounts.enums import PresenterRole

    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if len(title) > settings.title_max_chars:
        errors["title"] = [
            _("Use at most %(n)d characters (now %(m)d).", n=settings.title_max_chars, m=len(title))
        ]
    for name, limit in (
        ("abstract", settings.abstract_max_words),
        ("outcomes", settings.outcomes_max_words),
    ):
        words = word_count(data.get(name))
        if words > limit:
            errors[name] = [_("Use at most %(n)d words (now %(m)d).", n=limit, m=words)]
    if len(data.get("accessibility_needs") or "") > 2000:
        errors["accessibility_needs"] = [_("Use at most %(n)d characters.", n=2000)]
    language = data.get("language") or SessionLanguage.ENGLISH.value
    if language not in {lang.value for lang in SessionLanguage}:
        errors["language"] = [_("Choose a language.")]
    lead_role = data.get("lead_role") or None
    if lead_role is not None and lead_role not in {r.value for r in PresenterRole}:
        errors["lead_role"] = [_("Choose one of the options.")]
    if errors:
        raise DomainError(
            "invalid_proposal", _("Please check the highlighted fields."), fields=errors
        )
    proposal.title = title
    proposal.abstract = (data.get("abstract") or "").strip()
    proposal.outcomes = (data.get("outcomes") or "").strip()
    proposal.language = language
    proposal.lead_role = lead_role
    proposal.audience_roles = _clean_list(
        data.get("audience_roles"), {r.value for r in PresenterRole}
    )
    proposal.grade_bands = _clean_list(data.get("grade_bands"), GRADE_BAND_LABELS)
    proposal.av_needs = _clean_list(data.get("av_needs"), AV_NEEDS_LABELS)
    proposal.accessibility_needs = (data.get("accessibility_needs") or "").strip()
    room = data.get("room_setup") or "any"
    proposal.room_setup = room if room in ROOM_SETUP_LABELS else "any"


def _apply_choices(proposal: Proposal, data: dict) -> None:
    summit = proposal.summit
    fmt = data.get("format")
    track = data.get("track")
    if fmt is not None and (fmt.summit_id != summit.id or not fmt.is_active):
        raise DomainError(
            "bad_format",
            _("Choose one of the formats."),
            fields={"format": [_("Choose one of the formats.")]},
        )
    if track is not None and (track.summit_id != summit.id or not track.is_active):
        raise DomainError(
            "bad_track",
            _("Choose one of the topics."),
            fields={"track": [_("Choose one of the topics.")]},
        )
    proposal.format_id = fmt.id if fmt is not None else None
    proposal.track_id = track.id if track is not None else None
    secondary = [t for t in data.get("secondary_tracks") or [] if t.summit_id == summit.id]
    proposal.secondary_tracks = [t for t in secondary if track is None or t.id != track.id][:3]
    if proposal.lead_role and proposal.presenters:
        for presenter in proposal.presenters:
            if presenter.is_lead:
                presenter.role_type = proposal.lead_role


def _apply_answers(proposal: Proposal, questions: list[Question], answers: dict) -> None:
    errors = {}
    by_question = {a.question_id: a for a in proposal.answers}
    for question in questions:
        if question.public_id not in answers:
            continue
        raw = answers[question.public_id]
        kind = QuestionKind(question.kind)
        allowed = {o["value"] for o in question.options or []}
        key = f"q_{question.public_id}"
        if kind is QuestionKind.MULTI_CHOICE:
            value = [v for v in (raw or []) if v in allowed]
            if len(value) != len(raw or []):
                errors[key] = [_("Choose from the options.")]
        elif kind is QuestionKind.SINGLE_CHOICE:
            value = raw or ""
            if value and value not in allowed:
                errors[key] = [_("Choose from the options.")]
        elif kind is QuestionKind.YES_NO:
            value = {"yes": True, "no": False}.get(raw) if isinstance(raw, str) else raw
        else:
            value = (raw or "").strip()
            limit = 300 if kind is QuestionKind.SHORT_TEXT else 5000
            if len(value) > limit:
                errors[key] = [_("Use at most %(n)d characters.", n=limit)]
        if key in errors:
            continue
        if question.id in by_question:
            by_question[question.id].value = {"v": value}
        else:
            proposal.answers.append(Answer(question_id=question.id, value={"v": value}))
    if errors:
        raise DomainError(
            "invalid_answers", _("Please check the highlighted fields."), fields=errors
        )


def create_proposal(
    summit: Summit, *, actor: User, data: dict, questions=(), answers=None, at=None
) -> Proposal:
    at = at or now()
    settings = ensure_call(summit)
    proposal = Proposal(summit=summit, code=_new_code(), owner=actor, created_at=at, updated_at=at)
    _apply_content(proposal, data, settings)
    db.session.add(proposal)
    proposal.presenters.append(_lead_presenter(proposal, actor))
    _apply_choices(proposal, data)
    _apply_answers(proposal, list(questions), answers or {})
    _log(proposal, "created", actor=actor, to_state=S.DRAFT.value, at=at)
    db.session.flush()
    return proposal


def update_proposal(
    proposal: Proposal, *, actor: User, data: dict, questions=(), answers=None, at=None
) -> Proposal:
    at = at or now()
    state = ProposalState(proposal.state)
    if state not in EDITABLE_STATES:
        raise Conflict("not_editable", _("This proposal can no longer be changed."))
    if state is S.SUBMITTED:
        window = call_window(proposal.summit, proposal.format, at=at)
        if not window.is_open and proposal.access_code is None:
            raise Conflict(
                "cfp_closed",
                _(
                    "The call for proposals has closed, so submitted proposals can no longer be "
                    "changed."
                ),
            )
    settings = ensure_call(proposal.summit)
    _apply_content(proposal, data, settings)
    _apply_choices(proposal, data)
    _apply_answers(proposal, list(questions), answers or {})
    proposal.updated_at = at
    _log(proposal, "edited", actor=actor, at=at)
    db.session.flush()
    return proposal


def missing_for_submit(proposal: Proposal, questions) -> dict[str, list[str]]:
    """What still has to be filled in before the proposal can be submitted."""
    missing: dict[str, list[str]] = {}
    required = _("Please fill this in before you submit.")
    for name in ("title", "abstract", "outcomes", "lead_role"):
        if not getattr(proposal, name):
            missing[name] = [required]
    if proposal.format_id is None:
        missing["format"] = [required]
    if proposal.track_id is None:
        missing["track"] = [required]
    for question in questions:
        if question.is_required and question.applies_to(proposal.format_id, proposal.track_id):
            value = proposal.answer_for(question.id)
            if value is None or value.get("v") in (None, "", []):
                missing[f"q_{question.public_id}"] = [required]
    return missing


def submit_proposal(
    proposal: Proposal, *, actor: User, questions=(), access_code: str = "", at=None
) -> Proposal:
    at = at or now()
    if proposal.state != S.DRAFT:
        raise Conflict("not_draft", _("Only a draft can be submitted."))
    missing = missing_for_submit(proposal, questions)
    if missing:
        raise DomainError(
            "incomplete",
            _("Your draft is saved. A few things are missing before you can submit it."),
            fields=missing,
        )
    window = call_window(proposal.summit, proposal.format, at=at)
    if not window.is_open:
        if not access_code:
            raise DomainError(
                "cfp_closed",
                _(
                    "The call for proposals is not open, so we kept your proposal as a draft. "
                    "If the summit team gave you an access code, enter it to submit."
                ),
                fields={"access_code": [_("Needed while the call is closed.")]},
            )
        access = get_access_code(proposal.summit, access_code)
        check_access_code(access, proposal, at=at)
        _redeem_access_code(access)
        proposal.access_code = access
    _check_copresenter_limit(proposal, adding=0)
    change_state(proposal, S.SUBMITTED, actor=actor, as_staff=False, at=at)
    for presenter in proposal.presenters:
        _refresh_consent(presenter)
    return proposal


def withdraw_proposal(proposal: Proposal, *, actor: User, note: str = "", at=None) -> Proposal:
    return change_state(proposal, S.WITHDRAWN, actor=actor, as_staff=False, note=note, at=at)


def reopen_proposal(proposal: Proposal, *, actor: User, at=None) -> Proposal:
    """A withdrawn (or submitted) proposal becomes a draft again, while the call is open."""
    if not call_window(proposal.summit, proposal.format, at=at).is_open:
        raise DomainError("cfp_closed", _("The call is closed, so it cannot be reopened."))
    return change_state(proposal, S.DRAFT, actor=actor, as_staff=False, at=at)


def _check_copresenter_limit(proposal: Proposal, *, adding: int) -> None:
    settings = ensure_call(proposal.summit)
    current = len([p for p in proposal.copresenters if p.invite_status != InviteStatus.DECLINED])
    if current + adding > settings.max_copresenters:
        raise DomainError(
            "too_many_copresenters",
            ngettext(
                "A proposal can have at most %(num)d co-presenter.",
                "A proposal can have at most %(num)d co-presenters.",
                settings.max_copresenters,
            ),
            fields={"email": [_("Limit reached.")]},
        )


def _check_team_editable(proposal: Proposal) -> None:
    if ProposalState(proposal.state) in {S.WITHDRAWN, S.REJECTED, S.DECLINED, S.CANCELLED}:
        raise Conflict("not_editable", _("This proposal can no longer be changed."))


@dataclass(frozen=True)
class Invitation:
    presenter: Presenter
    secret: str


def invite_copresenter(
    proposal: Proposal, *, actor: User, email: str, name: str = "", at=None
) -> Invitation:
    at = at or now()
    _check_team_editable(proposal)
    email = normalise_email(email)
    if email == normalise_email(actor.email) or email == normalise_email(proposal.owner.email):
        raise DomainError(
            "invite_self",
            _("You are already on this proposal. Invite someone else."),
            fields={"email": [_("That is your own email.")]},
        )
    for presenter in proposal.presenters:
        if (
            presenter.email
            and normalise_email(presenter.email) == email
            and (presenter.invite_status != InviteStatus.DECLINED)
        ):
            raise Conflict(
                "already_invited",
                _("%(email)s is already on this proposal.", email=email),
                fields={"email": [_("Already invited.")]},
            )
    _check_copresenter_limit(proposal, adding=1)
    secret = new_secret()
    presenter = Presenter(
        public_id=random_code(8),
        name=(name or "").strip()[:120] or email.split("@")[0],
        email=email,
        invite_status=InviteStatus.PENDING.value,
        invite_token_hash=hash_secret(secret),
        invited_at=at,
    )
    proposal.presenters.append(presenter)
    _log(proposal, "invited", actor=actor, detail=email, at=at)
    db.session.flush()
    return Invitation(presenter, secret)


def resend_invitation(presenter: Presenter, *, actor: User, at=None) -> Invitation:
    if presenter.invite_status != InviteStatus.PENDING:
        raise Conflict("not_pending", _("Only a pending invitation can be sent again."))
    secret = new_secret()
    presenter.invite_token_hash = hash_secret(secret)
    presenter.invited_at = at or now()
    _log(presenter.proposal, "invite_resent", actor=actor, detail=presenter.email or "", at=at)
    return Invitation(presenter, secret)


def remove_presenter(presenter: Presenter, *, actor: User, at=None) -> None:
    if presenter.is_lead:
        raise DomainError("cannot_remove_lead", _("The lead presenter cannot be removed."))
    proposal = presenter.proposal
    _check_team_editable(proposal)
    _log(proposal, "presenter_removed", actor=actor, detail=presenter.name, at=at)
    proposal.presenters.remove(presenter)
    db.session.flush()


def add_presenter_without_email(
    proposal: Proposal,
    *,
    actor: User,
    name: str,
    role_type: str | None,
    age_band: str | None,
    guardian_name: str,
    guardian_email: str,
    at=None,
) -> Presenter:
    """A presenter with no email of their own (often a student), reached through a guardian."""
    _check_team_editable(proposal)
    _check_copresenter_limit(proposal, adding=1)
    guardian_email = normalise_email(guardian_email)
    if not (name or "").strip() or not guardian_email or not (guardian_name or "").strip():
        raise DomainError(
            "guardian_needed",
            _("Give the presenter's name and a parent or guardian's name and email."),
        )
    presenter = Presenter(
        public_id=random_code(8),
        name=name.strip()[:120],
        role_type=role_type or None,
        age_band=age_band or None,
        guardian_name=guardian_name.strip()[:120],
        guardian_email=guardian_email,
        invite_status=InviteStatus.NONE.value,
    )
    proposal.presenters.append(presenter)
    _refresh_consent(presenter)
    _log(proposal, "presenter_added", actor=actor, detail=presenter.name, at=at)
    db.session.flush()
    return presenter


def set_guardian(
    presenter: Presenter, *, actor: User, guardian_name: str, guardian_email: str, at=None
) -> Presenter:
    guardian_email = normalise_email(guardian_email)
    if not guardian_email or not (guardian_name or "").strip():
        raise DomainError("guardian_needed", _("Give the guardian's name and email."))
    changed = guardian_email != (presenter.guardian_email or "")
    presenter.guardian_name = guardian_name.strip()[:120]
    presenter.guardian_email = guardian_email
    if changed and presenter.consent_status in {ConsentStatus.REQUESTED, ConsentStatus.REFUSED}:
        presenter.consent_status = ConsentStatus.NEEDED.value
        presenter.consent_requested_at = None
    _refresh_consent(presenter)
    _log(presenter.proposal, "guardian_set", actor=actor, detail=presenter.name, at=at)
    return presenter


def _refresh_consent(presenter: Presenter) -> None:
    """Keep the consent status in line with age band and proposal state."""
    if not presenter.is_minor:
        if presenter.consent_status in {ConsentStatus.NEEDED, ConsentStatus.NOT_NEEDED}:
            presenter.consent_status = ConsentStatus.NOT_NEEDED.value
        return
    if presenter.consent_status in {
        ConsentStatus.GRANTED,
        ConsentStatus.REFUSED,
        ConsentStatus.REQUESTED,
    }:
        return
    presenter.consent_status = ConsentStatus.NEEDED.value


def consent_requests_due(proposal: Proposal) -> list[Presenter]:
    """Minors with a guardian contact whose consent has not been asked for yet."""
    if proposal.state == S.DRAFT:
        return []
    return [
        p
        for p in proposal.active_presenters
        if p.is_minor and p.guardian_email and p.consent_status == ConsentStatus.NEEDED
    ]


def issue_consent_request(presenter: Presenter, *, at=None) -> str:
    secret = new_secret()
    presenter.consent_token_hash = hash_secret(secret)
    presenter.consent_requested_at = at or now()
    presenter.consent_status = ConsentStatus.REQUESTED.value
    return secret


def record_consent(
    presenter: Presenter, *, granted: bool, media_release: bool, signed_name: str, at=None
) -> Presenter:
    if presenter.consent_status not in {ConsentStatus.REQUESTED}:
        raise Conflict("consent_closed", _("This consent request has already been answered."))
    if not (signed_name or "").strip():
        raise DomainError(
            "name_required",
            _("Please type your name to sign."),
            fields={"signed_name": [_("Required.")]},
        )
    at = at or now()
    presenter.consent_status = (ConsentStatus.GRANTED if granted else ConsentStatus.REFUSED).value
    presenter.media_release = bool(media_release) if granted else False
    presenter.consent_signed_name = signed_name.strip()[:120]
    presenter.consent_at = at
    presenter.consent_token_hash = None
    _log(
        presenter.proposal,
        "consent_" + ("granted" if granted else "refused"),
        actor=None,
        detail=presenter.name,
        at=at,
    )
    return presenter


def accept_invitation(presenter: Presenter, *, user: User, at=None) -> Presenter:
    at = at or now()
    proposal = presenter.proposal
    if presenter.invite_status == InviteStatus.ACCEPTED:
        if presenter.user_id == user.id:
            return presenter
        raise Forbidden(
            "invite_used",
            _("This invitation has already been accepted by another account."),
        )
    if presenter.invite_status != InviteStatus.PENDING:
        raise Conflict("invite_closed", _("This invitation is no longer open."))
    if any(p.user_id == user.id for p in proposal.presenters):
        raise Conflict("already_presenter", _("You are already a presenter on this proposal."))
    _check_team_editable(proposal)
    presenter.user = user
    presenter.name = user.name
    presenter.role_type = user.presenter_role
    presenter.age_band = user.age_band
    presenter.invite_status = InviteStatus.ACCEPTED.value
    presenter.responded_at = at
    _refresh_consent(presenter)
    _log(proposal, "invite_accepted", actor=user, detail=user.email, at=at)
    db.session.flush()
    return presenter


def decline_invitation(presenter: Presenter, *, user: User | None, at=None) -> Presenter:
    if presenter.invite_status != InviteStatus.PENDING:
        raise Conflict("invite_closed", _("This invitation is no longer open."))
    presenter.invite_status = InviteStatus.DECLINED.value
    presenter.responded_at = at or now()
    presenter.invite_token_hash = None
    _log(presenter.proposal, "invite_declined", actor=user, detail=presenter.email or "", at=at)
    return presenter


# --- staff ------------------------------------------------------------------


def mark_duplicate(
    proposal: Proposal, *, of: Proposal, actor: User, merge: bool = False, at=None
) -> Proposal:
    if of.id == proposal.id or of.summit_id != proposal.summit_id:
        raise DomainError("bad_duplicate", _("Choose another proposal from this summit."))
    if of.duplicate_of_id == proposal.id:
        raise DomainError(
            "bad_duplicate", _("That proposal is already marked as a duplicate of this one.")
        )
    proposal.duplicate_of = of
    _log(proposal, "marked_duplicate", actor=actor, detail=of.code, at=at)
    if merge:
        # Only real emails and accounts count: a blank email or a missing account must not
        # match another presenter's blank, or people without either would be dropped.
        known_emails = {p.email.lower() for p in of.presenters if p.email}
        known_users = {p.user_id for p in of.presenters if p.user_id is not None}
        for presenter in list(proposal.presenters):
            if (presenter.email and presenter.email.lower() in known_emails) or (
                presenter.user_id is not None and presenter.user_id in known_users
            ):
                continue
            of.presenters.append(
                Presenter(
                    public_id=random_code(8),
                    user_id=presenter.user_id,
                    name=presenter.name,
                    email=presenter.email,
                    role_type=presenter.role_type,
                    age_band=presenter.age_band,
                    guardian_name=presenter.guardian_name,
                    guardian_email=presenter.guardian_email,
                    invite_status=(
                        InviteStatus.ACCEPTED.value
                        if presenter.user_id
                        else presenter.invite_status
                        if presenter.invite_status != InviteStatus.PENDING
                        else InviteStatus.NONE.value
                    ),
                    consent_status=presenter.consent_status,
                    consent_at=presenter.consent_at,
                    media_release=presenter.media_release,
                )
            )
        _log(of, "merged_from", actor=actor, detail=proposal.code, at=at)
        if S.WITHDRAWN in TRANSITIONS[ProposalState(proposal.state)]:
            change_state(
                proposal,
                S.WITHDRAWN,
                actor=actor,
                as_staff=True,
                note=f"merged into {of.code}",
                at=at,
            )
    audit.record(
        "proposal.duplicate",
        actor=actor,
        summit=proposal.summit,
        object_type="proposal",
        object_id=proposal.code,
        label=proposal.title,
        after={"duplicate_of": of.code, "merged": merge},
        at=at,
    )
    db.session.flush()
    return proposal


def drafts_to_remind(summit: Summit, *, at=None, window_hours: int = 48) -> list[Proposal]:
    from datetime import timedelta

    at = at or now()
    closes = summit.cfp_closes_at
    if closes is None or not (at < closes <= at + timedelta(hours=window_hours)):
        return []
    return list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.summit_id == summit.id,
                Proposal.state == S.DRAFT.value,
                Proposal.draft_reminded_at.is_(None),
            )
        )
    )


def track_by_id(summit: Summit, track_id) -> Track | None:
    return next((t for t in summit.tracks if t.id == track_id), None)
