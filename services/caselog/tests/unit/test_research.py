"""The research extract's pseudonyms and table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rinnalla_caselog.domain import research as r
from rinnalla_caselog.domain.errors import AlreadyExists

MASTER = bytes(range(32))


def test_a_pseudonym_is_stable_within_a_study_and_differs_between_studies() -> None:
    key = r.study_key(MASTER, "thl-2015")
    assert r.pseudonym(key, "child-092-0001") == r.pseudonym(r.study_key(MASTER, "thl-2015"), "child-092-0001")
    assert r.pseudonym(key, "child-092-0001") != r.pseudonym(r.study_key(MASTER, "sib-eval"), "child-092-0001")
    assert r.pseudonym(key, "child-092-0001") != r.pseudonym(key, "child-092-0002")
    assert "child" not in r.pseudonym(key, "child-092-0001") and len(r.pseudonym(key, "x")) == 64


def test_the_table_has_one_row_per_child_without_ids_names_or_teams() -> None:
    children = [
        r.ChildRecord("child-092-0001", date(2019, 5, 3), date(2025, 8, 20), None,
                      {("one_to_one", "2026-09"): 2}, {("sdq", "parent", "baseline"): {"total_difficulties": 14.0}}),
        r.ChildRecord("child-092-0002", None, date(2025, 8, 20), date(2026, 6, 1), {}, {}),
    ]
    columns, rows = r.extract_table(children, r.study_key(MASTER, "s1"))
    assert columns == ["pseudonym", "birth_year", "cohort", "enrolled_on", "exited_on", "dose_one_to_one_2026-09",
                       "score_sdq_parent_baseline_total_difficulties"]
    assert len(rows) == 2 and rows == sorted(rows, key=lambda row: str(row["pseudonym"]))
    first = next(row for row in rows if row["birth_year"] == 2019)
    assert (first["cohort"], first["dose_one_to_one_2026-09"], first["score_sdq_parent_baseline_total_difficulties"]) \
        == (2025, 2, 14.0)
    second = next(row for row in rows if row["birth_year"] is None)
    assert (second["exited_on"], second["dose_one_to_one_2026-09"]) == (date(2026, 6, 1), 0)
    assert "child-092" not in repr(rows)


def test_an_extract_is_produced_once_per_id() -> None:
    command = r.ProduceResearchExtract(extract_id="e-1", study_id="s1", recipient_organisation="org-evaluator",
                                       municipality_code="092", at=datetime(2027, 1, 1, tzinfo=UTC))
    [event] = r.decide(r.initial(), command, "evaluator", 13, 20, ["pseudonym"])
    assert isinstance(event, r.ResearchExtractProduced) and (event.rows, event.children_considered) == (13, 20)
    with pytest.raises(AlreadyExists):
        r.decide(r.evolve(r.initial(), event), command, "evaluator", 13, 20, ["pseudonym"])
