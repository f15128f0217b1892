"""a subscriber's time zone and personal feed token

``timezone``: the IANA zone their mail gives local times in (empty: the zone
of the first State they follow). ``feed_token``: the unguessable name of
their personal calendar feed (``personal/<token>.ics``); every subscriber
already confirmed gets one here, so their next mail can link it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 15:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscriber', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('feed_token', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_subscriber_feed_token'), ['feed_token'], unique=True)
    subscriber = sa.table('subscriber', sa.column('id', sa.Integer), sa.column('confirmed', sa.Boolean),
                          sa.column('feed_token', sa.String))
    connection = op.get_bind()
    confirmed = connection.execute(sa.select(subscriber.c.id).where(subscriber.c.confirmed.is_(True))).scalars()
    for subscriber_id in list(confirmed):
        connection.execute(subscriber.update().where(subscriber.c.id == subscriber_id)
                           .values(feed_token=secrets.token_urlsafe(24)))


def downgrade() -> None:
    with op.batch_alter_table('subscriber', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriber_feed_token'))
        batch_op.drop_column('feed_token')
        batch_op.drop_column('timezone')
