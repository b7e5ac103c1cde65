"""Enrollment's command writer: the shared one, plus the keys of the identity index.

An enrolment claims the person's identity key in the same atomic append as the child's and the team's
events (see identity_index.py); the keys are derived from the master key and the index is a table, so the
composition root hands both to every writer it builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rinnalla_events import CommandWriter

from rinnalla_enrollment.application.identity_keys import IdentityKeys
from rinnalla_enrollment.application.ports import IdentityClaims


@dataclass
class EnrollmentWriter(CommandWriter):
    identity_keys: IdentityKeys = field(kw_only=True, repr=False)
    identity_index: IdentityClaims = field(kw_only=True, repr=False)
