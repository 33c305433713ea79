from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from summit.accounts.services import create_user
from summit.core.audit import AuditEntry
from summit.core.errors import Conflict, DomainError, NotFound
from summit.extensions import db
from summit.summits import services
from summit.summits.enums import Role, TrackKind
from summit.summits.models import Summit, SummitRole
from summit.summits.queries import get_current_summit, list_tracks, roles_of
from tests.conftest import PASSWORD

FIRST_DAY, LAST_DAY = date(2027, 9, 23), date(2027, 9, 24)


def _summit(slug="2027", **values):
    values.setdefault("name", "Community Schools Summit 2027")
    values.setdefault("starts_on", FIRST_DAY)
    values.setdefault("ends_on", LAST_DAY)
    return services.create_summit(slug=slug, actor=None, **values)


def _person(email="staff@example.org", **values):
    return create_user(email=email, password=PASSWORD, name=email.split("@")[0], **values)


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- create_summit ---------------------------------------------------------------


def test_create_summit_valid_values_store_summit_and_audit_it(ctx):
    actor = _person()

    summit = services.create_summit(
        slug=" 2027 ",
        name=" Community Schools Summit 2027 ",
        starts_on=FIRST_DAY,
        ends_on=LAST_DAY,
        venue="Sacramento",
        actor=actor,
    )

    assert (summit.slug, summit.name, summit.timezone) == (
        "2027",
        "Community Schools Summit 2027",
        "America/Los_Angeles",
    )
    assert summit.days == 2
    [entry] = _audit("summit.create")
    assert entry.actor_id == actor.id
    assert entry.after["slug"] == "2027"
    assert entry.after["starts_on"] == "2027-09-23"


@pytest.mark.parametrize(
    "slug", ["a", "-2027", "has space", "2027/x", "x" * 41, "über", "", "2027_a", "a.b"]
)
def test_create_summit_bad_slug_raises_bad_slug(ctx, slug):
    with pytest.raises(DomainError) as caught:
        _summit(slug)

    assert caught.value.code == "bad_slug"
    assert "slug" in caught.value.fields
    assert db.session.scalar(select(Summit)) is None


@pytest.mark.parametrize("slug", [*sorted(services.RESERVED_SLUGS), "API", "Admin"])
def test_create_summit_reserved_slug_raises_bad_slug(ctx, slug):
    with pytest.raises(DomainError) as caught:
        _summit(slug)

    assert caught.value.code == "bad_slug"


@pytest.mark.parametrize("again", ["2027", " 2027 "])
def test_create_summit_duplicate_slug_raises_slug_taken(ctx, again):
    _summit("2027")

    with pytest.raises(Conflict) as caught:
        _summit(again, name="Another")

    assert caught.value.code == "slug_taken"
    assert len(list(db.session.scalars(select(Summit)))) == 1


def test_create_summit_last_day_before_first_raises_invalid_dates(ctx):
    with pytest.raises(DomainError) as caught:
        _summit(starts_on=LAST_DAY, ends_on=FIRST_DAY)

    assert caught.value.code == "invalid_dates"
    assert list(caught.value.fields) == ["ends_on"]


def test_create_summit_one_day_summit_is_allowed(ctx):
    summit = _summit(starts_on=FIRST_DAY, ends_on=FIRST_DAY)

    assert summit.days == 1


@pytest.mark.parametrize(
    ("opens", "closes", "field"),
    [
        ("cfp_opens_at", "cfp_closes_at", "cfp_closes_at"),
        ("registration_opens_at", "registration_closes_at", "registration_closes_at"),
    ],
)
def test_create_summit_phase_closing_before_opening_raises_invalid_dates(ctx, opens, closes, field):
    later = datetime(2027, 3, 1, tzinfo=UTC)
    earlier = datetime(2027, 2, 1, tzinfo=UTC)

    with pytest.raises(DomainError) as caught:
        _summit(**{opens: later, closes: earlier})

    assert caught.value.code == "invalid_dates"
    assert field in caught.value.fields


