"""The free text of partnership and team events is encrypted with the record's own key (v2) and erased
with it; v1 payloads, whose text was plain, still read."""

from __future__ import annotations

import json
from datetime import date

from rinnalla_enrollment.bootstrap import event_registry
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.values import TerminationReason
from rinnalla_events import ERASED, NOT_DISCLOSED, EventCodec, InMemoryKeyStore

TEXT = "Sivistysjohtaja Raili Hämäläinen-Kotka vastusti"


async def test_the_free_text_is_sealed_with_the_records_key_and_reads_erased_after_the_key_is_shredded():
    keys = InMemoryKeyStore()
    codec = EventCodec(event_registry(), keys)
    events = [
        e.PartnershipNegotiationFailed(partnership_id="p-1", failed_on=date(2025, 2, 1),
                                       record_id=e.partnership_record("p-1"), reason=TEXT),
        e.PartnershipEnded(partnership_id="p-1", ended_on=date(2026, 2, 1),
                           record_id=e.partnership_record("p-1"), reason=TEXT),
        e.TeamTerminated(team_id="t-1", terminated_on=date(2026, 2, 1), reason=TerminationReason.OTHER,
                         record_id=e.team_record("t-1"), details=TEXT),
    ]
    stored = [await codec.encode(event) for event in events]
    assert TEXT not in json.dumps(stored, ensure_ascii=False)
    assert (await codec.decrypt_payload(stored[0]))["reason"] == TEXT

    await keys.destroy("record-partnership-p-1")

    after = [await codec.decrypt_payload(p) for p in stored]
    assert after[0]["reason"] == ERASED and after[1]["reason"] == ERASED
    assert after[2]["details"] == TEXT and after[2]["reason"] == "other"  # another record's key, the code plain


def test_v1_payloads_read_with_their_plain_text_and_the_records_key_subject():
    registry = event_registry()
    failed = registry.validate("enrollment.PartnershipNegotiationFailed", 1,
                               {"partnership_id": "p-1", "failed_on": "2025-02-01", "reason": "no budget"})
    ended = registry.validate("enrollment.PartnershipEnded", 1,
                              {"partnership_id": "p-1", "ended_on": "2026-02-01", "reason": "merged"})
    terminated = registry.validate("enrollment.TeamTerminated", 1, {
        "team_id": "t-1", "terminated_on": "2026-02-01", "reason": "other", "details": "no hall"})

    assert failed == e.PartnershipNegotiationFailed(partnership_id="p-1", failed_on=date(2025, 2, 1),
                                                    record_id="record-partnership-p-1", reason="no budget")
    assert isinstance(ended, e.PartnershipEnded) and ended.reason == "merged"
    assert isinstance(terminated, e.TeamTerminated) and terminated.details == "no hall"
    assert terminated.record_id == "record-team-t-1"


async def test_a_service_not_granted_record_keys_reads_the_text_as_not_disclosed():
    keys = InMemoryKeyStore()
    event = e.TeamTerminated(team_id="t-1", terminated_on=date(2026, 2, 1), reason=TerminationReason.OTHER,
                             record_id=e.team_record("t-1"), details=TEXT)
    stored = await EventCodec(event_registry(), keys).encode(event)
    billing_like = EventCodec(event_registry(), InMemoryKeyStore(readable_kinds=()))

    plain = await billing_like.decrypt_payload(stored)

    assert plain["details"] == NOT_DISCLOSED and plain["reason"] == "other"
