"""7-minute briefings: briefings, their versions (with redaction overrides) and dissemination

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "briefings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_briefings_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefings")),
    )
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefings_committee_id"), ["committee_id"])
    op.create_table(
        "briefing_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("redactions", sa.JSON(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefings.id"],
            name=op.f("fk_briefing_versions_briefing_id_briefings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_versions")),
        sa.UniqueConstraint("briefing_id", "number", name=op.f("uq_briefing_versions_briefing_id")),
    )
    with op.batch_alter_table("briefing_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_versions_briefing_id"), ["briefing_id"])
    op.create_table(
        "briefing_disseminations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("audience", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefings.id"],
            name=op.f("fk_briefing_disseminations_briefing_id_briefings"),
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committees.id"],
            name=op.f("fk_briefing_disseminations_committee_id_committees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_disseminations")),
    )
    with op.batch_alter_table("briefing_disseminations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_disseminations_briefing_id"), ["briefing_id"])
        batch_op.create_index(
            batch_op.f("ix_briefing_disseminations_committee_id"), ["committee_id"]
        )
        batch_op.create_index(batch_op.f("ix_briefing_disseminations_on"), ["on"])


def downgrade() -> None:
    with op.batch_alter_table("briefing_disseminations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_disseminations_on"))
        batch_op.drop_index(batch_op.f("ix_briefing_disseminations_committee_id"))
        batch_op.drop_index(batch_op.f("ix_briefing_disseminations_briefing_id"))
    op.drop_table("briefing_disseminations")
    with op.batch_alter_table("briefing_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_versions_briefing_id"))
    op.drop_table("briefing_versions")
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefings_committee_id"))
    op.drop_table("briefings")
