"""The processing purposes a caller may state in `X-Purpose`, and which of them each role may claim.

A purpose is why someone processes a person's data (GDPR art. 5(1)(b)); it is written to the access log
with every read and write of personal data, so it must be one the controller has defined, and one that fits
the caller's work: a mentor delivers the programme, a data-protection officer audits, a guardian handles
their own child's matters. These are not the consent purposes of `rinnalla_consent` (what a guardian agrees
to share); a route may narrow the list further with `authorize(..., purposes=...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from rinnalla_security.roles import Role


class ProcessingPurpose(StrEnum):
    PROGRAMME_DELIVERY = "programme_delivery"
    SAFEGUARDING = "safeguarding"
    NETWORK_MEETING = "network_meeting"
    COUNTY_COOPERATION = "county_cooperation"
    SCHOOL_COOPERATION = "school_cooperation"
    SUPERVISION = "supervision"
    OWN_CHILD = "own_child"
    OWN_DATA = "own_data"
    OUTCOME_EVALUATION = "outcome_evaluation"
    INVOICING = "invoicing"
    CLIENT_RIGHTS_LOG_REQUEST = "client_rights_log_request"
    SUPERVISION_OF_ACCESS = "supervision_of_access"
    DATA_SUBJECT_ERASURE = "data_subject_erasure"


PURPOSE_DESCRIPTIONS: Mapping[ProcessingPurpose, str] = MappingProxyType(
    {
        ProcessingPurpose.PROGRAMME_DELIVERY: "running the mentoring programme: selection, enrolment, the team's work",
        ProcessingPurpose.SAFEGUARDING: "a concern for the child's safety or wellbeing",
        ProcessingPurpose.NETWORK_MEETING: "a multi-professional meeting about the child, under consent",
        ProcessingPurpose.COUNTY_COOPERATION: (
            "the wellbeing services county's social services cooperating with the programme about a child, "
            "under the consent for sharing with social services"
        ),
        ProcessingPurpose.SCHOOL_COOPERATION: (
            "the school cooperating with the team about its own pupils, under the consent for sharing with the school"
        ),
        ProcessingPurpose.SUPERVISION: "supervising the mentoring work",
        ProcessingPurpose.OWN_CHILD: "a guardian handling their own child's matters",
        ProcessingPurpose.OWN_DATA: "the child or young person handling their own matters",
        ProcessingPurpose.OUTCOME_EVALUATION: "evaluating outcomes on pseudonymised data (research consent or law)",
        ProcessingPurpose.INVOICING: "invoicing and outcome payments",
        ProcessingPurpose.CLIENT_RIGHTS_LOG_REQUEST: "a client's request to see who processed their data",
        ProcessingPurpose.SUPERVISION_OF_ACCESS: "checking what a user accessed",
        ProcessingPurpose.DATA_SUBJECT_ERASURE: "erasing a person's data on request or by the retention rules",
    }
)

_P = ProcessingPurpose

ROLE_PURPOSES: Mapping[Role, frozenset[ProcessingPurpose]] = MappingProxyType(
    {
        Role.MENTOR: frozenset({_P.PROGRAMME_DELIVERY, _P.SAFEGUARDING, _P.NETWORK_MEETING}),
        Role.COORDINATOR: frozenset({_P.PROGRAMME_DELIVERY, _P.SAFEGUARDING, _P.NETWORK_MEETING, _P.SUPERVISION}),
        Role.MUNICIPALITY_OFFICIAL: frozenset(),  # aggregates only
        Role.COUNTY_SOCIAL_WORKER: frozenset({_P.SAFEGUARDING, _P.NETWORK_MEETING, _P.COUNTY_COOPERATION}),
        Role.SCHOOL: frozenset({_P.NETWORK_MEETING, _P.SAFEGUARDING, _P.SCHOOL_COOPERATION}),
        Role.GUARDIAN: frozenset({_P.OWN_CHILD, _P.CLIENT_RIGHTS_LOG_REQUEST}),
        Role.CHILD: frozenset({_P.OWN_DATA, _P.CLIENT_RIGHTS_LOG_REQUEST}),
        Role.PARTNER_ORGANISATION: frozenset({_P.PROGRAMME_DELIVERY, _P.NETWORK_MEETING}),
        Role.SIB_FUND: frozenset(),  # aggregates only
        Role.EVALUATOR: frozenset({_P.OUTCOME_EVALUATION}),
        Role.FINANCE: frozenset({_P.INVOICING}),
        Role.ERP_CLIENT: frozenset({_P.INVOICING}),
        Role.ADMIN: frozenset({_P.PROGRAMME_DELIVERY, _P.SUPERVISION_OF_ACCESS, _P.DATA_SUBJECT_ERASURE}),
        Role.DPO: frozenset({_P.CLIENT_RIGHTS_LOG_REQUEST, _P.SUPERVISION_OF_ACCESS, _P.DATA_SUBJECT_ERASURE}),
        Role.SUPERVISOR: frozenset({_P.SUPERVISION, _P.SUPERVISION_OF_ACCESS}),
    }
)
"""Which purposes each role may claim; a caller with several roles may claim any of theirs."""


def claimable_purposes(roles: Iterable[Role]) -> frozenset[ProcessingPurpose]:
    found: set[ProcessingPurpose] = set()
    for role in roles:
        found |= ROLE_PURPOSES.get(role, frozenset())
    return frozenset(found)


def usual_purpose(roles: Iterable[Role]) -> ProcessingPurpose | None:
    """The first purpose (in declaration order) the roles may claim: what a client sends by default."""
    claimable = claimable_purposes(roles)
    return next((purpose for purpose in ProcessingPurpose if purpose in claimable), None)


def is_processing_purpose(value: str) -> bool:
    return value in ProcessingPurpose._value2member_map_
