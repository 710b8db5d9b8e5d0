"""The evidence pages, JSON and files: who sees what, anonymisation, filters, exports."""

from __future__ import annotations

import csv
import io

import pytest

from directory.evidence import access
from directory.extensions import db
from directory.models import Business, Introduction, Outcome, SuggestionView

from .conftest import PASSWORD, email

DATA_ENDPOINTS = [
    "/evidence.json",
    "/evidence.csv",
    "/evidence/introductions.csv",
    "/evidence/introductions.json",
    "/evidence/map.json",
]
PAGES = ["/evidence", "/evidence/summary", "/evidence/map"]


def login(client, role):
    client.post("/login", data={"email": email(role), "password": PASSWORD})


@pytest.mark.parametrize("path", PAGES + DATA_ENDPOINTS)
def test_signed_out_visitors_are_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["coordinator", "admin", "evaluator"])
@pytest.mark.parametrize("path", PAGES + DATA_ENDPOINTS)
def test_coordinators_admins_and_evaluators_see_every_evidence_page(client, world, role, path):
    login(client, role)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", DATA_ENDPOINTS + ["/evidence/summary", "/evidence/map"])
def test_members_may_not_read_evidence_beyond_their_panel(client, world, path):
    login(client, "member")
    response = client.get(path)
    assert response.status_code == 403
    if path in DATA_ENDPOINTS:
        assert "error" in response.get_json()


def test_members_see_their_network_this_year(client, world):
    login(client, "member")
    page = client.get("/evidence").get_data(as_text=True)
    assert "Your network in" in page
    assert "Introductions made</dt><dd>1<" in page
    assert "Rated useful</dt><dd>1<" in page


def test_json_gives_the_funnel_for_the_current_filters(client, world):
    login(client, "admin")
    data = client.get("/evidence.json").get_json()
    assert data["funnel"]["requested"] == 1
    assert {k: data["funnel"][k] for k in ("approved", "accepted", "outcome_recorded")} == {
        "approved": 1,
        "accepted": 1,
        "outcome_recorded": 1,
    }
    later = client.get("/evidence.json?from=2099-01-01&to=2099-12-31").get_json()
    assert later["funnel"]["requested"] == 0 and later["filters"]["from"] == "2099-01-01"


