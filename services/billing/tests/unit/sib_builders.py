"""An outcome contract in Hämeenlinna: the county pays, the fund invoices."""

from __future__ import annotations

from typing import Any

from rinnalla_billing.adapters.examples import EXAMPLES


def contract_body(**overrides: Any) -> dict[str, Any]:
    body = dict(EXAMPLES["SetUpSibContract"])
    body.update(overrides)
    return body


EVIDENCE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def result_body(n: int = 32, value: str = "0.06", counterfactual: str = "0.19", period_id: str = "2027") -> (
    dict[str, Any]
):
    return {"metric_id": "placements", "period_id": period_id, "value": value, "counterfactual": counterfactual,
            "n": n, "evidence_hash": EVIDENCE}
