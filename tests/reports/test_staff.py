"""Report pages and downloads over HTTP: who may see what, filters, exports, the audit."""

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

from summit.core.audit import AuditEntry
from summit.extensions import db

BASE = "/2027/staff/reports"


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).replace("\xa0", " ").split())


def table_rows(response, table_id: str) -> dict[str, list[str]]:
    page = response.get_data(as_text=True)
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert found, f"no table #{table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", found.group(0), re.S).group(1)
    rows = {}
    for head, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
        rows[html.unescape(head)] = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
    return rows


def read_csv(response) -> list[dict[str, str]]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def read_xlsx(response) -> list[dict]:
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def exports_logged(app) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEntry).where(AuditEntry.action == "report.export")
                .order_by(AuditEntry.id)
            )
        )  # fmt: skip


# --- who may look -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "door"])
@pytest.mark.parametrize("path", ["", "/programme", "/participation", "/export/proposals.csv"])
def test_reports_for_reviewer_or_door_are_forbidden(client, summit_data, login, who, path):
    login(who)

    response = client.get(BASE + path)

    assert response.status_code == 403
    assert "permission" in text(response)


def test_reports_anonymous_is_sent_to_log_in(client, summit_data):
    response = client.get(BASE + "/programme")

    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_staff_dashboards_show_every_region(client, summit_data, login):
    login("staff")

    programme = client.get(BASE + "/programme")
    participation = client.get(BASE + "/participation")

    assert programme.status_code == 200
    assert table_rows(programme, "table-programme-regions") == {
        "Central Valley": ["2", "1", "1", "0", "50%"],
        "Greater LA": ["2", "1", "0", "1", "100%"],
    }
    assert table_rows(participation, "table-participation-regions") == {
        "Central Coast": ["1", "0", "1", "100%"],
        "Central Valley": ["2", "2", "0", "0%"],
        "Greater LA": ["1", "1", "0", "0%"],
    }
    assert '<svg class="report-chart"' in participation.get_data(as_text=True)


def test_region_lead_sees_only_their_region(client, summit_data, login):
    login("lead")

    programme = client.get(BASE + "/programme")
    participation = client.get(BASE + "/participation?region=Greater+LA")

    assert table_rows(programme, "table-programme-regions") == {
        "Central Valley": ["2", "1", "1", "0", "50%"]
    }
    assert table_rows(participation, "table-participation-regions") == {
        "Central Valley": ["2", "2", "0", "0%"]
    }
    assert "You can see the region Central Valley only" in text(participation)


def test_region_lead_gets_reports_link_and_no_staff_pages(client, summit_data, login):
    login("lead")

    home = client.get("/2027/")
    people = client.get("/2027/staff/people")
    registrations = client.get("/2027/staff/registrations")

    assert f'href="{BASE}"' in home.get_data(as_text=True)
    assert 'href="/2027/staff/settings"' not in home.get_data(as_text=True)
    assert people.status_code == 403
    assert registrations.status_code == 403


# --- filters ----------------------------------------------------------------------------


def test_unknown_filter_values_are_ignored_with_a_note(client, summit_data, login):
    login("staff")

    response = client.get(BASE + "/participation?day=2027-13-45&region=Atlantis&topic=%3Cscript%3E")

    assert response.status_code == 200
    page = text(response)
    assert "“2027-13-45” is not a day of this summit" in page
    assert "“Atlantis” is not a region of this summit" in page
    assert "is not a topic of this summit" in page
    assert "<script>" not in response.get_data(as_text=True)
    assert table_rows(response, "table-participation-regions")["Greater LA"] == [
        "1", "1", "0", "0%"
    ]  # fmt: skip


def test_day_filter_narrows_participation(client, summit_data, login):
    login("staff")

    response = client.get(BASE + "/participation?day=2027-09-23")

    assert table_rows(response, "table-participation-ticket-types") == {
        "Family member": ["3", "2", "1", "33%"]
    }
    assert list(table_rows(response, "table-sessions")) == ["Young voices"]


# --- downloads --------------------------------------------------------------------------


