"""The identity index leaves no trace of an erased person's identity code.

Until now an identity stream's id was the lookup key itself (a keyed hash of the identity code), so the
event log kept it after the person was erased, and with the master key every code of a birth year could be
tried against it in a second. From here on the lookup key lives only in `identity_index` (deleted at
erasure) and the log knows the stream by a random id. This revision creates the table and rewrites the
existing identity streams: each gets a random id, and only the streams still held keep a lookup key.
(JetStream's copies of the old identity events are purged by the operator: see the enrollment README.)

Revision ID: 0005
"""

from __future__ import annotations

from alembic import op

from rinnalla_enrollment.config import EVENT_SCHEMA
from rinnalla_enrollment.persistence.identity_claims import identity_index_ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in identity_index_ddl(EVENT_SCHEMA):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the old identity stream ids are not recoverable by design")
