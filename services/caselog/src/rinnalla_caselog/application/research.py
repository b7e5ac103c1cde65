"""Producing a research extract: who is in it (the consent rules), their pseudonymised rows, the event.

The caller writes each row's disclosure to the disclosure log and renders the table (CSV or Parquet).
"""

from __future__ import annotations

from dataclasses import dataclass

import rinnalla_consent as consent
from rinnalla_events import CommandWriter, Outcome, StreamEvents

from rinnalla_caselog.application.deciders import EXTRACT
from rinnalla_caselog.application.ports import ResearchSource
from rinnalla_caselog.domain import research


@dataclass(frozen=True)
class Disclosed:
    child_id: str
    consent_id: str | None


@dataclass(frozen=True)
class Extract:
    outcome: Outcome
    columns: list[str]
    rows: list[dict[str, object]]
    disclosed: list[Disclosed]


async def produce_extract(
    writer: CommandWriter, source: ResearchSource, master_key: bytes, author_id: str,
    command: research.ProduceResearchExtract,
) -> Extract:
    loaded = await writer.load(EXTRACT, command.extract_id)
    children = await source.children_of(command.municipality_code)
    views = await source.consent_views([c.child_id for c in children])
    included: list[research.ChildRecord] = []
    disclosed: list[Disclosed] = []
    for child in children:
        decision = consent.may_disclose(
            views[child.child_id], child.child_id, consent.RecipientKind.THL_RESEARCH, consent.Purpose.THL_RESEARCH,
            command.at,
        )
        if decision.allowed:
            included.append(child)
            disclosed.append(Disclosed(child.child_id, decision.consent_id))
    columns, rows = research.extract_table(included, research.study_key(master_key, command.study_id))
    events = research.decide(loaded.state, command, author_id, len(rows), len(children), columns)
    changes = [StreamEvents(EXTRACT.stream_type, command.extract_id, tuple(events))]
    result = {"kind": "extract", "id": command.extract_id, "events": [e.event_type for e in events],
              "rows": len(rows)}
    outcome = await writer.commit(changes, result, tenant=command.municipality_code)
    return Extract(outcome, columns, rows, disclosed)
