import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from summit.accounts.queries import get_user_by_email
from summit.core.audit import AuditEntry
from summit.extensions import db
from summit.summits.queries import get_summit_by_slug, get_track, list_roles, roles_of
from summit.summits.taxonomy import FRAMEWORK_TRACKS

STAFF_PAGES = [
    "/2027/staff/settings",
    "/2027/staff/people",
    "/2027/staff/tracks",
    "/2027/staff/tracks/new",
    "/2027/staff/tracks/topic-dei",
    "/2027/staff/audit",
    "/2027/staff/outbox",
]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _settings_form(**overrides):
    form = {
        "name": "Community Schools Summit 2027",
        "name_es": "Cumbre de Escuelas Comunitarias 2027",
        "venue": "Sacramento",
        "timezone": "America/Los_Angeles",
        "starts_on": "2027-09-23",
        "ends_on": "2027-09-24",
        "cfp_opens_at": "",
        "cfp_closes_at": "",
        "review_deadline_at": "",
        "registration_opens_at": "",
        "registration_closes_at": "",
    }
    return form | overrides


def _track_form(**overrides):
    form = {
        "name_en": "Early learning",
        "name_es": "Aprendizaje temprano",
        "description_en": "From birth to third grade.",
        "description_es": "Desde el nacimiento hasta tercer grado.",
        "colour": "#123456",
        "position": "30",
        "is_active": "y",
    }
    return form | overrides


# --- public pages -----------------------------------------------------------------


def test_index_redirects_to_the_current_summit(client, make_summit):
    make_summit("2027")

    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/2027/"


def test_index_without_summits_shows_the_welcome_page(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "<h1" in _text(response)


def test_summit_home_shows_name_dates_and_tracks(client, make_summit):
    make_summit("2027", venue="Sacramento")

    page = _text(client.get("/2027/"))

    assert "<h1>Community Schools Summit 2027</h1>" in page
    assert "September 23, 2027" in page
    assert "Sacramento" in page
    assert "Integrated student supports" in page
    assert 'href="/2027/tracks.css"' in page


def test_summit_home_in_spanish_shows_spanish_track_names(client, make_summit):
    make_summit("2027")
    client.set_cookie("summit_lang", "es")

    page = _text(client.get("/2027/"))

    assert '<html lang="es">' in page
    assert "Apoyos integrados para estudiantes" in page


@pytest.mark.parametrize("path", ["/1999/", "/nope/staff/settings", "/nope/tracks.css", "/-/"])
def test_unknown_summit_slug_answers_404_page(client, make_summit, path):
    make_summit("2027")

    response = client.get(path)

    assert response.status_code == 404
    assert "We could not find that page." in _text(response)


def test_unknown_summit_slug_for_staff_pages_is_404_even_for_admin(client, login_as):
    login_as(admin=True)

    response = client.get("/1999/staff/settings")

    assert response.status_code == 404


def test_tracks_css_has_a_class_with_each_track_colour(client, make_summit):
    make_summit("2027")

    response = client.get("/2027/tracks.css")

    css = _text(response)
    assert response.mimetype == "text/css"
    for code, _kind, _en, _es, colour in FRAMEWORK_TRACKS:
        assert f".track-{code} {{ background-color: {colour};" in css
        assert f".track-border-{code} {{ border-left: 0.5rem solid {colour};" in css


# --- who may see staff pages ---------------------------------------------------------


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("role", ["reviewer", "door", None])
def test_staff_pages_without_staff_role_answer_403(client, login_as, path, role):
    login_as(role)

    response = client.get(path)

    assert response.status_code == 403
    assert "You do not have permission to do that." in _text(response)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_anonymous_redirect_to_login(client, make_summit, path):
    make_summit("2027")

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/login?next={path}"


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("who", [{"role": "staff"}, {"admin": True}])
def test_staff_pages_for_staff_and_site_admin_answer_200(client, login_as, path, who):
    login_as(**who)

    response = client.get(path)

    assert response.status_code == 200
    assert 'aria-current="page"' in _text(response)


def test_staff_role_in_one_summit_gives_nothing_in_another(client, make_summit, login_as):
    make_summit("2028", starts_on=date(2028, 9, 1), ends_on=date(2028, 9, 2))
    login_as("staff", slug="2027")

    response = client.get("/2028/staff/settings")

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "door"])
def test_staff_post_without_staff_role_is_refused_and_changes_nothing(app, client, login_as, role):
    login_as(role)

    response = client.post("/2027/staff/settings", data=_settings_form(venue="Hijacked"))

    assert response.status_code == 403
    with app.app_context():
        assert get_summit_by_slug("2027").venue == ""


# --- settings ---------------------------------------------------------------------------


