"""Which NATS subjects and streams this deployment uses.

RINNALLA_SUBJECT_PREFIX (`RuntimeSettings.subject_prefix`, default `rinnalla`, so enrollment's stream is
`RINNALLA_ENROLLMENT`) lets deployments and tests that share a NATS server keep apart.
"""

from __future__ import annotations

from rinnalla_events import Subjects

from rinnalla_runtime.settings import RuntimeSettings

SUBJECT_PREFIX_VARIABLE = "RINNALLA_SUBJECT_PREFIX"


def configured_subjects(settings: RuntimeSettings) -> Subjects:
    return Subjects(settings.subject_prefix)
