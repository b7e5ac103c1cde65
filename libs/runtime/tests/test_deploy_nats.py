"""deploy/nats/nats.conf on a real nats-server: mutual TLS, one user per service, each publishing only its own
events and reading only the streams it consumes. Certificates come from deploy/nats/make_certs.py."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import nats.errors
import pytest
import yaml  # type: ignore[import-untyped]
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from rinnalla_events import Subjects, ensure_stream
from rinnalla_runtime.embedded import free_port, nats_server_binary, wait_for_port
from rinnalla_runtime.nats_options import nats_connect_options
from rinnalla_runtime.settings import RuntimeSettings

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SERVICES = ("enrollment", "caselog", "network", "billing")
PASSWORDS = {service: f"nats-{service}-password" for service in SERVICES}
SERVER_ENV = {f"NATS_{service.upper()}_PASSWORD": password for service, password in PASSWORDS.items()}
BUS = Subjects()


def deployed_config(root: Path, tls_dir: Path, port: int) -> Path:
    """deploy/nats/nats.conf as shipped, with the container's paths and ports moved to this test's own."""
    text = (DEPLOY / "nats" / "nats.conf").read_text()
    assert "/etc/nats/tls/" in text and "/data/jetstream" in text
    text = text.replace("/etc/nats/tls/", f"{tls_dir / 'server'}/").replace("/data/jetstream", str(root / "js"))
    text = text.replace("listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{port}").replace("http: 0.0.0.0:8222", "")
    conf = root / "nats.conf"
    conf.write_text(text)
    return conf


def test_nats_config_is_valid(tmp_path: Path, tls_dir: Path) -> None:
    result = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(deployed_config(tmp_path, tls_dir, free_port()))],
        env={**os.environ, **SERVER_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@dataclass
class DeployedNats:
    port: int
    tls_dir: Path

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def settings(self, service: str, **changes: object) -> RuntimeSettings:
        """What a service's container is given: its user, its password and its certificate."""
        values: dict[str, object] = {
            "nats_url": self.url,
            "nats_user": service,
            "nats_password": PASSWORDS[service],
            "nats_tls_ca": self.tls_dir / service / "ca.crt",
            "nats_tls_cert": self.tls_dir / service / "client.crt",
            "nats_tls_key": self.tls_dir / service / "client.key",
        }
        return RuntimeSettings(**{**values, **changes})


