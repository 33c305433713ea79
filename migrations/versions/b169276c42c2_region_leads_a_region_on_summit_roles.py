"""Region leads: a region on summit roles

Revision ID: b169276c42c2
Revises: d304ee85bcf5
Create Date: 2026-12-02 06:11:40.389366

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b169276c42c2"
down_revision = "d304ee85bcf5"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('staff', 'reviewer', 'door')"
NEW_ROLES = "role IN ('staff', 'reviewer', 'door', 'region_lead')"
REGION_LEAD_REGION = (
    "(role = 'region_lead' AND region IS NOT NULL) OR (role <> 'region_lead' AND region IS NULL)"
)


def upgrade():
    with op.batch_alter_table("summit_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region", sa.String(length=80), nullable=True))
        # A new role, read-only reports for one R-TAC region, whose grant names the region.
        batch_op.drop_constraint(op.f("ck_summit_roles_role"), type_="check")
        batch_op.create_check_constraint("role", NEW_ROLES)
        batch_op.create_check_constraint("region_lead_region", REGION_LEAD_REGION)


def downgrade():
    op.execute("DELETE FROM summit_roles WHERE role = 'region_lead'")
    with op.batch_alter_table("summit_roles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_summit_roles_region_lead_region"), type_="check")
        batch_op.drop_constraint(op.f("ck_summit_roles_role"), type_="check")
        batch_op.create_check_constraint("role", OLD_ROLES)
        batch_op.drop_column("region")
