"""Every service's reader models of other services' events hold against the JSON Schemas the producers
publish in docs/events, and the database grants on personal-data keys are the kinds each service declares.

A producer's change that breaks a consumer fails here, in CI, before it reaches the bus; the unit tests of
the check itself (each kind of breaking change) are in libs/events/tests/test_consumer_contract_checks.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rinnalla_events import ConsumedEvent, PublishedSchemas, check_reader, key_access_sql
from rinnalla_runtime.service import ServiceSpec, discover_services

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "docs" / "events"
KEY_ACCESS_SQL = REPO / "deploy" / "postgres" / "initdb.d" / "20-subject-key-access.sql"


def _readers() -> list[tuple[str, type[ConsumedEvent]]]:
    found: list[tuple[str, type[ConsumedEvent]]] = []
    for spec in discover_services():
        for reader in spec.consumed_events:
            assert isinstance(reader, type) and issubclass(reader, ConsumedEvent), (spec.name, reader)
            found.append((spec.name, reader))
    return found


READERS = _readers()


def test_the_services_that_consume_enrollment_declare_their_readers() -> None:
    consumers = {service for service, reader in READERS if reader.publisher() == "enrollment"}
    assert consumers >= {"caselog", "network", "billing"}


@pytest.mark.parametrize(("service", "reader"), READERS, ids=[f"{s}:{r.event_type}" for s, r in READERS])
def test_every_reader_holds_against_the_published_schema(service: str, reader: type[ConsumedEvent]) -> None:
    assert reader.publisher() != service, f"{service} reads its own event {reader.event_type} through a reader"
    assert check_reader(reader, PublishedSchemas.from_directory(PUBLISHED)) == []


def test_the_database_grants_the_kinds_of_person_each_service_declares() -> None:
    specs: list[ServiceSpec] = discover_services()
    expected = key_access_sql({f"{spec.name}_owner": spec.subject_kinds for spec in specs})
    assert expected in KEY_ACCESS_SQL.read_text(encoding="utf-8"), (
        f"{KEY_ACCESS_SQL.name} is out of date: below its header it must read\n{expected}"
    )


def test_a_service_s_registry_decodes_the_producer_s_payload_into_its_reader() -> None:
    from rinnalla_billing.consumed.enrollment import ENROLLMENT_READERS, FundingCommitted, FundingSource
    from rinnalla_events import EventRegistry
    from rinnalla_service import ServiceCore
    from rinnalla_service.runtime import service_registry

    core = ServiceCore(name="billing", registry=EventRegistry, consumed=lambda: ENROLLMENT_READERS)
    registry = service_registry(core)
    payload = {"team_id": "team-1", "year": 2027, "source": "municipality", "funder": "092", "amount_eur": "12000.00"}
    event = registry.validate("enrollment.FundingCommitted", 1, {**payload, "added_later": True})
    assert event == FundingCommitted.model_validate(payload)
    assert isinstance(event, FundingCommitted) and event.source is FundingSource.MUNICIPALITY
    assert registry.knows("rinnalla.SubjectErased")