def test_coordinators_see_only_their_networks(client, world):
    login(client, "other_coordinator")
    data = client.get("/evidence.json").get_json()
    assert data["funnel"]["requested"] == 0
    assert data["reach"]["listed"] == 1  # the pub in Locality
    refused = client.get("/evidence.json?network=plunkett-foundation")
    assert refused.status_code == 400 and "networks you can see" in refused.get_json()["error"]
    client.post("/logout")
    login(client, "coordinator")
    own = client.get("/evidence.json?network=plunkett-foundation").get_json()
    assert own["funnel"]["requested"] == 1 and own["reach"]["listed"] == 2


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=yesterday", "is not a date"),
        ("to=2026-13-01", "is not a date"),
        ("from=2026-05-01&to=2026-01-01", "before its end"),
        ("sector=spaceships", "Unknown sector"),
        ("region=atlantis", "Unknown region"),
        ("network=no-such-network", "networks you can see"),
    ],
)
def test_bad_filters_get_a_clear_error_never_a_500(client, world, query, message):
    login(client, "admin")
    page = client.get(f"/evidence?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    for path in DATA_ENDPOINTS:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and message in response.get_json()["error"]


@pytest.mark.parametrize("path", PAGES + DATA_ENDPOINTS)
def test_evaluators_never_see_unconsented_names_or_contacts(client, world, path):
    login(client, "evaluator")
    body = client.get(path).get_data(as_text=True)
    for secret in (
        "Okehampton Community Shop",
        "Tavistock Pub",
        "shop@example.org",
        "stores@example.org",
        "01837 111111",
        "07700 900123",
        "share offers",  # the request's message is free text
    ):
        assert secret not in body


def test_evaluators_read_only_they_may_not_decide_introductions(app, client, world):
    login(client, "evaluator")
    with app.app_context():
        assert not db.session.get(Business, world.shop).owner.is_coordinator
    response = client.post(f"/coordinator/introductions/{world.intro}/approve", data={})
    assert response.status_code in (302, 403)
    with app.app_context():
        assert db.session.get(Introduction, world.intro).state == "accepted"


def test_coordinators_map_names_organisations_evaluators_map_is_by_district(client, world):
    login(client, "coordinator")
    named = client.get("/evidence/map.json").get_json()
    assert any("Okehampton Community Shop" in p["label"] for p in named["map"]["points"])
    assert named["map"]["lines"] == [
        {"from": named["map"]["lines"][0]["from"], "to": named["map"]["lines"][0]["to"],
         "state": "accepted"}
    ]  # fmt: skip
    client.post("/logout")
    login(client, "evaluator")
    anonymous = client.get("/evidence/map.json").get_json()
    labels = [p["label"] for p in anonymous["map"]["points"]]
    assert labels and all("organisations" in label for label in labels)
    assert {p["label"].split(":")[0] for p in anonymous["map"]["points"]} == {
        "EX20",
        "TQ13",
        "PL19",
    }


def test_introductions_export_uses_stable_keyed_pseudonyms(app, client, world):
    login(client, "admin")
    first = client.get("/evidence/introductions.json").get_json()["introductions"]
    again = client.get("/evidence/introductions.json").get_json()["introductions"]
    assert first == again and len(first) == 1
    row = first[0]
    with app.app_context():
        assert row["introduction"] == access.pseudonym("intro", world.intro)
        assert row["requester"] == access.pseudonym("org", world.shop)
    assert "id" not in row and str(world.intro) not in row["introduction"].split("-")[0]
    assert row["requester_name"] == "" and row["target_name"] == "Chagford Community Stores"
    assert (row["requester_sector"], row["requester_stage"], row["requester_district"]) == (
        "shop",
        "starting",
        "EX20",
    )
    assert row["value_stages"] == ["immediate", "potential", "realised"]
    assert row["shared_stories"] == ["We raised our share offer target."]


def test_unshared_stories_stay_out_of_every_export(app, client, world):
    with app.app_context():
        db.session.execute(db.update(Outcome).values(share_story=False))
        db.session.commit()
    login(client, "admin")
    for path in DATA_ENDPOINTS + ["/evidence"]:
        assert "share offer target" not in client.get(path).get_data(as_text=True)


def test_figures_csv_has_a_row_per_figure_value(client, world):
    login(client, "admin")
    response = client.get("/evidence.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    funnel = {r["field"]: r["value"] for r in rows if r["section"] == "funnel"}
    assert funnel["requested"] == "1" and funnel["rated_useful"] == "1"
    ladder = {
        r["key"]: r["value"] for r in rows if r["figure"] == "ladder" and r["field"] == "count"
    }
    assert ladder == {"immediate": "1", "potential": "1", "applied": "0", "realised": "1",
                      "reframing": "0"}  # fmt: skip


def test_introductions_csv_matches_the_json(client, world):
    login(client, "admin")
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/evidence/introductions.csv").get_data(as_text=True))
        )
    )
    data = client.get("/evidence/introductions.json").get_json()["introductions"]
    assert [r["introduction"] for r in rows] == [r["introduction"] for r in data]
    assert rows[0]["value_stages"] == "immediate; potential; realised"


def test_printable_summary_has_a_print_stylesheet(client, world):
    login(client, "coordinator")
    page = client.get("/evidence/summary?network=plunkett-foundation").get_data(as_text=True)
    assert "Plunkett Foundation: what the network achieved" in page
    assert 'evidence-print.css" media="print"' in page


def test_dashboard_charts_carry_their_data_and_a_table(client, world):
    login(client, "admin")
    page = client.get("/evidence").get_data(as_text=True)
    assert page.count('data-chart="') >= 8
    assert page.count("<canvas") == page.count('<table id="chart-')
    assert "style=" not in page and "<script>" not in page


def test_viewing_suggestions_is_counted_in_the_funnel(app, client, world):
    login(client, "member")
    client.get("/matches")
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(SuggestionView.id))).scalar() == 1
    client.post("/logout")
    login(client, "admin")
    assert client.get("/evidence.json").get_json()["funnel"]["suggestions_viewed"] == 1


def test_figures_follow_new_introductions_and_outcomes_at_once(app, client, world):
    login(client, "admin")
    assert client.get("/evidence.json").get_json()["funnel"]["requested"] == 1  # now cached
    with app.app_context():
        db.session.add(
            Introduction(
                requester_id=world.pub,
                target_id=world.shop,
                pair_key=f"{min(world.pub, world.shop)}:{max(world.pub, world.shop)}",
                kind="peer",
                message="Hello",
            )
        )
        db.session.commit()
    data = client.get("/evidence.json").get_json()
    assert data["funnel"]["requested"] == 2
    assert data["timing"]["coordinator_workload"]["waiting"] == 1
