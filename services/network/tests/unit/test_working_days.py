"""Finnish working days: weekends, public holidays and the eves on which work stops do not count."""

from __future__ import annotations

from datetime import date

import pytest
from rinnalla_network.domain.calendar import add_months, add_working_days, is_working_day
from rinnalla_network.domain.service_levels import ServiceLevel, ServiceLevels
from rinnalla_network.domain.values import OrganisationKind, Urgency


def test_easter_is_skipped() -> None:
    # Maundy Thursday 2 April 2026; Good Friday 3.4. and Easter Monday 6.4. are holidays
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 8)


def test_midsummer_eve_christmas_and_independence_day_are_not_working_days() -> None:
    for day in (date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 25), date(2028, 12, 6), date(2026, 1, 6),
                date(2026, 5, 14), date(2026, 5, 1)):
        assert not is_working_day(day), day
    assert is_working_day(date(2026, 6, 18))


def test_a_friday_send_is_acknowledged_by_tuesday() -> None:
    assert add_working_days(date(2026, 3, 6), 2) == date(2026, 3, 10)


def test_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 3) == date(2026, 4, 15)


def test_the_service_level_is_configurable_per_kind_and_urgent_referrals_are_faster() -> None:
    levels = ServiceLevels(levels={OrganisationKind.NGO: ServiceLevel(1, 3, 1)})
    ngo = levels.deadlines(OrganisationKind.NGO, Urgency.ROUTINE, date(2026, 3, 2))
    assert (ngo.acknowledge_by, ngo.decide_by, ngo.outcome_by) == (date(2026, 3, 3), date(2026, 3, 5), date(2026, 4, 2))
    urgent = ServiceLevels().deadlines(OrganisationKind.COUNTY_CHILD_WELFARE, Urgency.URGENT, date(2026, 3, 2))
    assert urgent.acknowledge_by == urgent.decide_by == date(2026, 3, 3)


def test_a_service_level_must_make_sense() -> None:
    with pytest.raises(ValueError, match="acknowledgement"):
        ServiceLevel(acknowledge_working_days=5, decide_working_days=2)
    with pytest.raises(ValueError, match="month"):
        ServiceLevel(outcome_months=0)