@pytest.mark.parametrize(
    "timezone",
    ["Mars/Olympus", "", "../../etc/passwd", "America/Los_Angeles ", "/etc/localtime", "PST"],
)
def test_create_summit_bad_timezone_raises_bad_timezone(ctx, timezone):
    with pytest.raises(DomainError) as caught:
        _summit(timezone=timezone)

    assert caught.value.code == "bad_timezone"
    assert db.session.scalar(select(Summit)) is None


def test_create_summit_seeds_the_21_framework_tracks_in_english_and_spanish(ctx):
    summit = _summit()

    tracks = list_tracks(summit)

    assert len(tracks) == 21
    assert len({t.code for t in tracks}) == 21
    assert all(t.name_en and t.name_es and t.name_en != t.name_es for t in tracks)
    kinds = [t.kind for t in tracks]
    assert [kinds.count(k.value) for k in TrackKind] == [4, 4, 5, 8]
    assert [t.position for t in tracks] == list(range(21))


def test_create_summit_tracks_name_the_framework_pillars_and_commitments(ctx):
    summit = _summit()

    names = {t.kind: [] for t in summit.tracks}
    for track in list_tracks(summit):
        names[track.kind].append(track.name_en)

    assert names["pillar"] == [
        "Integrated student supports",
        "Family and community engagement",
        "Collaborative leadership and practices for educators and administrators",
        "Extended learning time and opportunities",
    ]
    assert names["commitment"] == [
        "Asset-driven and strength-based practice",
        "Racially just and restorative school climates",
        "Powerful, culturally proficient and relevant instruction",
        "Shared decision-making and participatory practices",
    ]
    assert names["strategy"] == [
        "Shared commitment, understanding and priorities",
        "Centering community-based learning",
        "Collaborative leadership",
        "Sustaining staff and resources",
        "Strategic community partnerships",
    ]


def test_create_summit_without_seeding_has_no_tracks(ctx):
    summit = _summit(seed_tracks=False)

    assert list_tracks(summit) == []


def test_seed_framework_tracks_twice_adds_nothing_the_second_time(ctx):
    summit = _summit()

    added = services.seed_framework_tracks(summit)

    assert added == []
    assert len(list_tracks(summit)) == 21


# --- current summit ----------------------------------------------------------------


def test_set_current_summit_moves_the_flag(ctx):
    old = _summit("2026", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2), make_current=True)
    new = _summit("2027")

    services.set_current_summit(new, actor=None)
    db.session.flush()

    db.session.refresh(old)
    assert (old.is_current, new.is_current) == (False, True)
    assert get_current_summit() is new
    assert _audit("summit.make_current")[-1].object_id == "2027"


def test_get_current_summit_without_flag_is_the_latest(ctx):
    _summit("2026", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2))
    _summit("2027")

    assert get_current_summit().slug == "2027"


# --- update_summit --------------------------------------------------------------------


def test_update_summit_change_is_audited_with_before_and_after(ctx):
    actor = _person()
    summit = _summit(venue="Old hall")

    services.update_summit(summit, actor=actor, venue="New hall", ends_on=date(2027, 9, 25))

    [entry] = _audit("summit.update")
    assert entry.actor_id == actor.id
    assert entry.summit_id == summit.id
    assert (entry.before["venue"], entry.after["venue"]) == ("Old hall", "New hall")
    assert (entry.before["ends_on"], entry.after["ends_on"]) == ("2027-09-24", "2027-09-25")
    assert entry.changes == [
        ("ends_on", "2027-09-24", "2027-09-25"),
        ("venue", "Old hall", "New hall"),
    ]


def test_update_summit_same_values_writes_no_audit_entry(ctx):
    summit = _summit(venue="Hall")

    services.update_summit(summit, actor=_person(), venue="Hall")

    assert _audit("summit.update") == []


def test_update_summit_dates_out_of_order_raises_and_changes_nothing(ctx):
    summit = _summit()

    with pytest.raises(DomainError) as caught:
        services.update_summit(summit, actor=_person(), ends_on=date(2027, 9, 1))

    assert caught.value.code == "invalid_dates"
    assert summit.ends_on == LAST_DAY


def test_update_summit_bad_timezone_raises_bad_timezone(ctx):
    summit = _summit()

    with pytest.raises(DomainError) as caught:
        services.update_summit(summit, actor=_person(), timezone="Nowhere/Special")

    assert caught.value.code == "bad_timezone"
    assert summit.timezone == "America/Los_Angeles"


