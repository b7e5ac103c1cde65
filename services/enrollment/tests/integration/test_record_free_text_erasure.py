"""The free text of a partnership or a team (a failed negotiation's reason, a termination's details) is
personal by default: it is encrypted with the record's own key, and the DPO's erasure of that free text
shreds the key, after which the text is nowhere in the event table, the read model or on NATS."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from enrollment_scenario import OTHER_TEAM, partnership_with_teams
from test_erasure_leaves_no_way_back import dump_database, dump_jetstream

pytestmark = pytest.mark.integration

FAILED = "partnership-091"
NEGOTIATION_TEXT = "Sivistysjohtaja Raili Hämäläinen-Kotka ei saanut lautakunnan tukea"
TERMINATION_TEXT = "Ohjaaja Veli-Pekka Saarijärvenmäki muutti, kukaan ei jatkanut"
ERASURE = {"reason": "Retention of the partnership record ended, case DPO-2026-031"}


async def stored_payloads(api: Any) -> list[dict[str, Any]]:
    async with api.enrollment.connections.acquire() as conn:
        rows = await conn.fetch("SELECT payload::text AS p FROM enrollment.events ORDER BY position")
    return [json.loads(r["p"]) for r in rows]


async def readable_text(api: Any) -> str:
    """Every stored payload as enrollment can decrypt it."""
    codec = api.enrollment.codec
    plain = [await codec.decrypt_payload(p) for p in await stored_payloads(api)]
    return "\n".join(json.dumps(p, ensure_ascii=False) for p in plain)


async def erase_text(api: Any, path: str, user: str = "dpo.vantaa") -> Any:
    return await api.client.post(
        f"/v1{path}/free-text/erasure", json=ERASURE,
        headers={**api.token(user, purpose=None), "Idempotency-Key": str(uuid.uuid4())},
    )


async def test_erasing_a_records_free_text_leaves_it_nowhere_and_keeps_the_record(api):
    await partnership_with_teams(api)
    await api.ok(f"/partnerships/{FAILED}", {"municipality_code": "092", "opened_on": "2025-01-20"})
    await api.ok(f"/partnerships/{FAILED}/negotiation-failure", {"failed_on": "2025-02-20", "reason": NEGOTIATION_TEXT})
    await api.ok(f"/teams/{OTHER_TEAM}/termination",
                 {"terminated_on": "2025-12-01", "reason": "mentor_not_replaced", "details": TERMINATION_TEXT})
    await api.project()
    raw = json.dumps(await stored_payloads(api), ensure_ascii=False)
    # Encrypted in the log from the start, readable by enrollment with the record's key.
    assert NEGOTIATION_TEXT not in raw and TERMINATION_TEXT not in raw
    readable = await readable_text(api)
    assert NEGOTIATION_TEXT in readable and TERMINATION_TEXT in readable

    assert (await erase_text(api, f"/partnerships/{FAILED}", user="coordinator.vantaa")).status_code == 403
    assert (await erase_text(api, "/partnerships/partnership-nowhere")).status_code == 404
    first = await erase_text(api, f"/partnerships/{FAILED}")
    assert first.status_code == 200, first.text
    assert first.json() == {"record_id": f"record-partnership-{FAILED}", "already_erased": False}
    again = await erase_text(api, f"/partnerships/{FAILED}")
    assert again.status_code == 200 and again.json()["already_erased"] is True
    team = await erase_text(api, f"/teams/{OTHER_TEAM}")
    assert team.status_code == 200, team.text
    await api.project()

    everything = await dump_database(api) + "\n" + await dump_jetstream(api) + "\n" + await readable_text(api)
    for text in (NEGOTIATION_TEXT, TERMINATION_TEXT, "Hämäläinen", "Saarijärvenmäki"):
        assert text not in everything
    assert "[erased]" in await readable_text(api)
    # The records' structured facts stay: the failure and the termination are still in the log.
    async with api.enrollment.connections.acquire() as conn:
        kept = {r["event_type"] for r in await conn.fetch(
            "SELECT event_type FROM enrollment.events WHERE stream_id = ANY($1::text[])", [FAILED, OTHER_TEAM])}
    assert {"enrollment.PartnershipNegotiationFailed", "enrollment.TeamTerminated"} <= kept
