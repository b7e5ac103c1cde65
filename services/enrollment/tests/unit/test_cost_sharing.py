"""The price of a partnership's teams and its split between the payers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rinnalla_enrollment.domain import commands as c
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain import partnership
from rinnalla_enrollment.domain.cost_sharing import DEFAULT_PRICE_PER_TEAM_CENTS, Payer, PayerKind, split_price
from rinnalla_enrollment.domain.errors import InvalidTransition, InvalidValue, RuleViolated
from rinnalla_enrollment.domain.partnership import PartnershipState

P = "partnership-vantaa"
VANTAA_BUSINESS_ID = "0124610-9"


def city(share: int = 5000, **changes: Any) -> Payer:
    return Payer.model_validate({"kind": "municipality", "code": "092", "share_basis_points": share, **changes})


def county(share: int = 5000, **changes: Any) -> Payer:
    return Payer.model_validate(
        {"kind": "wellbeing_services_county", "code": "04", "share_basis_points": share, **changes}
    )


def foundation(share: int, **changes: Any) -> Payer:
    values = {"kind": "other", "business_id": "0201256-6", "name": "Säätiö", "share_basis_points": share}
    return Payer.model_validate({**values, **changes})


def agree(
    *payers: Payer, price: int = DEFAULT_PRICE_PER_TEAM_CENTS, valid_from: date = date(2024, 8, 1)
) -> c.AgreeCostSharing:
    return c.AgreeCostSharing(
        partnership_id=P,
        agreed_on=date(2024, 3, 1),
        valid_from=valid_from,
        price_per_team_cents=price,
        payers=payers,
    )


def negotiating() -> PartnershipState:
    opened = partnership.decide(
        partnership.initial(),
        c.OpenPartnership(partnership_id=P, municipality_code="092", opened_on=date(2024, 1, 10)),
    )
    return partnership.evolve(partnership.initial(), opened[0])


def decide(state: PartnershipState, command: c.PartnershipCommand) -> PartnershipState:
    for event in partnership.decide(state, command):
        state = partnership.evolve(state, event)
    return state


def test_the_city_and_its_county_split_the_price_of_each_team_half_and_half() -> None:
    events = partnership.decide(negotiating(), agree(city(business_id=VANTAA_BUSINESS_ID), county()))

    assert len(events) == 1
    agreed = events[0]
    assert isinstance(agreed, e.PartnershipCostSharingAgreed)
    assert agreed.price_per_team_cents == 6_000_000
    assert [(p.kind, p.code, p.share_basis_points) for p in agreed.payers] == [
        (PayerKind.MUNICIPALITY, "092", 5000),
        (PayerKind.WELLBEING_SERVICES_COUNTY, "04", 5000),
    ]
    assert split_price(agreed.price_per_team_cents, tuple(p.share_basis_points for p in agreed.payers)) == (
        3_000_000,
        3_000_000,
    )


def test_a_team_costs_sixty_thousand_euros_a_year_unless_agreed_otherwise() -> None:
    command = c.AgreeCostSharing(
        partnership_id=P, agreed_on=date(2024, 3, 1), valid_from=date(2024, 8, 1), payers=(city(10_000),)
    )
    assert command.price_per_team_cents == 6_000_000


@pytest.mark.parametrize("shares", [(5000, 4999), (5000, 5001), (10_000, 1)])
def test_shares_that_do_not_sum_to_exactly_one_hundred_percent_are_refused(shares: tuple[int, int]) -> None:
    with pytest.raises(RuleViolated) as refused:
        partnership.decide(negotiating(), agree(city(shares[0]), county(shares[1])))
    assert refused.value.field == "payers"


def test_a_share_of_nothing_is_refused_with_its_path() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(10_000), county(0)))
    assert refused.value.field == "payers[1].share_basis_points"


def test_a_payer_with_an_invalid_business_id_is_refused_with_its_path() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(5000), foundation(5000, business_id="0201256-7")))
    assert refused.value.field == "payers[1].business_id"


def test_another_payer_needs_its_business_id_and_name() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(5000), foundation(5000, business_id="")))
    assert refused.value.field == "payers[1].business_id"
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(5000), foundation(5000, name=" ")))
    assert refused.value.field == "payers[1].name"


def test_an_unknown_municipality_or_county_code_is_refused_with_its_path() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(5000, code="999"), county()))
    assert refused.value.field == "payers[0].code"
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(), county(code="092")))
    assert refused.value.field == "payers[1].code"


def test_helsinki_is_not_a_wellbeing_services_county_payer() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(), county(code="90")))
    assert refused.value.field == "payers[1].code"


def test_the_same_payer_cannot_be_listed_twice() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(5000), city(5000)))
    assert refused.value.field == "payers[1]"


def test_a_price_of_nothing_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(negotiating(), agree(city(10_000), price=0))
    assert refused.value.field == "price_per_team_cents"


def test_agreeing_the_same_cost_sharing_again_changes_nothing() -> None:
    state = decide(negotiating(), agree(city(), county()))
    assert partnership.decide(state, agree(city(), county())) == []


def test_a_new_cost_sharing_replaces_the_old_one_but_cannot_start_before_it() -> None:
    state = decide(negotiating(), agree(city(), county()))
    state = decide(state, agree(city(6000), county(4000), valid_from=date(2025, 8, 1)))
    assert [p.share_basis_points for p in state.payers] == [6000, 4000]
    with pytest.raises(InvalidValue) as refused:
        partnership.decide(state, agree(city(), county(), valid_from=date(2025, 1, 1)))
    assert refused.value.field == "valid_from"


def test_an_ended_partnership_agrees_no_more_cost_sharing() -> None:
    state = decide(
        negotiating(), c.RecordNegotiationFailure(partnership_id=P, failed_on=date(2024, 2, 1), reason="no budget")
    )
    with pytest.raises(InvalidTransition):
        partnership.decide(state, agree(city(10_000)))


@pytest.mark.parametrize(
    ("price", "shares", "parts"),
    [
        (6_000_000, (3333, 3333, 3334), (1_999_800, 1_999_800, 2_000_400)),
        (100, (3333, 3333, 3334), (33, 33, 34)),
        (1, (5000, 5000), (1, 0)),
        (7, (2500, 2500, 2500, 2500), (2, 2, 2, 1)),
    ],
)
def test_the_payers_parts_of_a_price_add_up_to_the_price_to_the_cent(
    price: int, shares: tuple[int, ...], parts: tuple[int, ...]
) -> None:
    assert split_price(price, shares) == parts
    assert sum(parts) == price
