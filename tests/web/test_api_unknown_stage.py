"""Organisations imported from open data have no stage: the API and the CSV export say so."""

from __future__ import annotations

import pytest

from directory import bulk
from directory.extensions import db
from directory.models import Business


@pytest.fixture
def stageless_id(app):
    with app.app_context():
        business = Business(
            name="Stageless Co-op",
            slug="stageless-co-op",
            sector="retail",
            stage=None,
            latitude=51.5,
            longitude=-0.1,
            town="London",
            region="london",
            listed=True,
        )
        db.session.add(business)
        db.session.commit()
        return business.id


def test_a_business_without_a_stage_is_served_with_stage_null(client, stageless_id):
    one = client.get(f"/api/v1/businesses/{stageless_id}")
    many = client.get("/api/v1/businesses")

    assert one.status_code == 200
    assert one.get_json()["stage"] is None
    assert many.status_code == 200
    assert [b["stage"] for b in many.get_json()["items"] if b["id"] == stageless_id] == [None]


def test_a_business_without_a_stage_exports_an_empty_stage_cell(app, stageless_id):
    with app.app_context():
        rows = [row for row in bulk.export_rows() if row["name"] == "Stageless Co-op"]

    assert [row["stage"] for row in rows] == [""]