def test_settings_save_updates_summit_and_audit_page_shows_change(app, client, login_as):
    email = login_as("staff")

    response = client.post(
        "/2027/staff/settings", data=_settings_form(venue="SAFE Credit Union Convention Center")
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/2027/staff/settings"
    with app.app_context():
        summit = get_summit_by_slug("2027")
        assert summit.venue == "SAFE Credit Union Convention Center"
        assert summit.name_es == "Cumbre de Escuelas Comunitarias 2027"
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "summit.update")
        ).one()
        assert entry.actor_id == get_user_by_email(email).id
    audit = _text(client.get("/2027/staff/audit"))
    assert "summit.update" in audit
    assert re.search(
        r"<td>venue</td><td>\s*</td><td>SAFE Credit Union Convention Center</td>", audit
    )


def test_settings_phase_times_are_read_in_the_summit_time_zone(app, client, login_as):
    login_as("staff")

    client.post(
        "/2027/staff/settings",
        data=_settings_form(cfp_opens_at="2027-01-15T09:00", cfp_closes_at="2027-03-01T17:00"),
    )

    with app.app_context():
        summit = get_summit_by_slug("2027")
        assert summit.cfp_opens_at == datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
        assert summit.cfp_closes_at == datetime(2027, 3, 2, 1, 0, tzinfo=UTC)
    form = _text(client.get("/2027/staff/settings"))
    assert 'value="2027-01-15T09:00"' in form


def test_settings_bad_timezone_422_keeps_typed_values(app, client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/settings", data=_settings_form(timezone="Mars/Olympus", venue="Typed venue")
    )

    assert response.status_code == 422
    assert "Mars/Olympus is not a time zone we know." in _text(response)
    assert 'value="Typed venue"' in _text(response)
    with app.app_context():
        assert get_summit_by_slug("2027").timezone == "America/Los_Angeles"


def test_settings_last_day_before_first_422_with_message(app, client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/settings", data=_settings_form(starts_on="2027-09-24", ends_on="2027-09-20")
    )

    assert response.status_code == 422
    assert "The last day must not be before the first." in _text(response)
    with app.app_context():
        assert get_summit_by_slug("2027").ends_on == date(2027, 9, 24)


def test_settings_not_a_date_422_and_unchanged(app, client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/settings", data=_settings_form(starts_on="someday", venue="Typed venue")
    )

    assert response.status_code == 422
    assert 'value="Typed venue"' in _text(response)
    with app.app_context():
        assert get_summit_by_slug("2027").starts_on == date(2027, 9, 23)


# --- people -------------------------------------------------------------------------------


def test_people_grant_role_by_email_lists_the_person(app, client, login_as, make_user):
    login_as("staff")
    reviewer = make_user("rev@example.org", name="Marisol Gutiérrez")

    response = client.post(
        "/2027/staff/people", data={"email": "REV@example.org", "role": "reviewer"}
    )

    assert response.status_code == 302
    with app.app_context():
        assert roles_of(get_user_by_email(reviewer), get_summit_by_slug("2027")) == {"reviewer"}
    page = _text(client.get("/2027/staff/people"))
    assert "Marisol Gutiérrez" in page
    assert "rev@example.org" in page


def test_people_grant_unknown_email_422_with_message(client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/people", data={"email": "nobody@example.org", "role": "door"}
    )

    assert response.status_code == 422
    assert "No account uses this email." in _text(response)


def test_people_grant_existing_role_422_with_message(client, login_as, make_user):
    login_as("staff")
    email = make_user(name="Jordan Lee", roles=("door",), slug="2027")

    response = client.post("/2027/staff/people", data={"email": email, "role": "door"})

    assert response.status_code == 422
    assert "Jordan Lee already has this role." in _text(response)


def test_people_grant_unknown_role_422(app, client, login_as, make_user):
    login_as("staff")
    email = make_user()

    response = client.post("/2027/staff/people", data={"email": email, "role": "emperor"})

    assert response.status_code == 422
    with app.app_context():
        assert roles_of(get_user_by_email(email), get_summit_by_slug("2027")) == set()


def test_people_revoke_removes_the_role_and_is_audited(app, client, login_as, make_user):
    login_as("staff")
    email = make_user(roles=("door",), slug="2027")
    with app.app_context():
        summit = get_summit_by_slug("2027")
        grant_id = next(r.id for r in list_roles(summit) if r.user.email == email)

    response = client.post(f"/2027/staff/people/{grant_id}/revoke")

    assert response.headers["Location"] == "/2027/staff/people"
    with app.app_context():
        assert roles_of(get_user_by_email(email), get_summit_by_slug("2027")) == set()
    assert "role.revoke" in _text(client.get("/2027/staff/audit"))


def test_people_revoke_own_staff_role_is_refused_with_message(app, client, login_as):
    email = login_as("staff")
    with app.app_context():
        grant_id = list_roles(get_summit_by_slug("2027"))[0].id

    response = client.post(f"/2027/staff/people/{grant_id}/revoke")

    assert response.status_code == 400
    assert "You cannot remove your own staff role." in _text(response)
    with app.app_context():
        assert roles_of(get_user_by_email(email), get_summit_by_slug("2027")) == {"staff"}


def test_people_revoke_unknown_grant_404(client, login_as):
    login_as("staff")

    response = client.post("/2027/staff/people/999999/revoke")

    assert response.status_code == 404


# --- tracks --------------------------------------------------------------------------------