def test_update_summit_unknown_setting_raises_value_error(ctx):
    summit = _summit()

    with pytest.raises(ValueError, match="slug"):
        services.update_summit(summit, actor=_person(), slug="2099")


# --- roles ---------------------------------------------------------------------------


def test_grant_role_gives_role_and_audits_it(ctx):
    summit, actor, person = _summit(), _person(), _person("rev@example.org")

    grant = services.grant_role(summit, person, "reviewer", actor=actor)

    assert grant.granted_by_id == actor.id
    assert roles_of(person, summit) == {"reviewer"}
    [entry] = _audit("role.grant")
    assert entry.object_label == "rev@example.org"
    assert entry.after == {"role": "reviewer"}


def test_grant_role_several_roles_for_one_person(ctx):
    summit, person = _summit(), _person()

    services.set_regions(summit, {"Fresno": "Central Valley"}, actor=None)

    for role in Role:
        region = "Central Valley" if role == Role.REGION_LEAD else None
        services.grant_role(summit, person, role, actor=None, region=region)

    assert roles_of(person, summit) == {"staff", "reviewer", "door", "region_lead"}


def test_grant_role_region_lead_needs_a_known_region(ctx):
    from sqlalchemy.exc import IntegrityError

    summit, person = _summit(), _person()
    services.set_regions(summit, {"Fresno": "Central Valley"}, actor=None)

    with pytest.raises(DomainError) as missing:
        services.grant_role(summit, person, Role.REGION_LEAD, actor=None)
    with pytest.raises(DomainError) as unknown:
        services.grant_role(summit, person, Role.REGION_LEAD, actor=None, region="Atlantis")
    grant = services.grant_role(
        summit, person, Role.REGION_LEAD, actor=None, region=" Central  Valley "
    )
    door = services.grant_role(summit, person, Role.DOOR, actor=None, region="Central Valley")

    assert (missing.value.code, unknown.value.code) == ("region_required", "unknown_region")
    assert (grant.region, door.region) == ("Central Valley", None)
    [entry] = [e for e in _audit("role.grant") if e.after["role"] == "region_lead"]
    assert entry.after == {"role": "region_lead", "region": "Central Valley"}
    db.session.add(SummitRole(summit=summit, user=_person("x@example.org"), role="region_lead"))
    with pytest.raises(IntegrityError):  # the database refuses a region lead without region
        db.session.flush()


def test_grant_role_twice_raises_role_exists(ctx):
    summit, person = _summit(), _person()
    services.grant_role(summit, person, Role.DOOR, actor=None)

    with pytest.raises(Conflict) as caught:
        services.grant_role(summit, person, Role.DOOR, actor=None)

    assert caught.value.code == "role_exists"
    assert len(list(db.session.scalars(select(SummitRole)))) == 1


def test_grant_role_is_scoped_to_its_summit(ctx):
    this, other = (
        _summit("2027"),
        _summit("2028", starts_on=date(2028, 9, 1), ends_on=date(2028, 9, 2)),
    )
    person = _person()

    services.grant_role(this, person, Role.STAFF, actor=None)

    assert roles_of(person, other) == set()


def test_revoke_role_removes_it_and_audits_before(ctx):
    summit, actor, person = _summit(), _person(), _person("door@example.org")
    grant = services.grant_role(summit, person, Role.DOOR, actor=None)

    services.revoke_role(summit, grant.id, actor=actor)

    assert roles_of(person, summit) == set()
    [entry] = _audit("role.revoke")
    assert entry.before == {"role": "door"}
    assert entry.actor_id == actor.id


def test_revoke_role_own_staff_role_is_refused(ctx):
    summit, me = _summit(), _person()
    grant = services.grant_role(summit, me, Role.STAFF, actor=None)

    with pytest.raises(DomainError) as caught:
        services.revoke_role(summit, grant.id, actor=me)

    assert caught.value.code == "cannot_remove_self"
    assert roles_of(me, summit) == {"staff"}


def test_revoke_role_own_other_role_is_allowed(ctx):
    summit, me = _summit(), _person()
    grant = services.grant_role(summit, me, Role.REVIEWER, actor=None)

    services.revoke_role(summit, grant.id, actor=me)

    assert roles_of(me, summit) == set()


