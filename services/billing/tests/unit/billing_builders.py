"""Test data: the seller, the City of Vantaa and its wellbeing services county as payers, enrollment facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from rinnalla_billing.domain.facts import PartnershipFacts, TeamSpan
from rinnalla_billing.domain.values import PayerKind, PayerTerms, Seller

SELLER = Seller(
    name="Icehearts ry", business_id="2228357-4", peppol_id="0216:003722283574",
    iban="FI2112345600000785", bic="NDEAFIHH",
)
CITY = PayerTerms(
    payer_id="city", kind=PayerKind.MUNICIPALITY, name="Vantaan kaupunki", business_id="0124610-9",
    share_basis_points=5_000, peppol_id="0216:003701246109", buyer_reference="VANTAA-KASVATUS-42",
)
COUNTY = PayerTerms(
    payer_id="county", kind=PayerKind.WELLBEING_SERVICES_COUNTY, name="Vantaan ja Keravan hyvinvointialue",
    business_id="3221366-8", share_basis_points=5_000, peppol_id="0216:003732213668",
    buyer_reference="VAKE-LASTENSUOJELU-7",
)


def facts(
    *teams: TeamSpan, partnership_id: str = "p-vantaa", team_count: int = 2, ended_on: date | None = None
) -> PartnershipFacts:
    return PartnershipFacts(partnership_id, "092", team_count, tuple(teams), ended_on)


def team(team_id: str, activated_on: date | None = date(2026, 1, 1), ended_on: date | None = None) -> TeamSpan:
    return TeamSpan(team_id, f"Team {team_id}", activated_on, ended_on)


def agreement_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "seller": SELLER.model_dump(mode="json"),
        "frequency": "half_yearly",
        "payers": [CITY.model_dump(mode="json"), COUNTY.model_dump(mode="json")],
        "valid_from": "2026-01-01",
    }
    body.update(overrides)
    return body
