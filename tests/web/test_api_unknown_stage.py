"""Organisations imported from open data have no stage: the public API says so, never a 500."""

from __future__ import annotations

from directory.extensions import db
from directory.models import Business


def test_a_business_without_a_stage_is_served_with_stage_null(app, client):
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
        business_id = business.id

    one = client.get(f"/api/v1/businesses/{business_id}")
    many = client.get("/api/v1/businesses")

    assert one.status_code == 200
    assert one.get_json()["stage"] is None
    assert many.status_code == 200
    assert [b["stage"] for b in many.get_json()["items"] if b["id"] == business_id] == [None]
