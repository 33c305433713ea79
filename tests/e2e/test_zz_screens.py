import pytest
from tests.e2e.conftest import PHONE, DESKTOP, log_in, open_call_values, switch_language
from tests.e2e.test_proposal_pages import _seed_proposal, _seed_call_extras

@pytest.fixture
def summit_values():
    return open_call_values()

def test_shots(live_server, browse, make_user):
    staff = make_user(name="Sam Staff", roles=("staff",), slug="2027", presenter_role="family")
    seeded = _seed_proposal(live_server, staff, complete=False, consent=False)
    page = browse(PHONE)
    log_in(page, live_server, staff)
    switch_language(page, "Español")
    for name, path in [("new", "/2027/proposals/new"), ("detail", f"/2027/proposals/{seeded.code}"),
                       ("call", "/2027/call"), ("mine", "/2027/proposals/"),
                       ("staff_list", "/2027/staff/proposals?state=draft"), ("staff_detail", f"/2027/staff/proposals/{seeded.code}"),
                       ("staff_call", "/2027/staff/call"), ("invite", seeded.invite_link)]:
        page.goto(live_server(path) if path.startswith("/") else path)
        if name == "new":
            page.locator("#abstract").fill("palabra " * 12)
        page.screenshot(path=f"/tmp/shot_{name}.png", full_page=True)
