"""search: passages with embeddings, the lexical index (FTS5 or tsvector), cache counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# SQLite: an external-content FTS5 table over passages.text, kept in step by triggers, so the
# text is stored once. Porter stemming lets "engaging" find "engagement".
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE passages_fts USING fts5(text, content='passages', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN "
    "INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN "
    "INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER passages_fts_update AFTER UPDATE ON passages BEGIN "
    "INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text); END",
    # How many passages hold each (stemmed) term, read to leave very common words out.
    "CREATE VIRTUAL TABLE passages_fts_vocab USING fts5vocab(passages_fts, 'row')",
]
# PostgreSQL: a stored generated tsvector (English stemming) with a GIN index; ranking reads
# the stored vector instead of parsing text again for every match.
POSTGRES_FTS = [
    "ALTER TABLE passages ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "CREATE INDEX ix_passages_search_vector ON passages USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_passages_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_passages_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passages")),
        sa.UniqueConstraint("document_id", "position", name=op.f("uq_passages_document_id")),
    )
    with op.batch_alter_table("passages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passages_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_passages_review_id"), ["review_id"], unique=False)
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passages_version", sa.Integer(), nullable=False),
        sa.Column("codes_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_state")),
    )
    op.execute("INSERT INTO search_state (id, passages_version, codes_version) VALUES (1, 0, 0)")
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS passages_fts_{name}")
        op.execute("DROP TABLE IF EXISTS passages_fts_vocab")
        op.execute("DROP TABLE IF EXISTS passages_fts")
    op.drop_table("search_state")
    with op.batch_alter_table("passages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passages_review_id"))
        batch_op.drop_index(batch_op.f("ix_passages_document_id"))
    op.drop_table("passages")