def test_revoke_role_admin_may_remove_own_staff_role(ctx):
    summit, admin = _summit(), _person(is_admin=True)
    grant = services.grant_role(summit, admin, Role.STAFF, actor=None)

    services.revoke_role(summit, grant.id, actor=admin)

    assert roles_of(admin, summit) == set()


def test_revoke_role_from_another_summit_raises_not_found(ctx):
    this, other = (
        _summit("2027"),
        _summit("2028", starts_on=date(2028, 9, 1), ends_on=date(2028, 9, 2)),
    )
    person = _person("door@example.org")
    grant = services.grant_role(other, person, Role.DOOR, actor=None)

    with pytest.raises(NotFound) as caught:
        services.revoke_role(this, grant.id, actor=_person())

    assert caught.value.code == "role_not_found"
    assert roles_of(person, other) == {"door"}


# --- tracks ---------------------------------------------------------------------------


def _track_values(**overrides):
    values = {
        "name_en": "Early learning",
        "name_es": "Aprendizaje temprano",
        "colour": "#123456",
        "description_en": "",
        "description_es": "",
        "position": 30,
        "is_active": True,
    }
    return values | overrides


def test_create_track_valid_values_add_it_and_audit_it(ctx):
    summit = _summit(seed_tracks=False)

    track = services.create_track(
        summit, actor=_person(), code=" Early-Learning ", kind="topic", **_track_values()
    )

    assert (track.code, track.kind, track.name("es")) == (
        "early-learning",
        "topic",
        "Aprendizaje temprano",
    )
    [entry] = _audit("track.create")
    assert entry.after["colour"] == "#123456"


@pytest.mark.parametrize("code", ["", "x", "Has Space", "-lead", "a/b"])
def test_create_track_bad_code_raises_bad_code(ctx, code):
    summit = _summit(seed_tracks=False)

    with pytest.raises(DomainError) as caught:
        services.create_track(summit, actor=_person(), code=code, kind="topic", **_track_values())

    assert caught.value.code == "bad_code"


def test_create_track_duplicate_code_raises_code_taken(ctx):
    summit = _summit()

    with pytest.raises(Conflict) as caught:
        services.create_track(
            summit, actor=_person(), code="topic-dei", kind="topic", **_track_values()
        )

    assert caught.value.code == "code_taken"
    assert len(list_tracks(summit)) == 21


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"colour": "#12345"}, "colour"),
        ({"colour": "#GGGGGG"}, "colour"),
        ({"name_en": "  "}, "name_en"),
        ({"name_es": ""}, "name_es"),
    ],
)
def test_create_track_invalid_values_raise_invalid_track(ctx, overrides, field):
    summit = _summit(seed_tracks=False)

    with pytest.raises(DomainError) as caught:
        services.create_track(
            summit, actor=_person(), code="new", kind="topic", **_track_values(**overrides)
        )

    assert caught.value.code == "invalid_track"
    assert field in caught.value.fields
    assert list_tracks(summit) == []


def test_update_track_change_is_audited_with_before_and_after(ctx):
    summit = _summit()
    track = list_tracks(summit)[0]

    services.update_track(track, actor=_person(), colour="#000000", is_active=False)

    assert (track.colour, track.is_active) == ("#000000", False)
    [entry] = _audit("track.update")
    assert entry.changes == [("colour", "#1F5F8B", "#000000"), ("is_active", True, False)]


def test_update_track_bad_colour_raises_and_changes_nothing(ctx):
    summit = _summit()
    track = list_tracks(summit)[0]

    with pytest.raises(DomainError) as caught:
        services.update_track(track, actor=_person(), colour="blue")

    assert caught.value.code == "invalid_track"
    assert track.colour == "#1F5F8B"


def test_update_track_unknown_field_raises_value_error(ctx):
    track = list_tracks(_summit())[0]

    with pytest.raises(ValueError, match="code"):
        services.update_track(track, actor=_person(), code="renamed")


def test_find_summit_unknown_slug_raises_not_found(ctx):
    with pytest.raises(NotFound) as caught:
        services.find_summit("1999")

    assert (caught.value.code, caught.value.status) == ("summit_not_found", 404)
