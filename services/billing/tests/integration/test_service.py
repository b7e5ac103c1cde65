"""The billing service on the skeleton: probes, authentication, and a worker that runs before enrollment
has published anything and picks enrollment's events up once they come."""

from __future__ import annotations

from datetime import date

import pytest
from billing_api import Api

pytestmark = pytest.mark.integration


async def test_probes_and_authentication(api: Api) -> None:
    assert (await api.client.get("/healthz")).status_code == 200
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json()["checks"]) == {"postgres", "nats"}
    refused = await api.client.get("/v1/agreements/p-vantaa/documents")
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"


async def test_the_worker_waits_for_enrollment_s_stream(api: Api) -> None:
    await api.project()  # no enrollment stream yet: the worker runs and has nothing to do
    await api.enrollment.partnership("p-late", {"t1": date(2026, 1, 1), "t2": None})
    await api.project()
    facts = await api.billing.facts.partnership("p-late")
    assert facts is not None
    assert [(t.team_id, t.activated_on) for t in facts.teams] == [("t1", date(2026, 1, 1)), ("t2", None)]
