"""structured records: external identifiers for imported reviews and children

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("origin", sa.String(length=20), nullable=False, server_default="documents")
        )
        batch_op.create_index(batch_op.f("ix_reviews_external_id"), ["external_id"], unique=False)
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_column("external_id")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_external_id"))
        batch_op.drop_column("origin")
        batch_op.drop_column("external_id")
