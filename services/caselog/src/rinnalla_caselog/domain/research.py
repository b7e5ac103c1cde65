"""The research extract: pseudonymised child-level rows for an evaluator or a research study.

The pseudonym of a child is a keyed hash (HMAC-SHA-256) of the child's id under the study's own key, so it
is stable across waves and extracts of one study, different in every other study, and cannot be turned
back into the id without the key. Rows only for children whose research consent is in force and who have
not prohibited it (the consent rules decide, `rinnalla_consent.may_disclose`); every row is written to the
disclosure log, and the extract itself is an event (`ResearchExtractProduced`, which names no child).

Columns: the pseudonym, birth year, cohort (the year of enrolment), enrolment and exit dates, the dose
(contacts per setting and month, `dose_<setting>_<yyyy-mm>`), and every scale's score per instrument,
informant and wave (`score_<instrument>_<informant>_<wave>_<scale>`). No name, identity code, note, team or
school: the identity code stays in the linkage environment.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, StringConstraints
from rinnalla_events import DomainEvent

from rinnalla_caselog.domain.errors import AlreadyExists
from rinnalla_caselog.domain.values import Id, Value

STREAM_TYPE = "extract"
FIXED_COLUMNS = ("pseudonym", "birth_year", "cohort", "enrolled_on", "exited_on")

StudyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{1,62}$")]


class ExtractFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


def pseudonym(study_key: bytes, child_id: str) -> str:
    return hmac.new(study_key, child_id.encode(), hashlib.sha256).hexdigest()


def study_key(master_key: bytes, study_id: str) -> bytes:
    """The study's own key, derived from the service's master key: the same study gets the same key."""
    return hmac.new(master_key, f"rinnalla research study {study_id}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class ChildRecord:
    """What the extract may use about one child (already consent-checked)."""

    child_id: str
    born_on: date | None
    enrolled_on: date | None
    exited_on: date | None
    dose: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(setting, yyyy-mm) -> contacts"""
    scores: Mapping[tuple[str, str, str], Mapping[str, float]] = field(default_factory=dict)
    """(instrument, informant, wave) -> scale -> score"""


def extract_table(
    children: Sequence[ChildRecord], key: bytes
) -> tuple[list[str], list[dict[str, object]]]:
    """The columns and the rows (one per child, ordered by pseudonym so the order reveals nothing)."""
    dose_columns = sorted({f"dose_{s}_{m}" for c in children for (s, m) in c.dose})
    score_columns = sorted({f"score_{i}_{n}_{w}_{scale}" for c in children for (i, n, w), scales in c.scores.items()
                            for scale in scales})
    columns = [*FIXED_COLUMNS, *dose_columns, *score_columns]
    rows: list[dict[str, object]] = []
    for child in children:
        row: dict[str, object] = dict.fromkeys(columns)
        row.update({
            "pseudonym": pseudonym(key, child.child_id),
            "birth_year": child.born_on.year if child.born_on else None,
            "cohort": child.enrolled_on.year if child.enrolled_on else None,
            "enrolled_on": child.enrolled_on,
            "exited_on": child.exited_on,
        })
        for column in dose_columns:
            row[column] = 0
        for (setting, month), count in child.dose.items():
            row[f"dose_{setting}_{month}"] = count
        for (instrument, informant, wave), scales in child.scores.items():
            for scale, value in scales.items():
                row[f"score_{instrument}_{informant}_{wave}_{scale}"] = value
        rows.append(row)
    rows.sort(key=lambda r: str(r["pseudonym"]))
    return columns, rows


class ResearchExtractProduced(DomainEvent):
    """An extract left the controller: for which study, to whom, how many rows (the disclosure log names
    the children)."""

    event_type: ClassVar[str] = "caselog.ResearchExtractProduced"
    extract_id: str
    study_id: str
    recipient_organisation: str
    municipality_code: str
    format: ExtractFormat
    rows: int
    children_considered: int
    columns: tuple[str, ...]
    produced_by: str
    at: AwareDatetime


RESEARCH_EVENTS: tuple[type[DomainEvent], ...] = (ResearchExtractProduced,)


class ProduceResearchExtract(Value):
    extract_id: Id
    study_id: StudyId
    recipient_organisation: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    municipality_code: Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
    format: ExtractFormat = ExtractFormat.CSV
    at: AwareDatetime


@dataclass(frozen=True)
class ExtractState:
    exists: bool = False


def initial() -> ExtractState:
    return ExtractState()


def evolve(state: ExtractState, event: DomainEvent) -> ExtractState:
    return ExtractState(True) if isinstance(event, ResearchExtractProduced) else state


def decide(
    state: ExtractState, command: ProduceResearchExtract, author_id: str, rows: int, considered: int,
    columns: Sequence[str],
) -> Sequence[DomainEvent]:
    if state.exists:
        raise AlreadyExists(
            "extract_id", f"extract {command.extract_id} was already produced: a new one needs a new id"
        )
    return [
        ResearchExtractProduced(
            extract_id=command.extract_id, study_id=command.study_id,
            recipient_organisation=command.recipient_organisation, municipality_code=command.municipality_code,
            format=command.format, rows=rows, children_considered=considered, columns=tuple(columns),
            produced_by=author_id, at=command.at,
        )
    ]
