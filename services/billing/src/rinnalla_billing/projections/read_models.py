"""The billing service's projections."""

from __future__ import annotations

from rinnalla_events import Projection

from rinnalla_billing.projections.documents import DocumentsProjection
from rinnalla_billing.projections.enrollment_facts import EnrollmentFactsProjection


def billing_projections() -> tuple[Projection, ...]:
    return (EnrollmentFactsProjection(), DocumentsProjection())
