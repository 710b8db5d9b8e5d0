"""Full-text search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL); public points.

Businesses get the point their public distances are measured from: the centre of their
postcode district, or their town's point when they have no postcode.

Revision ID: b2sea7ch0003
Revises: a1f0c0de0001
Create Date: 2026-11-24 02:10:00

"""

import sqlalchemy as sa
from alembic import op

from directory import search_index
from directory.places import offline as geo

revision = "b2sea7ch0003"
down_revision = "b2ha7d3n1n02"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("business") as batch_op:
        for column in ("public_latitude", "public_longitude"):
            batch_op.add_column(
                sa.Column(column, sa.Float(), server_default=sa.text("0"), nullable=False)
            )
        batch_op.create_index(
            "ix_business_public_lat_lon", ["public_latitude", "public_longitude"], unique=False
        )
    _fill_public_points(bind)
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.create_table(
            "business_search",
            sa.Column("business_id", sa.Integer(), nullable=False),
            sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(
                ["business_id"],
                ["business.id"],
                name=op.f("fk_business_search_business_id_business"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("business_id", name=op.f("pk_business_search")),
        )
        op.create_index(
            "ix_business_search_document",
            "business_search",
            ["document"],
            postgresql_using="gin",
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE business_fts USING fts5("
            "name, body, tokenize='porter unicode61 remove_diacritics 2')"
        )
    search_index.rebuild(bind)


def _fill_public_points(bind) -> None:
    rows = bind.execute(sa.text("SELECT id, outcode, latitude, longitude FROM business")).all()
    params = []
    for business_id, outcode, latitude, longitude in rows:
        point = geo.district_point(outcode) if outcode else None
        lat, lon = point or (latitude, longitude)
        params.append({"id": business_id, "lat": lat, "lon": lon})
    if params:
        bind.execute(
            sa.text("UPDATE business SET public_latitude = :lat, public_longitude = :lon "
                    "WHERE id = :id"),
            params,
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_business_search_document", table_name="business_search")
        op.drop_table("business_search")
    else:
        op.execute("DROP TABLE business_fts")
    with op.batch_alter_table("business") as batch_op:
        batch_op.drop_index("ix_business_public_lat_lon")
        batch_op.drop_column("public_longitude")
        batch_op.drop_column("public_latitude")
