"""Enrollment's command writer: the shared one, plus the keys of the identity index.

An enrolment claims the person's identity key in the same atomic append as the child's and the team's
events (see identity_index.py); the keys are derived from the master key, so the composition root hands
them to every writer it builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rinnalla_events import CommandWriter

from rinnalla_enrollment.application.identity_keys import IdentityKeys


@dataclass
class EnrollmentWriter(CommandWriter):
    identity_keys: IdentityKeys = field(kw_only=True, repr=False)
