"""Staff search takes % and _ literally."""

from summit.proposals import services
from summit.proposals.queries import ProposalFilters, list_proposals
from tests.proposals.conftest import NOW


def test_list_proposals_search_percent_and_underscore_match_literally(summit, lead, complete_data):
    plain = services.create_proposal(summit, actor=lead, data=complete_data, at=NOW)
    special = services.create_proposal(
        summit, actor=lead, data={**complete_data, "title": "100% family_led nights"}, at=NOW
    )
    for proposal in (plain, special):
        services.submit_proposal(proposal, actor=lead, at=NOW)

    percent, _ = list_proposals(summit, ProposalFilters(q="%"))
    underscore, _ = list_proposals(summit, ProposalFilters(q="y_l"))

    assert [p.code for p in percent] == [special.code]
    assert [p.code for p in underscore] == [special.code]


def test_list_proposals_region_filter_uses_the_leads_county(summit, make_person, complete_data):
    from summit.summits.services import set_regions

    set_regions(summit, {"Ventura": "Central Coast", "Kern": "Central Valley"}, actor=None)
    coast = make_person("Coast", county="Ventura", presenter_role="educator")
    valley = make_person("Valley", county="Kern", presenter_role="educator")
    codes = {}
    for lead in (coast, valley):
        proposal = services.create_proposal(summit, actor=lead, data=complete_data, at=NOW)
        services.submit_proposal(proposal, actor=lead, at=NOW)
        codes[lead.name] = proposal.code

    found, total = list_proposals(summit, ProposalFilters(region="Central Coast"))

    assert total == 1
    assert [p.code for p in found] == [codes["Coast"]]


def test_selection_balance_counts_chosen_sessions_by_region(summit, make_person, complete_data):
    from summit.reviews.services import balance
    from summit.summits.services import set_regions

    set_regions(summit, {"Ventura": "Central Coast"}, actor=None)
    lead = make_person("Coast", county="Ventura", presenter_role="educator")
    other = make_person("Nowhere", county="Kern", presenter_role="educator")
    chosen = [
        services.create_proposal(summit, actor=p, data=complete_data, at=NOW) for p in (lead, other)
    ]

    counts = balance(summit, chosen, {p.id: "accepted" for p in chosen})

    assert counts["region"] == {"Central Coast": 1, "": 1}
