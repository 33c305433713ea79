"""Live check-in index: checkpoint first

Revision ID: 29b5d49393a8
Revises: b169276c42c2
Create Date: 2026-12-03 15:14:17.163800

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "29b5d49393a8"
down_revision = "b169276c42c2"
branch_labels = None
depends_on = None

INDEX = "uq_scans_live_check_in"
LIVE = "result = 'checked_in' AND annulled_at IS NULL"


def _recreate(columns: list[str]) -> None:
    # Dropped and created in one transaction on PostgreSQL: no scan sees the table
    # without the guard against admitting a ticket twice.
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index(INDEX, sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
        batch_op.create_index(
            INDEX,
            columns,
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )


def upgrade():
    # Checkpoint first: the probe by ticket and checkpoint still uses both columns, and a
    # session room's head count becomes a range of the index instead of a read of all of it.
    _recreate(["checkpoint_id", "attendee_id"])


def downgrade():
    _recreate(["attendee_id", "checkpoint_id"])
