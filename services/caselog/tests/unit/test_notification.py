"""The child-welfare notification marker: that it was filed, never what it said."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from caselog_builders import AINO_WRITES, COORDINATOR, TEAM_A, TEAMS
from pydantic import ValidationError
from rinnalla_caselog.domain import notification as n
from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue

NOW = datetime(2027, 3, 1, 10, tzinfo=UTC)


def marker(**overrides: Any) -> n.RecordNotificationFiled:
    values: dict[str, Any] = {"marker_id": "marker-1", "child_id": "child-092-0001", "filed_on": date(2027, 2, 20),
                              "filer_role": "mentor", "channel": "phone", "family_informed": True, "at": NOW}
    values.update(overrides)
    return n.RecordNotificationFiled.model_validate(values)


def test_the_marker_records_day_county_role_channel_and_whether_the_family_was_told() -> None:
    [event] = n.decide(n.initial(), marker(), AINO_WRITES, TEAMS[TEAM_A])
    assert isinstance(event, n.ChildWelfareNotificationFiled)
    assert (event.county_code, event.channel, event.filer_role) == ("04", n.Channel.PHONE, n.FilerRole.MENTOR)
    assert "content" not in n.ChildWelfareNotificationFiled.model_fields


@pytest.mark.parametrize("field", ["content", "reason", "Description", "note"])
def test_a_marker_with_content_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match="never carries the notification's content"):
        marker(**{field: "the child said ..."})


def test_e_mail_is_not_a_channel() -> None:
    with pytest.raises(ValidationError):
        marker(channel="email")


def test_the_county_must_exist_and_defaults_to_the_team_s() -> None:
    [event] = n.decide(n.initial(), marker(county_code="05"), AINO_WRITES, TEAMS[TEAM_A])
    assert event.county_code == "05"  # type: ignore[attr-defined]
    with pytest.raises(InvalidValue) as refused:
        n.decide(n.initial(), marker(county_code="99"), AINO_WRITES, TEAMS[TEAM_A])
    assert refused.value.field == "county_code"


def test_a_future_filing_day_a_second_record_and_a_mentor_recording_another_s_filing_are_refused() -> None:
    with pytest.raises(InvalidValue) as future:
        n.decide(n.initial(), marker(filed_on=date(2027, 3, 2)), AINO_WRITES, TEAMS[TEAM_A])
    assert future.value.field == "filed_on"
    with pytest.raises(InvalidValue) as role:
        n.decide(n.initial(), marker(filer_role="coordinator"), AINO_WRITES, TEAMS[TEAM_A])
    assert role.value.field == "filer_role"
    assert n.decide(n.initial(), marker(filer_role="mentor"), COORDINATOR, TEAMS[TEAM_A])
    with pytest.raises(AlreadyExists):
        n.decide(n.NotificationState(True), marker(), AINO_WRITES, TEAMS[TEAM_A])
