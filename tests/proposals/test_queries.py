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