def test_table_export_csv_matches_the_page_and_is_audited(app, client, summit_data, login):
    login("staff")

    response = client.get(BASE + "/export/programme-regions.csv?topic=pillar-family")

    rows = read_csv(response)
    assert [r["key"] for r in rows] == ["Central Valley", "Greater LA", "total"]
    assert rows[0] == {
        "key": "Central Valley", "label": "Central Valley", "proposals": "2", "accepted": "1",
        "not_accepted": "1", "undecided": "0", "acceptance_rate": "50",
    }  # fmt: skip
    assert rows[1]["proposals"] == "1"  # Greater LA's P3 is another topic
    [entry] = exports_logged(app)
    assert entry.object_id == "programme-regions"
    assert entry.after == {"format": "csv", "filters": {"topic": "pillar-family"},
                           "scope": "all", "rows": 3, "via": "web"}  # fmt: skip


def test_table_export_xlsx_reads_back_with_numbers(client, summit_data, login):
    login("staff")

    rows = read_xlsx(client.get(BASE + "/export/participation-days.xlsx"))

    assert [(r["key"], r["registered"], r["checked_in"], r["no_show_rate"]) for r in rows] == [
        ("2027-09-23", 3, 2, 33),
        ("2027-09-24", 4, 2, 50),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas(client, summit_data, login, fmt):
    login("staff")

    response = client.get(f"{BASE}/export/proposals.{fmt}")

    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    titles = {r["title"] for r in rows}
    assert "'=1+2 cmd" in titles
    assert "=1+2 cmd" not in titles
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_staff_registration_export_has_minors_and_needs(client, summit_data, login):
    login("staff")

    rows = {r["ticket_code"]: r for r in read_csv(client.get(BASE + "/export/registrations.csv"))}

    luis = rows[summit_data.people["Luis Pérez"]]
    assert (luis["name"], luis["email"], luis["guardian_name"]) == (
        "Luis Pérez", "luis@example.org", "Rosa Pérez"
    )  # fmt: skip
    assert rows[summit_data.people["Rosa Pérez"]]["accommodations"] == "asl"


def test_region_lead_raw_exports_hold_no_minors_data_or_needs(app, client, summit_data, login):
    login("lead")

    registrations = client.get(BASE + "/export/registrations.csv")
    check_ins = client.get(BASE + "/export/check-ins.xlsx")
    attendance = client.get(BASE + "/export/attendance.csv")
    proposals = client.get(BASE + "/export/proposals.csv")

    body = b"".join(r.data for r in (registrations, attendance, proposals)).decode()
    for secret in ("Luis", "luis@example.org", "Mia Minor", "mia@example.org", "asl", "vegan"):
        assert secret not in body
    people = {r["ticket_code"]: r for r in read_csv(registrations)}
    assert set(people) == {summit_data.people[n] for n in ("Rosa Pérez", "Luis Pérez",
                                                           "Wanda Wait")}  # fmt: skip
    luis = people[summit_data.people["Luis Pérez"]]
    assert luis["name"] == luis["email"] == luis["guardian_email"] == ""
    assert luis["county"] == "Fresno"
    rosa = people[summit_data.people["Rosa Pérez"]]
    assert rosa["name"] == "Rosa Pérez"
    assert rosa["contact_email"] == "" and rosa["accommodations"] == ""
    check_in_names = sorted(r["name"] or "" for r in read_xlsx(check_ins))
    assert check_in_names == ["", "Rosa Pérez", "Rosa Pérez"]  # Luis blank; Ben is LA
    assert {r["code"] for r in read_csv(proposals)} == {
        summit_data.proposals["P1"],
        summit_data.proposals["P2"],
    }
    assert {e.after["scope"] for e in exports_logged(app)} == {"Central Valley"}


def test_unknown_export_name_or_format_is_404_with_a_message(client, summit_data, login):
    login("staff")

    name = client.get(BASE + "/export/salaries.csv")
    fmt = client.get(BASE + "/export/proposals.pdf")

    assert name.status_code == 404
    assert "There is no report called “salaries”" in text(name)
    assert fmt.status_code == 404
    assert "Downloads come as .csv or .xlsx." in text(fmt)
