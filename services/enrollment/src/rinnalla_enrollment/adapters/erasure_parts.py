"""The erasure service and its directory, assembled from the service's parts and the PostgreSQL ports."""

from __future__ import annotations

from rinnalla_enrollment.adapters.postgres_identity_claims import PostgresIdentityClaims
from rinnalla_enrollment.adapters.postgres_subject_directory import PostgresSubjectDirectory
from rinnalla_enrollment.application.erasure import Eraser
from rinnalla_enrollment.bootstrap import Enrollment
from rinnalla_enrollment.config import EVENT_SCHEMA


def subject_directory_of(enrollment: Enrollment) -> PostgresSubjectDirectory:
    return PostgresSubjectDirectory(enrollment.connections, EVENT_SCHEMA)


def eraser_of(enrollment: Enrollment) -> Eraser:
    return Eraser(
        enrollment.store,
        enrollment.codec.keys,
        subject_directory_of(enrollment),
        PostgresIdentityClaims(enrollment.connections, EVENT_SCHEMA),
        enrollment.clock,
    )
