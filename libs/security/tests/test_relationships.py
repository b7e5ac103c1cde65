"""Access that follows the log: relationships held on a day, and what they let a principal see."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rinnalla_security import (
    DEMO_RELATIONSHIPS,
    MemoryRelationships,
    Principal,
    Relations,
    Role,
    Visibility,
    coming_of_age,
    demo_user,
    guardianship,
    mentorship,
    relations_of,
    service_day,
)

TODAY = date(2026, 3, 2)


async def visibility(username: str, source: MemoryRelationships, day: date = TODAY) -> Visibility:
    principal = demo_user(username).principal()
    return Visibility(principal, await relations_of(principal, source, day))


async def test_a_mentor_sees_the_teams_they_are_assigned_to_and_their_children() -> None:
    mentor = await visibility("mentor.vantaa", MemoryRelationships(DEMO_RELATIONSHIPS))

    assert mentor.can_see_team("team-092-2019-a")
    assert not mentor.can_see_team("team-109-2020-a")
    assert mentor.can_see_child("child-x", team_id="team-092-2019-a")
    assert not mentor.can_see_child("child-x", team_id="team-109-2020-a")
    assert not mentor.can_see_child("child-x")


async def test_a_mentor_assigned_later_sees_the_new_team_and_one_who_left_does_not() -> None:
    source = MemoryRelationships(DEMO_RELATIONSHIPS)
    source.add(mentorship("user-mentor.vantaa", "team-092-2019-b"))
    source.remove("user-mentor.vantaa", "team-092-2019-a")
    source.add(mentorship("user-mentor.vantaa", "team-092-2019-a", left_on=TODAY))

    mentor = await visibility("mentor.vantaa", source)

    assert mentor.can_see_team("team-092-2019-b")
    assert not mentor.can_see_team("team-092-2019-a")
    assert (await visibility("mentor.vantaa", source, date(2026, 3, 1))).can_see_team("team-092-2019-a")


async def test_a_guardian_sees_their_children_until_the_18th_birthday() -> None:
    source = MemoryRelationships([guardianship("guardian-092-0001", "child-092-0001", date(2008, 3, 2))])

    day_before = await visibility("guardian.vantaa", source, date(2026, 3, 1))
    birthday = await visibility("guardian.vantaa", source, TODAY)

    assert day_before.can_see_child("child-092-0001")
    assert not day_before.can_see_child("child-092-0099", team_id="team-092-2019-a")
    assert not day_before.can_see_team("team-092-2019-a")
    assert not birthday.can_see_child("child-092-0001")


async def test_a_child_of_unknown_birth_date_reaches_no_guardian() -> None:
    source = MemoryRelationships([guardianship("guardian-092-0001", "child-092-0001", None)])

    assert not (await visibility("guardian.vantaa", source)).can_see_child("child-092-0001")


async def test_a_relationship_counts_only_with_its_role() -> None:
    source = MemoryRelationships(
        [mentorship("person-1", "team-a"), guardianship("person-1", "child-b", date(2019, 1, 1))]
    )
    guardian = Principal(subject="person-1", roles=frozenset({Role.GUARDIAN}), tenants=frozenset({"092"}))

    relations = await relations_of(guardian, source, TODAY)

    assert relations == Relations(child_ids=frozenset({"child-b"}))


async def test_tenant_wide_staff_need_no_relationship_and_the_source_is_not_asked() -> None:
    class Refusing(MemoryRelationships):
        async def relationships_of(self, person_id: str) -> list[object]:  # type: ignore[override]
            raise AssertionError("asked")

    coordinator = await visibility("coordinator.vantaa", Refusing())

    assert coordinator.can_see_team("any-team") and coordinator.can_see_child("any-child")


async def test_a_child_sees_themself_only() -> None:
    child = await visibility("child.vantaa", MemoryRelationships(DEMO_RELATIONSHIPS))

    assert child.can_see_child("child-092-0001")
    assert not child.can_see_child("child-092-0002")


def test_coming_of_age_is_the_18th_birthday_in_finnish_time() -> None:
    assert coming_of_age(date(2008, 3, 2)) == date(2026, 3, 2)
    assert coming_of_age(date(2008, 2, 29)) == date(2026, 3, 1)
    assert service_day(datetime(2026, 3, 1, 22, 30, tzinfo=UTC)) == date(2026, 3, 2)
