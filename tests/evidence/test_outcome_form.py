"""The outcome form: nothing pre-ticked, exactly what was ticked saved (issue #8)."""

from __future__ import annotations

import pytest

from directory.evidence import outcomes
from directory.extensions import db
from directory.models import Business, Introduction, User

from .conftest import PASSWORD, email


@pytest.fixture
def member(client, world):
    client.post("/login", data={"email": email("member"), "password": PASSWORD})
    return client


def latest_outcome(app, world):
    with app.app_context():
        return db.session.get(Introduction, world.intro).outcomes[-1]


def test_outcome_form_starts_with_nothing_ticked(member, world):
    page = member.get(f"/introductions/{world.intro}/outcome").get_data(as_text=True)
    assert 'name="helped_needs" type="checkbox" value="funding"' in page
    assert 'name="learned"' in page and 'name="share_story"' in page
    assert "checked" not in page


@pytest.mark.parametrize("ticked", [[], ["funding"], ["legal"], ["funding", "legal"]])
def test_outcome_saves_exactly_the_needs_ticked(app, member, world, ticked):
    member.post(
        f"/introductions/{world.intro}/outcome", data={"met": "yes", "helped_needs": ticked}
    )
    assert latest_outcome(app, world).helped_needs == ticked


def test_unanswered_questions_are_saved_as_unanswered(app, member, world):
    member.post(f"/introductions/{world.intro}/outcome", data={"met": "no"})
    outcome = latest_outcome(app, world)
    assert (outcome.met, outcome.usefulness, outcome.learned, outcome.applied) == (
        False,
        None,
        None,
        None,
    )
    assert (outcome.difference_kinds, outcome.reframed, outcome.share_story) == ([], None, False)


def test_value_ladder_answers_and_follow_up_are_saved(app, member, world):
    response = member.post(
        f"/introductions/{world.intro}/outcome?after=90",
        data={
            "met": "yes",
            "usefulness": "4",
            "learned": "yes",
            "applied": "no",
            "difference_kinds": ["time", "people"],
            "reframed": "yes",
            "story": "  We now run a volunteer rota.  ",
            "share_story": "y",
        },
    )
    assert response.status_code == 302
    outcome = latest_outcome(app, world)
    assert (outcome.learned, outcome.applied, outcome.reframed) == (True, False, True)
    assert outcome.difference_kinds == ["time", "people"]
    assert (outcome.story, outcome.share_story, outcome.follow_up_days) == (
        "We now run a volunteer rota.",
        True,
        90,
    )


def test_consent_to_share_an_empty_story_shares_nothing(app, member, world):
    member.post(f"/introductions/{world.intro}/outcome", data={"met": "yes", "share_story": "y"})
    assert latest_outcome(app, world).share_story is False


@pytest.mark.parametrize(
    "data, message",
    [
        ({"met": "yes", "helped_needs": ["premises"]}, "valid choice"),
        ({"met": "yes", "difference_kinds": ["happiness"]}, "valid choice"),
        ({"met": "yes", "usefulness": "9"}, "valid choice"),
        ({"met": "yes", "learned": "maybe"}, "valid choice"),
        ({"usefulness": "3"}, "Tell us whether you met."),
    ],
)
def test_bad_answers_re_render_with_a_message_and_save_nothing(app, member, world, data, message):
    with app.app_context():
        before = len(db.session.get(Introduction, world.intro).outcomes)
    response = member.post(f"/introductions/{world.intro}/outcome", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.get(Introduction, world.intro).outcomes) == before


def test_follow_up_email_links_to_the_form_for_its_step(app, world):
    from datetime import timedelta

    from directory.introductions import clock as workflow
    from directory.models import OutboxMessage, utcnow

    with app.app_context():
        workflow.tick(now=utcnow() + timedelta(days=31))
        bodies = [m.body for m in db.session.execute(db.select(OutboxMessage)).scalars()]
    assert any(f"/introductions/{world.intro}/outcome?after=30" in b for b in bodies)


def test_business_form_offers_consent_to_be_named_off_by_default(app, client, world):
    client.post("/login", data={"email": email("carol"), "password": PASSWORD})
    page = client.get("/businesses/tavistock-pub/edit").get_data(as_text=True)
    assert 'name="named_in_evidence"' in page
    assert 'id="named_in_evidence" name="named_in_evidence" type="checkbox" value="y">' in page
    with app.app_context():
        assert db.session.get(Business, world.pub).named_in_evidence is False
        assert db.session.get(Business, world.mentor).named_in_evidence is True


VIEWERS = ["member", "mentor_owner", "coordinator", "admin"]  # the sides and its reviewers


def outcomes_section(page: str) -> str:
    return page.split('id="outcomes"')[1].split("</section>")[0]


@pytest.mark.parametrize("role", VIEWERS)
def test_an_accepted_introduction_shows_each_sides_ladder_answers_to_those_who_see_it(
    app, client, world, role
):
    with app.app_context():
        intro = db.session.get(Introduction, world.intro)
        mentor_owner = db.session.get(User, world.users["mentor_owner"])
        outcomes.record_outcome(
            intro,
            mentor_owner,
            outcomes.OutcomeAnswers(
                met=True, usefulness=4, applied=True, reframed=False,
                difference_kinds=["time", "people"], story="They changed our rota.",
                follow_up_days=90,
            ),
        )  # fmt: skip
    client.post("/login", data={"email": email(role), "password": PASSWORD})
    section = outcomes_section(client.get(f"/introductions/{world.intro}").get_data(as_text=True))
    shop, mentor = section.split("Chagford Community Stores")
    assert "Okehampton Community Shop" in shop and "Recorded without a follow-up" in shop
    for line in (
        "<dt>Usefulness</dt><dd>5 out of 5</dd>",
        "<dt>Helped with</dt><dd>Grants and fundraising</dd>",
        "<dt>Learned something they can use</dt><dd>Yes</dd>",
        "<dt>Changed what they do</dt><dd>Not answered</dd>",
        "<dt>Difference made so far</dt><dd>Money (saved or raised)</dd>",
        "Immediate value, Potential value, Realised value",
        "We raised our share offer target.",
        "Shared, without contact details",
    ):
        assert line in shop
    for line in (
        "90-day follow-up",
        "<dt>Changed what they do</dt><dd>Yes</dd>",
        "<dt>Changed how they or their funders see things</dt><dd>No</dd>",
        "Time saved, People: volunteers, members, staff or users",
        "They changed our rota.",
        "Not shared beyond this introduction.",
    ):
        assert line in mentor
    for contact in ("@example.org", "01837 111111"):  # the sides' and the recorders' contacts
        assert contact not in section


@pytest.mark.parametrize("role", ["carol", "other_coordinator", "evaluator"])
def test_nobody_else_sees_the_answers(client, world, role):
    client.post("/login", data={"email": email(role), "password": PASSWORD})
    response = client.get(f"/introductions/{world.intro}")
    assert response.status_code == 403
    assert "We raised our share offer target." not in response.get_data(as_text=True)
