from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import partnership
from rinnalla_enrollment.domain.errors import (
    AlreadyExists,
    DomainError,
    InvalidTransition,
    InvalidValue,
    NotFound,
    RuleViolated,
)
from rinnalla_enrollment.domain.partnership import PartnershipState
from rinnalla_enrollment.domain.values import PartnershipStatus

P = "partnership-vantaa"


def open_(municipality_code: str = "092", business_id: str = "") -> c.OpenPartnership:
    return c.OpenPartnership(
        partnership_id=P, municipality_code=municipality_code, business_id=business_id, opened_on=date(2024, 1, 10)
    )


def sign(team_count: int = 2) -> c.SignPartnershipAgreement:
    return c.SignPartnershipAgreement(
        partnership_id=P,
        signed_on=date(2024, 3, 1),
        team_count=team_count,
        valid_from=date(2024, 8, 1),
        annual_amount_eur=Decimal("120000"),
    )


def play(*commands: c.PartnershipCommand) -> PartnershipState:
    state = partnership.initial()
    for command in commands:
        for event in partnership.decide(state, command):
            state = partnership.evolve(state, event)
    return state


def test_opening_a_partnership_finds_the_wellbeing_county_counterpart() -> None:
    state = play(open_("109", business_id="0201256-6"))
    assert state.status is PartnershipStatus.NEGOTIATING
    assert state.county_code == "07"  # Kanta-Häme
    assert state.business_id == "0201256-6"


def test_helsinki_is_its_own_counterpart() -> None:
    assert play(open_("091")).county_code == "90"


@pytest.mark.parametrize(
    ("command", "field", "reason"),
    [
        (open_("999"), "municipality_code", "999 is not a municipality code"),
        (open_("92"), "municipality_code", "exactly 3 digits"),
        (open_(business_id="0201256-7"), "business_id", "invalid check digit"),
    ],
)
def test_bad_codes_are_refused_with_the_field(command: c.OpenPartnership, field: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason) as caught:
        play(command)
    assert caught.value.field == field


def test_an_agreement_needs_at_least_two_teams() -> None:
    with pytest.raises(RuleViolated, match="at least 2 teams") as caught:
        play(open_(), sign(team_count=1))
    assert caught.value.field == "team_count"
    assert play(open_(), sign()).status is PartnershipStatus.AGREED


def test_a_failed_negotiation_closes_the_partnership() -> None:
    state = play(
        open_(), c.RecordNegotiationFailure(partnership_id=P, failed_on=date(2024, 5, 1), reason="regional equity")
    )
    assert state.status is PartnershipStatus.NEGOTIATION_FAILED
    with pytest.raises(InvalidTransition):
        play(open_(), c.RecordNegotiationFailure(partnership_id=P, failed_on=date(2024, 5, 1), reason="x"), sign())


def test_teams_are_added_up_to_the_agreed_number_and_only_from_the_same_municipality() -> None:
    add = [c.AddTeamToPartnership(partnership_id=P, team_id=f"t{i}", municipality_code="092") for i in range(3)]
    state = play(open_(), sign(), add[0], add[1])
    assert state.team_ids == ("t0", "t1")
    with pytest.raises(RuleViolated, match="covers 2 teams"):
        play(open_(), sign(), *add)
    with pytest.raises(RuleViolated, match="municipality 049"):
        play(open_(), sign(), c.AddTeamToPartnership(partnership_id=P, team_id="x", municipality_code="049"))


def test_a_team_cannot_be_added_before_the_agreement() -> None:
    with pytest.raises(InvalidTransition, match="negotiating"):
        play(open_(), c.AddTeamToPartnership(partnership_id=P, team_id="t", municipality_code="092"))


def test_the_county_counterpart_can_be_reorganised() -> None:
    change = c.ChangeCountyCounterpart(partnership_id=P, county_code="01", changed_on=date(2026, 1, 1))
    assert play(open_(), sign(), change).county_code == "01"
    with pytest.raises(InvalidValue, match="not a wellbeing services county code"):
        play(open_(), change.model_copy(update={"county_code": "55"}))


def test_commands_for_a_missing_or_existing_partnership_are_refused() -> None:
    with pytest.raises(NotFound):
        play(sign())
    with pytest.raises(AlreadyExists):
        play(open_(), open_())


def test_every_domain_error_has_a_field_and_a_reason() -> None:
    with pytest.raises(DomainError) as caught:
        play(open_(), sign(team_count=0))
    assert str(caught.value) == f"{caught.value.field}: {caught.value.reason}"
