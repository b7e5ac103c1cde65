"""ADR 0004 on real PostgreSQL: each service's database role reads the data keys of the kinds of person it is
granted, and no other. Enrollment writes a child's enrolment (the child's and a guardian's personal fields);
the other services decode it as their own roles.

The roles here carry a unique prefix (roles are shared by every database of a server) and get exactly the
grants the deploy script gives the real `<service>_owner` roles, rendered by the same function.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from rinnalla_enrollment.domain.events import ChildEnrolled
from rinnalla_enrollment.domain.values import Guardian, School
from rinnalla_events import (
    NOT_DISCLOSED,
    AsyncpgConnections,
    Envelope,
    EventCodec,
    EventRegistry,
    install_store,
    key_access_sql,
    register_consumed,
)
from rinnalla_events._crypto import PostgresKeyStore, new_master_key, parse_master_key
from rinnalla_network.consumed.enrollment import ENROLLMENT_READERS as NETWORK_READERS
from rinnalla_runtime.service import find_service

pytestmark = pytest.mark.integration

SERVICES = ("enrollment", "caselog", "network", "billing")
CHILD = "child-092-0001"
GUARDIAN = "guardian-092-0001"
SECRETS = ("Aino", "Virtanen", "010118A9876", "Maija", "0401234567")


@dataclass
class Roles:
    database_url: str
    urls: dict[str, str]  # service -> URL that logs in as its role


def _as(url: str, role: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}"))


@pytest.fixture
async def roles(database_url: str) -> AsyncIterator[Roles]:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    names = {service: f"{prefix}_{service}" for service in SERVICES}
    grants = {names[service]: find_service(service).subject_kinds for service in SERVICES}
    admin = await asyncpg.connect(database_url)
    try:
        await install_store(admin, "enrollment")
        for role in names.values():
            await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
        await admin.execute(key_access_sql(grants))
        yield Roles(database_url, {service: _as(database_url, role, f"pw-{role}") for service, role in names.items()})
    finally:
        for role in names.values():
            await admin.execute(f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
                                f"DROP OWNED BY {role}; DROP ROLE {role}; END IF; END $$")  # fmt: skip
        await admin.close()


@pytest.fixture
def master_key() -> bytes:
    return parse_master_key(new_master_key())


async def _keys(url: str, master: bytes, kinds: frozenset[str] | None) -> tuple[PostgresKeyStore, AsyncpgConnections]:
    connections = await AsyncpgConnections.connect(url, min_size=1, max_size=2)
    return PostgresKeyStore(connections, master, readable_kinds=kinds, cache_seconds=0), connections


def _enrolment() -> ChildEnrolled:
    return ChildEnrolled(
        child_id=CHILD,
        team_id="team-1",
        enrolled_on=date(2026, 8, 1),
        given_names="Aino",
        family_name="Virtanen",
        hetu="010118A9876",
        date_of_birth="2018-01-01",
        guardians=(Guardian(guardian_id=GUARDIAN, given_names="Maija", family_name="Virtanen", phone="0401234567"),),
        school=School(name="Länsimäen koulu"),
        class_name="2B",
        consent_id="consent-1",
        at=datetime(2026, 8, 1, 10, tzinfo=UTC),
    )


async def _written_by_enrollment(roles: Roles, master: bytes) -> Envelope:
    keys, connections = await _keys(roles.urls["enrollment"], master, find_service("enrollment").subject_kinds)
    try:
        payload = await EventCodec(EventRegistry([ChildEnrolled]), keys).encode(_enrolment())
    finally:
        await connections.close()
    return Envelope.model_validate(
        {
            "event_id": str(uuid.uuid4()),
            "position": 1,
            "stream_type": "child",
            "stream_id": CHILD,
            "version": 3,
            "event_type": ChildEnrolled.event_type,
            "schema_version": ChildEnrolled.schema_version,
            "occurred_at": "2026-08-01T10:00:00+00:00",
            "recorded_at": "2026-08-01T10:00:00+00:00",
            "actor": "coordinator",
            "correlation_id": str(uuid.uuid4()),
            "payload": payload,
        }
    )


async def _decrypted_as(service: str, roles: Roles, master: bytes, envelope: Envelope, kinds: Any) -> dict[str, Any]:
    keys, connections = await _keys(roles.urls[service], master, kinds)
    try:
        return await EventCodec(EventRegistry(), keys).decrypt_payload(envelope.payload)
    finally:
        await connections.close()


def _no_secret_in(payload: dict[str, Any]) -> bool:
    text = json.dumps(payload, ensure_ascii=False)
    return not any(secret in text for secret in SECRETS)


async def test_each_service_reads_the_kinds_of_person_it_is_granted_and_sees_the_others_as_not_disclosed(
    roles: Roles, master_key: bytes
) -> None:
    envelope = await _written_by_enrollment(roles, master_key)
    assert _no_secret_in(envelope.payload)  # the stored and published form is ciphertext

    # network reads children and guardians: its own reader model gets the plaintext.
    keys, connections = await _keys(roles.urls["network"], master_key, find_service("network").subject_kinds)
    try:
        enrolled = (await EventCodec(register_consumed(EventRegistry(), NETWORK_READERS), keys).decode(envelope)).event
    finally:
        await connections.close()
    assert enrolled.model_dump(include={"given_names", "family_name", "hetu"}) == {
        "given_names": "Aino",
        "family_name": "Virtanen",
        "hetu": "010118A9876",
    }
    assert enrolled.model_dump(mode="json")["guardians"] == [
        {"guardian_id": GUARDIAN, "given_names": "Maija", "family_name": "Virtanen", "phone": "0401234567", "email": ""}
    ]

    # caselog reads children and staff, not guardians.
    caselog = await _decrypted_as("caselog", roles, master_key, envelope, find_service("caselog").subject_kinds)
    assert (caselog["given_names"], caselog["hetu"]) == ("Aino", "010118A9876")
    guardian = caselog["guardians"][0]
    assert {name: guardian[name] for name in ("guardian_id", "given_names", "family_name", "phone", "email")} == {
        "guardian_id": GUARDIAN,
        "given_names": NOT_DISCLOSED,
        "family_name": NOT_DISCLOSED,
        "phone": NOT_DISCLOSED,
        "email": NOT_DISCLOSED,
    }
    assert _no_secret_in(guardian)

    # billing reads no kind of person.
    billing = await _decrypted_as("billing", roles, master_key, envelope, find_service("billing").subject_kinds)
    assert _no_secret_in(billing)
    assert billing["given_names"] == billing["hetu"] == billing["guardians"][0]["phone"] == NOT_DISCLOSED
    assert billing["team_id"] == "team-1"  # what is not personal reads as published


async def test_the_database_withholds_the_keys_of_kinds_not_granted_whatever_the_service_code_asks(
    roles: Roles, master_key: bytes
) -> None:
    envelope = await _written_by_enrollment(roles, master_key)
    # A key store that claims every kind, as a careless or compromised service might: RLS still says no.
    caselog = await _decrypted_as("caselog", roles, master_key, envelope, None)
    assert caselog["given_names"] == "Aino"
    assert _no_secret_in(caselog["guardians"][0])
    assert _no_secret_in(await _decrypted_as("billing", roles, master_key, envelope, None))

    conn = await asyncpg.connect(roles.urls["caselog"])
    try:
        visible = await conn.fetch("SELECT subject_id FROM keys.subject_keys ORDER BY subject_id")
        assert [row["subject_id"] for row in visible] == [CHILD]
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute("INSERT INTO keys.subject_keys (subject_id, wrapped_key) VALUES ('guardian-2', 'x')")
        erased = await conn.execute(
            "UPDATE keys.subject_keys SET wrapped_key = NULL, erased_at = now() WHERE subject_id = $1", GUARDIAN
        )
        assert erased == "UPDATE 0"  # it cannot erase (or see) a guardian's key either
    finally:
        await conn.close()