@pytest.fixture(scope="module")
def deployed_nats(tmp_path_factory: pytest.TempPathFactory, tls_dir: Path) -> Iterator[DeployedNats]:
    root = tmp_path_factory.mktemp("nats-deployed")
    port = free_port()
    process = subprocess.Popen(
        [str(nats_server_binary()), "-c", str(deployed_config(root, tls_dir, port))],
        env={**os.environ, **SERVER_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield DeployedNats(port, tls_dir)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Violations:
    """The asynchronous errors the server sends a client, such as permission violations."""

    seen: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def record(self, error: Exception) -> None:
        self.seen.append(str(error))
        self.arrived.set()

    async def next(self) -> str:
        await asyncio.wait_for(self.arrived.wait(), timeout=10)
        self.arrived.clear()
        return self.seen.pop(0)


@dataclass
class ServiceClient:
    nc: Client
    violations: Violations

    @property
    def js(self) -> nats.js.JetStreamContext:
        return self.nc.jetstream(timeout=1)  # a refused API request is never answered: wait briefly

    async def refused(self, subject_fragment: str) -> str:
        violation = await self.violations.next()
        assert "permissions violation" in violation.lower(), violation
        assert subject_fragment.lower() in violation.lower(), violation
        return violation


async def quiet(_error: Exception) -> None:
    """nats-py logs connection errors itself; the tests look at what `connect` raises."""


async def connect_as(deployed: DeployedNats, service: str, **changes: object) -> ServiceClient:
    """Connects exactly the way a service does: from its settings, through `nats_connect_options`."""
    settings = deployed.settings(service, **changes)
    violations = Violations()
    nc = await nats.connect(
        settings.require_nats_url(),
        allow_reconnect=False,
        max_reconnect_attempts=0,
        connect_timeout=2,
        error_cb=violations.record,
        **nats_connect_options(settings, service),
    )
    return ServiceClient(nc, violations)


@pytest.fixture
async def services(deployed_nats: DeployedNats) -> AsyncIterator[dict[str, ServiceClient]]:
    clients = {service: await connect_as(deployed_nats, service) for service in SERVICES}
    try:
        for service, client in clients.items():
            await ensure_stream(client.js, BUS, service)
        yield clients
    finally:
        for client in clients.values():
            await client.nc.close()


@pytest.mark.integration
def test_a_plaintext_connection_is_refused(deployed_nats: DeployedNats) -> None:
    with socket.create_connection(("127.0.0.1", deployed_nats.port), timeout=5) as plain:
        info = plain.recv(4096)
        assert b'"tls_required":true' in info
        plain.sendall(b'CONNECT {"user":"enrollment","pass":"nats-enrollment-password"}\r\nPING\r\n')
        answer = b""
        try:
            while chunk := plain.recv(4096):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    assert b"PONG" not in answer


async def log_in(deployed: DeployedNats, service: str, **changes: object) -> None:
    client = await connect_as(deployed, service, **changes)
    await client.nc.close()


def make_certs(out: Path) -> Path:
    subprocess.run([sys.executable, str(DEPLOY / "nats" / "make_certs.py"), "--out", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Certificates made the way deploy/README.md says: CA, server, one client certificate per service."""
    return make_certs(tmp_path_factory.mktemp("nats-tls"))


@pytest.fixture(scope="module")
def foreign_tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Certificates of another CA: what someone would present who cannot get ours signed."""
    return make_certs(tmp_path_factory.mktemp("nats-foreign-tls"))


@pytest.mark.integration
async def test_a_client_without_a_certificate_of_the_deployment_ca_is_refused(
    deployed_nats: DeployedNats, foreign_tls_dir: Path
) -> None:
    refusals = (ssl.SSLError, nats.errors.Error, OSError)
    await log_in(deployed_nats, "enrollment")
    with pytest.raises(refusals):
        await log_in(deployed_nats, "enrollment", nats_tls_cert=None, nats_tls_key=None)
    with pytest.raises(refusals):
        await log_in(
            deployed_nats,
            "enrollment",
            nats_tls_cert=foreign_tls_dir / "enrollment" / "client.crt",
            nats_tls_key=foreign_tls_dir / "enrollment" / "client.key",
        )


@pytest.mark.integration
async def test_a_wrong_password_is_refused(deployed_nats: DeployedNats) -> None:
    with pytest.raises(nats.errors.Error):
        await log_in(deployed_nats, "enrollment", nats_password="guessed")


@pytest.mark.integration
async def test_a_service_publishes_only_its_own_events(services: dict[str, ServiceClient]) -> None:
    enrollment = services["enrollment"]
    ack = await enrollment.js.publish("rinnalla.enrollment.child.enrollment.ChildEnrolled", b"{}")
    assert ack.stream == "RINNALLA_ENROLLMENT"
    last = await enrollment.js.get_last_msg("RINNALLA_ENROLLMENT", "rinnalla.enrollment.>")  # as the relay checks
    assert last.seq == ack.seq

    with pytest.raises(nats.errors.Error):
        await enrollment.js.publish("rinnalla.caselog.case.case.Forged", b"{}")
    await enrollment.refused('"rinnalla.caselog.case.case.Forged"')

    with pytest.raises(nats.errors.Error):
        await enrollment.js.add_stream(name="STOLEN", subjects=["rinnalla.caselog.>"])
    await enrollment.refused("$JS.API.STREAM.CREATE.STOLEN")

    with pytest.raises(nats.errors.Error):
        await services["caselog"].js.delete_stream("RINNALLA_ENROLLMENT")
    await services["caselog"].refused("$JS.API.STREAM.DELETE.RINNALLA_ENROLLMENT")


@pytest.mark.integration
async def test_a_service_reads_the_streams_it_consumes_as_the_projection_runner_does(
    services: dict[str, ServiceClient],
) -> None:
    subject = "rinnalla.enrollment.child.enrollment.ChildEnrolled"
    await services["enrollment"].js.publish(subject, b"{}", headers={"Nats-Msg-Id": "event-1"})
    for reader, durable in (("caselog", "caselog_view"), ("network", "network_view"), ("billing", "billing_view")):
        js = services[reader].js
        info = await js.stream_info("RINNALLA_ENROLLMENT")
        assert info.state.last_seq >= 1
        first = await js.get_msg("RINNALLA_ENROLLMENT", 1)
        assert first.subject == subject

        ordered = await js.subscribe(
            "rinnalla.enrollment.>",
            stream="RINNALLA_ENROLLMENT",
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        )
        assert (await ordered.next_msg(timeout=5)).subject == subject
        await ordered.unsubscribe()

        await js.add_consumer(
            "RINNALLA_ENROLLMENT",
            ConsumerConfig(
                name=durable,
                durable_name=durable,
                filter_subject="rinnalla.enrollment.>",
                ack_policy=AckPolicy.ALL,
                deliver_policy=DeliverPolicy.ALL,
            ),
        )
        pull = await js.pull_subscribe_bind(durable=durable, stream="RINNALLA_ENROLLMENT")
        (message,) = await pull.fetch(1, timeout=5)
        await message.ack_sync(timeout=5)
        await pull.unsubscribe()
        await js.delete_consumer("RINNALLA_ENROLLMENT", durable)
        assert services[reader].violations.seen == []


@pytest.mark.integration
async def test_a_service_cannot_read_what_it_does_not_consume(services: dict[str, ServiceClient]) -> None:
    await services["caselog"].js.publish("rinnalla.caselog.case.case.DoseRecorded", b"{}")
    enrollment, network = services["enrollment"], services["network"]

    with pytest.raises(nats.errors.Error):
        await network.js.add_consumer("RINNALLA_CASELOG", ConsumerConfig(name="peek", durable_name="peek"))
    await network.refused("$JS.API.CONSUMER.CREATE.RINNALLA_CASELOG")

    with pytest.raises(nats.errors.Error):
        await enrollment.js.subscribe("rinnalla.caselog.>", stream="RINNALLA_CASELOG", ordered_consumer=True)
    await enrollment.refused("$JS.API.CONSUMER.CREATE.RINNALLA_CASELOG")

    with pytest.raises(nats.errors.Error):
        await enrollment.js.get_msg("RINNALLA_CASELOG", 1)
    await enrollment.refused("$JS.API.STREAM.MSG.GET.RINNALLA_CASELOG")

    # Nor by listening: not to the event subjects, not to another service's inbox.
    for subject in ("rinnalla.caselog.>", "_INBOX.>", "_INBOX.billing.>"):
        await enrollment.nc.subscribe(subject)
        await enrollment.nc.flush()
        await enrollment.refused(f'"{subject}"')


def test_compose_gives_each_service_its_own_nats_user_and_certificate() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert "./nats/tls/server:/etc/nats/tls:ro" in services["nats"]["volumes"]
    for service in SERVICES:
        for role in ("migrate", "api", "worker"):
            container = services[f"{service}-{role}"]
            environment = container["environment"]
            assert environment["NATS_URL"] == "nats://nats:4222"  # no password in a URL
            assert environment["RINNALLA_NATS_USER"] == service
            assert environment["RINNALLA_NATS_PASSWORD"] == f"${{NATS_{service.upper()}_PASSWORD}}"
            assert container["volumes"] == [f"./nats/tls/{service}:/run/nats-tls:ro"]
            assert Path(environment["RINNALLA_NATS_TLS_KEY"]).parent == Path("/run/nats-tls")


@pytest.mark.integration
async def test_a_reader_cannot_slip_a_stream_it_reads_into_another_services_stream(
    services: dict[str, ServiceClient],
) -> None:
    """A push consumer's delivery subject is the creator's choice; pointed at another service's event
    subjects, the deliveries still do not become events of that service's stream."""
    await services["enrollment"].js.publish("rinnalla.enrollment.child.enrollment.ChildEnrolled", b"{}")
    before = (await services["network"].js.stream_info("RINNALLA_NETWORK")).state.messages
    await services["caselog"].js.add_consumer(
        "RINNALLA_ENROLLMENT",
        ConsumerConfig(name="smuggler", durable_name="smuggler", deliver_subject="rinnalla.network.smuggled"),
    )
    try:
        await asyncio.sleep(1)
        assert (await services["network"].js.stream_info("RINNALLA_NETWORK")).state.messages == before
    finally:
        await services["caselog"].js.delete_consumer("RINNALLA_ENROLLMENT", "smuggler")


@pytest.mark.integration
async def test_each_service_publishes_and_reads_its_audit_checkpoints_and_cannot_weaken_their_stream(
    deployed_nats: DeployedNats, services: dict[str, ServiceClient]
) -> None:
    from datetime import UTC, datetime

    from rinnalla_security import AccessEntry, MemoryAuditLog, new_signing_key
    from rinnalla_service.audit_checkpoints import CheckpointPublisher, NatsChainAnchors

    key = new_signing_key()
    audit_log = MemoryAuditLog(chain_key=bytes(32))
    entry = AccessEntry(
        request_id="r", actor_id="user-a", subject_id="child-1", purpose="programme_delivery",
        action="child.read", access_kind="read", endpoint="GET /v1/children/{child_id}",
    )  # fmt: skip
    await audit_log.record_accesses([entry])
    for service, client in services.items():
        publisher = CheckpointPublisher(audit_log, BUS, service, key, lambda: datetime.now(UTC))
        assert [checkpoint.seq for checkpoint in await publisher.publish(client.js)] == [1]

        async def connect(name: str = service) -> Client:
            return (await connect_as(deployed_nats, name)).nc

        anchors = await NatsChainAnchors(connect, BUS, service, (key.public_key(),)).anchors()
        assert anchors.available and anchors.rejected == ()
        assert len(anchors.for_log("access")) == 1
        assert client.violations.seen == []

    enrollment = services["enrollment"]
    with pytest.raises(nats.errors.Error):
        await enrollment.js.publish("rinnalla.audit.caselog.checkpoint.access", b"{}")
    await enrollment.refused('"rinnalla.audit.caselog.checkpoint.access"')
    info = await enrollment.js.stream_info("RINNALLA_AUDIT")
    with pytest.raises(nats.errors.Error):
        await enrollment.js.update_stream(name="RINNALLA_AUDIT", subjects=info.config.subjects, max_age=1.0)
    await enrollment.refused("$JS.API.STREAM.UPDATE.RINNALLA_AUDIT")
    with pytest.raises(nats.errors.Error):
        await enrollment.js.purge_stream("RINNALLA_AUDIT")
    await enrollment.refused("$JS.API.STREAM.PURGE.RINNALLA_AUDIT")
    assert info.config.deny_delete and info.config.deny_purge
