"""Free text is personal by default: a contact correction's reason (a contact of one or several children)
is stored encrypted with a key of the contact's own record (kind `caselog_record`); caselog reads it back."""

from __future__ import annotations

import uuid

import pytest
from caselog_api import Api, contact

pytestmark = pytest.mark.integration

REASON = "Matti Virtanen's father came too, the visit took longer"


async def test_a_contact_correction_reason_is_not_stored_in_plaintext_and_reads_back(api: Api) -> None:
    contact_id = f"contact-{uuid.uuid4()}"
    body = contact(("child-092-0001", "child-092-0002"))
    assert (await api.post(f"/contacts/{contact_id}", body)).status_code == 200
    fixed = await api.post(f"/contacts/{contact_id}/correction", {**body, "minutes": 90, "reason": REASON})
    assert fixed.status_code == 200, fixed.text
    await api.project()

    async with api.caselog.runtime.connections.acquire() as conn:
        every = await conn.fetch("SELECT payload::text AS payload FROM caselog.events")
        stored = "\n".join(r["payload"] for r in every)
        row = await conn.fetchrow(
            "SELECT schema_version, payload->>'record_id' AS record_id, jsonb_typeof(payload->'reason') AS reason"
            " FROM caselog.events WHERE event_type = 'caselog.ContactCorrected' AND stream_id = $1", contact_id)
    assert REASON not in stored and "Virtanen" not in stored
    assert row is not None and tuple(row) == (2, f"caselog_record-contact-{contact_id}", "object")

    # caselog's own read of the contact's stream decrypts it; the timeline shows the correction
    recorded = await api.caselog.runtime.store.read_stream("contact", contact_id)
    assert getattr(recorded[-1].event, "reason", None) == REASON
    [shown] = (await api.get("/children/child-092-0001/contacts")).json()["contacts"]
    assert (shown["minutes"], shown["corrected"]) == (90, True)
