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

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE IF NOT EXISTS enrollment.identity_index (
               lookup_key text PRIMARY KEY,
               stream_id  text NOT NULL UNIQUE,
               created_at timestamptz NOT NULL DEFAULT now()
           )"""
    )
    op.execute(
        """
        DO $$
        DECLARE
            old record;
            fresh text;
            holder_released boolean;
        BEGIN
            FOR old IN SELECT DISTINCT stream_id FROM enrollment.events
                        WHERE stream_type = 'identity' AND stream_id ~ '^[0-9a-f]{64}$'
            LOOP
                fresh := gen_random_uuid()::text;
                SELECT event_type = 'enrollment.IdentityReleased' INTO holder_released
                  FROM enrollment.events
                 WHERE stream_type = 'identity' AND stream_id = old.stream_id
                 ORDER BY version DESC LIMIT 1;
                UPDATE enrollment.events SET stream_id = fresh
                 WHERE stream_type = 'identity' AND stream_id = old.stream_id;
                UPDATE enrollment.idempotency SET stream_id = fresh
                 WHERE stream_type = 'identity' AND stream_id = old.stream_id;
                IF NOT holder_released THEN
                    INSERT INTO enrollment.identity_index (lookup_key, stream_id) VALUES (old.stream_id, fresh);
                END IF;
            END LOOP;
        END $$
        """
    )


def downgrade() -> None:
    raise NotImplementedError("the old identity stream ids are not recoverable by design")
