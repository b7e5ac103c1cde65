"""Examples for the OpenAPI contract (organisations and teams only: billing names no person)."""

from __future__ import annotations

from typing import Any

SELLER = {
    "name": "Icehearts ry", "business_id": "2228357-4", "peppol_id": "0216:003722283574",
    "iban": "FI2112345600000785", "bic": "NDEAFIHH",
}
CITY = {
    "payer_id": "city", "kind": "municipality", "name": "Vantaan kaupunki", "business_id": "0124610-9",
    "share_basis_points": 5000, "peppol_id": "0216:003701246109", "buyer_reference": "VANTAA-KASVATUS-42",
}
COUNTY = {
    "payer_id": "county", "kind": "wellbeing_services_county", "name": "Vantaan ja Keravan hyvinvointialue",
    "business_id": "3221366-8", "share_basis_points": 5000, "peppol_id": "0216:003732213668",
    "buyer_reference": "VAKE-LASTENSUOJELU-7",
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "SetUpAgreement": {
        "seller": SELLER, "frequency": "half_yearly", "price_per_team_cents": 6_000_000,
        "payers": [CITY, COUNTY], "valid_from": "2026-01-01", "valid_until": "2031-12-31",
    },
    "AmendAgreement": {"effective_from": "2027-01-01", "price_per_team_cents": 6_200_000,
                       "reason": "the second year's price"},
    "AdjustPriceByIndex": {"effective_from": "2027-01-01", "index_change_basis_points": 310},
    "TerminateAgreement": {"terminated_on": "2026-06-30", "reason": "the council ended the partnership"},
    "DraftInvoices": {"period": "2026-H1"},
    "DraftCorrections": {},
    "IssueDocument": {},
    "DiscardDraft": {"reason": "the buyer reference changes"},
    "RecordDelivery": {"channel": "peppol", "delivered_on": "2026-01-02"},
    "RecordDeliveryFailure": {"channel": "peppol", "failed_on": "2026-01-02",
                              "reason": "the recipient's access point refused the document"},
    "RecordPayment": {"payment_id": "VANTAA-ERP-2026-118", "amount_cents": 1_500_000, "paid_on": "2026-01-20"},
}

COMMAND_ANSWER: dict[str, Any] = {
    "kind": "agreement", "id": "p-vantaa", "events": ["billing.DocumentDrafted", "billing.DocumentsPrepared"],
    "documents": ["p-vantaa-2026-H1-r1-1"], "replayed": False,
}

DOCUMENT: dict[str, Any] = {
    "document_id": "p-vantaa-2026-H1-r1-1", "kind": "invoice", "status": "issued", "agreement_id": "p-vantaa",
    "run_period": "2026-H1", "seller": SELLER, "payer": CITY,
    "vat": {"category": "E", "rate_basis_points": 0, "exemption_reason_code": "VATEX-EU-132-1G",
            "exemption_reason": "Exempt social welfare services (AVL 37 §)"},
    "lines": [
        {"team_id": "t1", "team_name": "Vantaa Tikkurila 2019", "period": "2026-H1", "period_start": "2026-01-01",
         "period_end": "2026-06-30", "active_days": 181, "period_days": 181, "amount_cents": 1_500_000,
         "booked_before_cents": 0},
    ],
    "total_cents": 1_500_000, "vat_cents": 0,
    "rounding": "half up to the cent (half away from zero), once, on the exact result", "cites": None,
    "issue": {"series": "2228357-4-2026", "number": "2026000001", "issued_on": "2026-01-02",
              "due_on": "2026-01-23", "reference": "20260000011", "rf_reference": "RF6620260000011"},
    "paid_cents": 0, "credited_cents": 0,
}
DOCUMENT_ROW: dict[str, Any] = {
    "document_id": "p-vantaa-2026-H1-r1-1", "kind": "invoice", "status": "partly_paid", "payer_id": "city",
    "payer_name": "Vantaan kaupunki", "run_period": "2026-H1", "total_cents": 3_000_000, "vat_cents": 0,
    "number": "2026000001", "issued_on": "2026-01-02", "due_on": "2026-01-23", "paid_cents": 1_500_000,
    "credited_cents": 0, "cites_number": None,
}

FUND = {
    "name": "Vaikuttavuusrahasto I Ky", "business_id": "0245437-2", "peppol_id": "0216:003702454372",
    "iban": "FI4950009420028730", "bic": "OKOYFIHH",
}
COUNTY_HAMEENLINNA = {
    "payer_id": "county", "kind": "wellbeing_services_county", "name": "Kanta-Hämeen hyvinvointialue",
    "business_id": "3221308-6", "share_basis_points": 10000, "peppol_id": "0216:003732213086",
    "buyer_reference": "KHHYVA-SIB-1",
}
METRIC = {
    "metric_id": "placements", "name": "Placements outside the home avoided", "method": "counterfactual",
    "higher_is_better": False, "target": "0.10", "value_per_unit_cents": 15_000_000,
    "payment_share_basis_points": 1000, "cap_cents": 20_000_000,
}
EXAMPLES.update({
    "SetUpSibContract": {
        "municipality_code": "109", "outcome_payer": COUNTY_HAMEENLINNA,
        "savings_beneficiary": {"name": "Kanta-Hämeen hyvinvointialue", "business_id": "3221308-6"},
        "fund": FUND, "providers": [{"name": "Icehearts ry", "business_id": "2228357-4"}],
        "evaluator": {"name": "Outcome Evaluation Institute"}, "cohort_target": 40, "horizon_years": 12,
        "metrics": [METRIC],
        "periods": [{"period_id": "2027", "start": "2027-01-01", "end": "2027-12-31"}],
    },
    "SubmitResult": {"metric_id": "placements", "period_id": "2027", "value": "0.06", "counterfactual": "0.19",
                     "n": 32, "evidence_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
    "VerifyResult": {"metric_id": "placements", "period_id": "2027"},
    "DisputeResult": {"metric_id": "placements", "period_id": "2027", "reason": "the counterfactual cohort differs"},
    "BillOutcomePayment": {"metric_id": "placements", "period_id": "2027"},
    "RecordReinvestment": {"reinvestment_id": "2028-new-team", "amount_cents": 2_000_000,
                           "reinvested_on": "2028-08-01", "purpose": "a third team for the 2022 cohort"},
})
