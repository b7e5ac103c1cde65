"""The research extract through the application: the consent rules choose the rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

import rinnalla_consent as consent
from caselog_desk import Desk
from rinnalla_caselog.application.research import produce_extract
from rinnalla_caselog.domain import research as r
from rinnalla_events import CommandWriter, EventMetadata

AT = datetime(2027, 1, 10, tzinfo=UTC)
BEFORE = AT - timedelta(days=100)


def register(child_id: str, *, research: bool, prohibited: bool = False) -> consent.ConsentView:
    guardian = f"guardian-{child_id}"
    facts: list[consent.ConsentFact] = [
        consent.SubjectRegistered(subject_id=child_id, kind=consent.SubjectKind.CHILD, at=BEFORE,
                                  comes_of_age_on=date(2037, 5, 3)),
        consent.SubjectRegistered(subject_id=guardian, kind=consent.SubjectKind.ADULT, at=BEFORE),
        consent.GuardiansChanged(subject_id=child_id, guardian_ids=frozenset({guardian}), at=BEFORE),
    ]
    if research:
        facts.append(consent.ConsentGiven(consent_id=f"c-{child_id}", subject_id=child_id,
                                          purpose=consent.Purpose.THL_RESEARCH, given_by=guardian, at=BEFORE))
    if prohibited:
        # a prohibition takes effect with an assessment of the child's understanding on record
        facts.append(consent.MinorUnderstandingAssessed(subject_id=child_id, purpose=consent.Purpose.THL_RESEARCH,
                                                        understands=True, assessed_by="psychologist-1", at=BEFORE))
        facts.append(consent.MinorProhibitionRecorded(subject_id=child_id, purpose=consent.Purpose.THL_RESEARCH,
                                                      at=BEFORE))
    return consent.fold(facts)


class Source:
    def __init__(self) -> None:
        self.records = [r.ChildRecord(f"child-{n:02d}", date(2019, 1, 1), date(2025, 8, 20), None)
                        for n in range(20)]
        # 14 research consents, one of those children prohibited it
        self.views = {c.child_id: register(c.child_id, research=n < 14, prohibited=n == 3)
                      for n, c in enumerate(self.records)}

    async def children_of(self, municipality_code: str) -> Sequence[r.ChildRecord]:
        return self.records

    async def consent_views(self, child_ids: Sequence[str]) -> Mapping[str, consent.ConsentView]:
        return {child_id: self.views[child_id] for child_id in child_ids}


def command(extract_id: str = "e-1") -> r.ProduceResearchExtract:
    return r.ProduceResearchExtract(extract_id=extract_id, study_id="thl-2015", recipient_organisation="org-eval",
                                    municipality_code="092", at=AT)


async def test_20_children_14_consents_1_prohibition_give_13_rows_with_stable_pseudonyms(desk: Desk) -> None:
    source = Source()
    first = await produce_extract(CommandWriter(desk.store, EventMetadata(actor="e")), source, bytes(32), "e",
                                  command())
    assert len(first.rows) == len(first.disclosed) == 13
    assert "child-03" not in {d.child_id for d in first.disclosed}
    assert all(d.consent_id == f"c-{d.child_id}" for d in first.disclosed)
    second = await produce_extract(CommandWriter(desk.store, EventMetadata(actor="e")), source, bytes(32), "e",
                                   command("e-2"))
    assert [row["pseudonym"] for row in second.rows] == [row["pseudonym"] for row in first.rows]
    [event, _] = [rec.event for rec in await desk.recorded()]
    assert isinstance(event, r.ResearchExtractProduced)
    assert (event.rows, event.children_considered) == (13, 20)
    assert "child-" not in event.model_dump_json()
