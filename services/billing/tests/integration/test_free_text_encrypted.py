"""Free text is personal by default: the reasons finance types for an amendment, a termination, a discarded
draft and a failed delivery are stored encrypted with the agreement's or the document's record key (kind
`billing_record`), and billing's own reads still show them."""

from __future__ import annotations

from datetime import date

import pytest
from billing_api import Api
from billing_builders import agreement_body

pytestmark = pytest.mark.integration

AMENDED = "Maija Virtanen of the county asked for a smaller share"
TERMINATED = "Council decision after Matti Korhonen's complaint"
DISCARDED = "Drafted on Liisa Nieminen's wrong instructions"
FAILED = "Pekka Laine's mailbox refused it"


async def test_billing_reasons_are_not_stored_in_plaintext_and_read_back(api: Api) -> None:
    await api.enrollment.partnership("p-vantaa", {"t1": date(2026, 1, 1), "t2": date(2026, 1, 1)})
    await api.project()
    await api.ok("/agreements/p-vantaa", agreement_body(frequency="half_yearly"))
    payers = agreement_body()["payers"]
    payers[0]["share_basis_points"], payers[1]["share_basis_points"] = 6_000, 4_000
    await api.ok("/agreements/p-vantaa/amendments",
                 {"effective_from": "2027-01-01", "payers": payers, "reason": AMENDED})
    drafted = (await api.ok("/agreements/p-vantaa/runs", {"period": "2026-H1"}))["documents"]
    await api.ok(f"/documents/{drafted[0]}/issue")
    await api.ok(f"/documents/{drafted[0]}/delivery-failure", {"failed_on": "2026-01-03", "reason": FAILED})
    await api.ok(f"/documents/{drafted[1]}/discard", {"reason": DISCARDED})
    await api.ok("/agreements/p-vantaa/termination", {"terminated_on": "2027-03-31", "reason": TERMINATED})
    await api.project()

    async with api.billing.runtime.connections.acquire() as conn:
        rows = await conn.fetch(
            "SELECT event_type, schema_version, payload::text AS payload FROM billing.events"
            " WHERE event_type = ANY($1::text[])",
            ["billing.AgreementAmended", "billing.AgreementTerminated", "billing.DocumentDiscarded",
             "billing.DocumentDeliveryFailed"],
        )
        every = await conn.fetch("SELECT payload::text AS payload FROM billing.events")
        stored = "\n".join(r["payload"] for r in every)
        note = await conn.fetchval(
            "SELECT delivery_note FROM billing_read.documents WHERE document_id = $1", drafted[0]
        )
    assert sorted((r["event_type"], r["schema_version"]) for r in rows) == [
        ("billing.AgreementAmended", 2), ("billing.AgreementTerminated", 2),
        ("billing.DocumentDeliveryFailed", 2), ("billing.DocumentDiscarded", 2),
    ]
    for reason in (AMENDED, TERMINATED, DISCARDED, FAILED):
        assert reason not in stored
    for surname in ("Virtanen", "Korhonen", "Nieminen", "Laine"):
        assert surname not in stored
    # billing's own reads decrypt them: the documents read model and the agreement's stream
    assert note == FAILED
    recorded = await api.billing.runtime.store.read_stream("agreement", "p-vantaa")
    reasons = {type(r.event).__name__: getattr(r.event, "reason", None) for r in recorded}
    assert reasons["AgreementAmended"] == AMENDED and reasons["AgreementTerminated"] == TERMINATED
    discarded = await api.billing.runtime.store.read_stream("document", drafted[1])
    assert [getattr(r.event, "reason", None) for r in discarded][-1] == DISCARDED
