"""The gauge behind the alert RinnallaReferralsOverdue, read from the network API's /metrics as Prometheus
scrapes it, over real PostgreSQL and NATS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from network_stack import Stack, ready, referral
from prometheus_client.parser import text_string_to_metric_families
from rinnalla_consent import finnish_day
from rinnalla_network.domain.calendar import add_working_days

pytestmark = pytest.mark.integration


async def overdue(stack: Stack) -> dict[tuple[tuple[str, str], ...], float]:
    response = await stack.network.http.get("/metrics")
    assert response.status_code == 200, response.text
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == "rinnalla_referrals_overdue"
    }


async def test_the_gauge_is_zero_without_referrals_and_names_no_child_or_tenant(stack: Stack) -> None:
    assert await overdue(stack) == {(("service", "network"),): 0.0}


async def test_an_open_referral_past_its_deadline_counts_until_it_moves_on(stack: Stack) -> None:
    child_id = await ready(stack)
    network = stack.network_context
    sent_at = network.clock()
    await stack.network.ok("/referrals/referral-1", referral(child_id), user="mentor.vantaa")
    await stack.network.ok("/referrals/referral-2", referral(child_id), user="mentor.vantaa")
    await stack.workers.caught_up()
    assert await overdue(stack) == {(("service", "network"),): 0.0}

    acknowledge_by = add_working_days(finnish_day(sent_at), 2)
    network.runtime.clock = lambda: sent_at + timedelta(days=(acknowledge_by - finnish_day(sent_at)).days)
    assert await overdue(stack) == {(("service", "network"),): 0.0}  # due today is not overdue yet
    network.runtime.clock = lambda: sent_at + timedelta(days=(acknowledge_by - finnish_day(sent_at)).days + 1)
    assert await overdue(stack) == {(("service", "network"),): 2.0}

    withdrawn = await stack.network.post("/referrals/referral-2/withdrawal",
                                         {"reason": "the family found help elsewhere"}, user="mentor.vantaa")
    assert withdrawn.status_code == 200, withdrawn.text
    await stack.workers.caught_up()
    assert await overdue(stack) == {(("service", "network"),): 1.0}
