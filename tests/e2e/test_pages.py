"""Every page passes axe (WCAG 2.1 A/AA) in English and Spanish, 390 and 1280 pixels wide."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_no_csp_violation,
    check_a11y,
    log_in,
    switch_language,
)

PUBLIC_PAGES = [
    pytest.param("/2027/", "h1", id="summit-home"),
    pytest.param("/account/login", "#email", id="login"),
    pytest.param("/account/signup", "#password", id="signup"),
    pytest.param("/account/forgot", "#email", id="forgot"),
    pytest.param("/2027/no-such-page", "h1", id="not-found"),
]
STAFF_PAGES = [
    pytest.param("/2027/staff/settings", "#name_es", id="settings"),
    pytest.param("/2027/staff/tracks", "table", id="tracks"),
    pytest.param("/2027/staff/people", "table", id="people"),
    pytest.param("/2027/staff/audit", ".audit-list", id="audit"),
    pytest.param("/2027/staff/regions", "#region-1", id="regions"),
    pytest.param("/2027/staff/tickets", ".empty-state", id="ticket-types"),
    pytest.param("/2027/staff/tickets/new", "#code", id="ticket-type-form"),
]


def _check_everywhere(page, landmark: str) -> None:
    """axe on a phone and a desktop, in English and then in Spanish."""
    page.locator(landmark).first.wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        check_a11y(page)

    switch_language(page, "Español")

    page.locator(landmark).first.wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("header form.lang-switch button").inner_text() == "English"
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        check_a11y(page)


@pytest.mark.parametrize(("path", "landmark"), PUBLIC_PAGES)
def test_public_page_accessible_in_both_languages_and_widths(live_server, browse, path, landmark):
    page = browse(PHONE)

    response = page.goto(live_server(path))

    assert response.status == (404 if "no-such-page" in path else 200)
    _check_everywhere(page, landmark)


@pytest.mark.parametrize(("path", "landmark"), STAFF_PAGES)
def test_staff_page_accessible_in_both_languages_and_widths(
    live_server, browse, make_user, path, landmark
):
    email = make_user(name="Sam Staff", roles=("staff",), slug="2027")
    page = browse(PHONE)
    log_in(page, live_server, email)

    response = page.goto(live_server(path))

    assert response.status == 200
    assert page.locator("nav[aria-label] .nav-link.active").get_attribute("aria-current") == "page"
    _check_everywhere(page, landmark)


def test_api_docs_render_swagger_ui_without_csp_violation(live_server, browse):
    page = browse(DESKTOP)

    response = page.goto(live_server("/api/v1/docs"))

    assert response.status == 200
    info = page.locator(".swagger-ui .info")
    info.wait_for()
    assert "Summit API" in info.inner_text()
    assert page.locator(".swagger-ui .opblock").count() > 0
    assert_no_csp_violation(page)
