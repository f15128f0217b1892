"""every source URL of an event: event_source keyed by (event, source, URL)

Two news posts of one source announcing the same meeting kept only the newest
URL; the primary key now includes the URL, so every URL is kept.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _recreate(primary_key: tuple[str, ...], copy: str) -> None:
    # A new table, the rows copied, the old one dropped and the new one renamed: the same
    # steps on SQLite and PostgreSQL (a primary key cannot be altered in place on SQLite).
    op.create_table('event_source_new',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=64), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.Column('missed_runs', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(*primary_key)
    )
    op.execute(copy)
    op.drop_table('event_source')
    op.rename_table('event_source_new', 'event_source')


def upgrade() -> None:
    _recreate(('event_id', 'source_name', 'source_url'),
              "INSERT INTO event_source_new (event_id, source_name, source_url, missed_runs) "
              "SELECT event_id, source_name, source_url, missed_runs FROM event_source")


def downgrade() -> None:
    # one URL per source again: the greatest, as good as any
    _recreate(('event_id', 'source_name'),
              "INSERT INTO event_source_new (event_id, source_name, source_url, missed_runs) "
              "SELECT event_id, source_name, MAX(source_url), MIN(missed_runs) FROM event_source "
              "GROUP BY event_id, source_name")
