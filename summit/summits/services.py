"""Summit use cases: create, configure, roles, tracks. Every staff change is audited."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from summit.accounts.models import User
from summit.core import audit
from summit.core.errors import Conflict, DomainError, NotFound
from summit.extensions import db
from summit.summits.enums import Role, TrackKind
from summit.summits.models import Summit, SummitRole, Track
from summit.summits.queries import get_summit_by_slug
from summit.summits.taxonomy import FRAMEWORK_TRACKS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
SETTINGS_FIELDS = (
    "name",
    "name_es",
    "venue",
    "timezone",
    "starts_on",
    "ends_on",
    "cfp_opens_at",
    "cfp_closes_at",
    "review_deadline_at",
    "registration_opens_at",
    "registration_closes_at",
)
TRACK_FIELDS = (
    "name_en",
    "name_es",
    "description_en",
    "description_es",
    "colour",
    "position",
    "is_active",
)
RESERVED_SLUGS = {"api", "static", "account", "accounts", "admin", "healthz", "lang", "summits"}


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            "bad_timezone",
            _("%(tz)s is not a time zone we know.", tz=name),
            fields={"timezone": [_("Unknown time zone.")]},
        )
    if name not in available_timezones():
        raise DomainError("bad_timezone", _("%(tz)s is not a time zone we know.", tz=name))
    return name


def _check_settings(values: dict) -> None:
    errors: dict[str, list[str]] = {}

    def order(first: str, second: str, message: str) -> None:
        a, b = values.get(first), values.get(second)
        if a is not None and b is not None and b <= a:
            errors.setdefault(second, []).append(message)

    starts, ends = values.get("starts_on"), values.get("ends_on")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors.setdefault("ends_on", []).append(_("The last day must not be before the first."))
    order("cfp_opens_at", "cfp_closes_at", _("The call must close after it opens."))
    order(
        "registration_opens_at",
        "registration_closes_at",
        _("Registration must close after it opens."),
    )
    if errors:
        raise DomainError("invalid_dates", _("Some dates are out of order."), fields=errors)


def create_summit(
    *,
    slug: str,
    name: str,
    starts_on: date,
    ends_on: date,
    actor: User | None,
    venue: str = "",
    timezone: str = "America/Los_Angeles",
    seed_tracks: bool = True,
    make_current: bool = False,
    **phases: datetime | str | None,
) -> Summit:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise DomainError(
            "bad_slug",
            _("Use 2–40 lowercase letters, digits or hyphens for the web address."),
            fields={"slug": [_("Not a valid web address part.")]},
        )
    if get_summit_by_slug(slug) is not None:
        raise Conflict(
            "slug_taken",
            _("Another summit already uses this web address."),
            fields={"slug": [_("Already used.")]},
        )
    values = {"starts_on": starts_on, "ends_on": ends_on, **phases}
    _check_settings(values)
    summit = Summit(
        slug=slug,
        name=name.strip(),
        venue=venue,
        timezone=check_timezone(timezone),
        **values,
    )
    db.session.add(summit)
    db.session.flush()
    if seed_tracks:
        seed_framework_tracks(summit)
    if make_current:
        set_current_summit(summit, actor=actor)
    audit.record(
        "summit.create",
        actor=actor,
        summit=summit,
        object_type="summit",
        object_id=summit.slug,
        label=summit.name,
        after=audit.snapshot(summit, ("slug", *SETTINGS_FIELDS)),
    )
    return summit


def seed_framework_tracks(summit: Summit) -> list[Track]:
    existing = {t.code for t in summit.tracks}
    added = []
    for position, (code, kind, name_en, name_es, colour) in enumerate(FRAMEWORK_TRACKS):
        if code in existing:
            continue
        track = Track(
            code=code,
            kind=kind.value,
            name_en=name_en,
            name_es=name_es,
            colour=colour,
            position=position,
        )
        summit.tracks.append(track)
        added.append(track)
    db.session.flush()
    return added


def update_summit(summit: Summit, *, actor: User, **changes) -> Summit:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a setting: {', '.join(sorted(unknown))}")
    if "timezone" in changes:
        check_timezone(changes["timezone"])
    before = audit.snapshot(summit, SETTINGS_FIELDS)
    merged = {name: getattr(summit, name) for name in SETTINGS_FIELDS} | changes
    _check_settings(merged)
    for name, value in changes.items():
        setattr(summit, name, value)
    after = audit.snapshot(summit, SETTINGS_FIELDS)
    if before != after:
        audit.record(
            "summit.update",
            actor=actor,
            summit=summit,
            object_type="summit",
            object_id=summit.slug,
            label=summit.name,
            before=before,
            after=after,
        )
    return summit


def set_current_summit(summit: Summit, *, actor: User | None) -> None:
    db.session.execute(update(Summit).where(Summit.id != summit.id).values(is_current=False))
    summit.is_current = True
    audit.record(
        "summit.make_current",
        actor=actor,
        summit=summit,
        object_type="summit",
        object_id=summit.slug,
        label=summit.name,
    )


def grant_role(
    summit: Summit,
    user: User,
    role: Role | str,
    *,
    actor: User | None,
    region: str | None = None,
) -> SummitRole:
    """Give ``user`` a role here. A region lead's grant names one of the summit's regions
    (from *Staff → Regions*); other roles have none."""
    from summit.summits.queries import list_regions

    role = Role(role)
    region = " ".join((region or "").split()) or None
    if role != Role.REGION_LEAD:
        region = None
    elif region is None:
        message = _("Choose the region this person leads.")
        raise DomainError("region_required", message, fields={"region": [message]})
    elif region not in list_regions(summit):
        message = _("Choose one of the regions on the Regions page.")
        raise DomainError("unknown_region", message, fields={"region": [message]})
    existing = db.session.scalar(
        select(SummitRole).where(
            SummitRole.summit_id == summit.id,
            SummitRole.user_id == user.id,
            SummitRole.role == role.value,
        )
    )
    if existing is not None:
        raise Conflict(
            "role_exists",
            _("%(name)s already has this role.", name=user.name),
        )
    grant = SummitRole(
        summit=summit,
        user=user,
        role=role.value,
        region=region,
        granted_by_id=actor.id if actor is not None else None,
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "role.grant",
        actor=actor,
        summit=summit,
        object_type="user",
        object_id=user.id,
        label=user.email,
        after={"role": role.value, **({"region": region} if region else {})},
    )
    return grant


def revoke_role(summit: Summit, grant_id: int, *, actor: User) -> None:
    grant = db.session.get(SummitRole, grant_id)
    if grant is None or grant.summit_id != summit.id:
        raise NotFound("role_not_found", _("That role is not granted here."))
    if grant.user_id == actor.id and grant.role == Role.STAFF and not actor.is_admin:
        raise DomainError(
            "cannot_remove_self",
            _("You cannot remove your own staff role. Ask another staff member."),
        )
    audit.record(
        "role.revoke",
        actor=actor,
        summit=summit,
        object_type="user",
        object_id=grant.user_id,
        label=grant.user.email,
        before={"role": grant.role, **({"region": grant.region} if grant.region else {})},
    )
    db.session.delete(grant)
    db.session.flush()


def _check_track(values: dict) -> None:
    errors = {}
    colour = values.get("colour")
    if colour is not None and not COLOUR_RE.match(colour):
        errors["colour"] = [_("Use a colour like #1F5F8B.")]
    for key in ("name_en", "name_es"):
        if key in values and not (values[key] or "").strip():
            errors[key] = [_("Required.")]
    if errors:
        raise DomainError("invalid_track", _("Please correct the track details."), fields=errors)


def new_code(code: str | None, existing, *, taken_message: str, field_message=None) -> str:
    """A new short code (tracks, formats, criteria): well-formed and not yet used."""
    code = (code or "").strip().lower()
    if not SLUG_RE.match(code):
        raise DomainError(
            "bad_code",
            _("Use 2–40 lowercase letters, digits or hyphens for the code."),
            fields={"code": [_("Not a valid code.")]},
        )
    if code in set(existing):
        raise Conflict(
            "code_taken", taken_message, fields={"code": [field_message or taken_message]}
        )
    return code


def create_track(summit: Summit, *, actor: User, code: str, kind: str, **values) -> Track:
    code = new_code(
        code, (t.code for t in summit.tracks), taken_message=_("Another track uses this code.")
    )
    _check_track(values)
    track = Track(summit=summit, code=code, kind=TrackKind(kind).value, **values)
    db.session.add(track)
    db.session.flush()
    audit.record(
        "track.create",
        actor=actor,
        summit=summit,
        object_type="track",
        object_id=track.code,
        label=track.name_en,
        after=audit.snapshot(track, TRACK_FIELDS),
    )
    return track


def update_track(track: Track, *, actor: User, **changes) -> Track:
    unknown = set(changes) - set(TRACK_FIELDS)
    if unknown:
        raise ValueError(f"not a track field: {', '.join(sorted(unknown))}")
    _check_track(changes)
    before = audit.snapshot(track, TRACK_FIELDS)
    for name, value in changes.items():
        setattr(track, name, value)
    after = audit.snapshot(track, TRACK_FIELDS)
    if before != after:
        audit.record(
            "track.update",
            actor=actor,
            summit=track.summit,
            object_type="track",
            object_id=track.code,
            label=track.name_en,
            before=before,
            after=after,
        )
    return track


def find_summit(slug: str) -> Summit:
    summit = get_summit_by_slug(slug)
    if summit is None:
        raise NotFound("summit_not_found", _("There is no summit at this address."))
    return summit


def set_regions(summit: Summit, mapping: dict[str, str], *, actor: User | None) -> dict:
    """Replace the county → region mapping; empty regions mean "not assigned"."""
    from summit.accounts.enums import CALIFORNIA_COUNTIES
    from summit.summits.models import CountyRegion
    from summit.summits.queries import regions_by_county

    unknown = set(mapping) - set(CALIFORNIA_COUNTIES)
    if unknown:
        raise DomainError("bad_county", _("Choose a California county."))
    clean = {c: " ".join((r or "").split())[:80] for c, r in mapping.items()}
    before = regions_by_county(summit)
    db.session.execute(delete(CountyRegion).where(CountyRegion.summit_id == summit.id))
    for county, region in sorted(clean.items()):
        if region:
            db.session.add(CountyRegion(summit_id=summit.id, county=county, region=region))
    db.session.flush()
    after = {c: r for c, r in clean.items() if r}
    if before != after:
        audit.record(
            "regions.update",
            actor=actor,
            summit=summit,
            object_type="regions",
            object_id=summit.slug,
            before=before,
            after=after,
        )
    return after