def test_tracks_page_lists_every_track_with_spanish_name(client, login_as):
    login_as("staff")

    page = _text(client.get("/2027/staff/tracks"))

    for _code, _kind, name_en, name_es, _colour in FRAMEWORK_TRACKS:
        assert name_en in page
        assert name_es in page


def test_new_track_is_added_and_listed(app, client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/tracks/new", data=_track_form(code="early-learning", kind="topic")
    )

    assert response.headers["Location"] == "/2027/staff/tracks"
    with app.app_context():
        track = get_track(get_summit_by_slug("2027"), "early-learning")
        assert (track.name_es, track.colour, track.position) == (
            "Aprendizaje temprano",
            "#123456",
            30,
        )
    assert ".track-early-learning { background-color: #123456;" in _text(
        client.get("/2027/tracks.css")
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"colour": "blue"}, "Use a colour like #1F5F8B."),
        ({"code": "Has Space"}, "Lowercase letters, digits, hyphens."),
        ({"code": "topic-dei"}, "Another track uses this code."),
        ({"name_es": ""}, "This field is required."),
        ({"kind": "galaxy"}, "Not a valid choice"),
    ],
)
def test_new_track_invalid_input_422_keeps_typed_values(app, client, login_as, overrides, message):
    login_as("staff")
    form = _track_form(code="early-learning", kind="topic") | overrides

    response = client.post("/2027/staff/tracks/new", data=form)

    assert response.status_code == 422
    assert message in _text(response)
    assert "From birth to third grade." in _text(response)
    with app.app_context():
        assert get_track(get_summit_by_slug("2027"), "early-learning") is None


def test_edit_track_saves_and_audit_page_shows_before_and_after(app, client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/tracks/topic-dei",
        data=_track_form(name_en="Diversity, equity and inclusion", colour="#abcdef"),
    )

    assert response.status_code == 302
    with app.app_context():
        assert get_track(get_summit_by_slug("2027"), "topic-dei").colour == "#ABCDEF"
    audit = _text(client.get("/2027/staff/audit"))
    assert "track.update" in audit
    assert "<td>colour</td><td>#86372A</td><td>#ABCDEF</td>" in audit


def test_edit_track_bad_colour_422_and_unchanged(app, client, login_as):
    login_as("staff")

    response = client.post("/2027/staff/tracks/topic-dei", data=_track_form(colour="#12"))

    assert response.status_code == 422
    assert "Use a colour like #1F5F8B." in _text(response)
    with app.app_context():
        assert get_track(get_summit_by_slug("2027"), "topic-dei").colour == "#86372A"


def test_edit_track_unknown_code_404(client, login_as):
    login_as("staff")

    response = client.get("/2027/staff/tracks/no-such-track")

    assert response.status_code == 404


# --- audit page ---------------------------------------------------------------------------


def test_audit_page_names_the_actor_or_system(client, login_as):
    login_as("staff")
    client.post("/2027/staff/settings", data=_settings_form(venue="Hall A"))

    page = _text(client.get("/2027/staff/audit"))

    assert "Test Person" in page
    assert "system" in page
    assert page.index("summit.update") < page.index("summit.create")


def test_audit_page_bad_page_number_falls_back_to_first_page(client, login_as):
    login_as("staff")

    response = client.get("/2027/staff/audit?page=-3")

    assert response.status_code == 200
    assert "summit.create" in _text(response)


# --- new summit ----------------------------------------------------------------------------


def _new_summit_form(**overrides):
    return _settings_form(slug="2028", starts_on="2028-09-21", ends_on="2028-09-22") | overrides


def test_new_summit_by_admin_creates_it_with_tracks(app, client, login_as):
    login_as(admin=True)

    response = client.post(
        "/summits/new", data=_new_summit_form(name="Summit 2028", make_current="y")
    )

    assert response.headers["Location"] == "/2028/staff/settings"
    with app.app_context():
        summit = get_summit_by_slug("2028")
        assert (summit.name, summit.is_current, len(summit.tracks)) == ("Summit 2028", True, 21)
        assert summit.name_es == "Cumbre de Escuelas Comunitarias 2027"
    assert client.get("/").headers["Location"] == "/2028/"


@pytest.mark.parametrize(
    ("slug", "status", "message"),
    [
        ("2027", 422, "Another summit already uses this web address."),
        ("api", 422, "Use 2–40 lowercase letters, digits or hyphens for the web address."),
        ("Bad Slug", 422, "Lowercase letters, digits, hyphens."),
    ],
)
def test_new_summit_bad_slug_422_with_message(app, client, login_as, slug, status, message):
    login_as(admin=True)

    response = client.post("/summits/new", data=_new_summit_form(slug=slug, name="Other"))

    assert response.status_code == status
    assert message in _text(response)
    with app.app_context():
        assert get_summit_by_slug("2027").name == "Community Schools Summit 2027"


def test_new_summit_staff_without_admin_flag_403(client, login_as):
    login_as("staff")

    response = client.get("/summits/new")

    assert response.status_code == 403


def test_new_summit_anonymous_redirects_to_login(client):
    response = client.get("/summits/new")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
