"""Which NATS subjects and streams this deployment uses.

RINNALLA_SUBJECT_PREFIX (default `rinnalla`, so enrollment's stream is `RINNALLA_ENROLLMENT`) lets
deployments and tests that share a NATS server keep apart.
"""

from __future__ import annotations

import os

from rinnalla_events.subjects import Subjects

SUBJECT_PREFIX_VARIABLE = "RINNALLA_SUBJECT_PREFIX"


def configured_subjects() -> Subjects:
    return Subjects(os.environ.get(SUBJECT_PREFIX_VARIABLE, "").strip() or "rinnalla")
