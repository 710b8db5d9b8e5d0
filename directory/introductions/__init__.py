from flask import Blueprint

bp = Blueprint("introductions", __name__)


@bp.record_once
def _feed_matching(state) -> None:
    """Matching reads each business's open introductions (mentor load) from here."""
    from directory.introductions import queries

    state.app.extensions["peerlink_open_introductions"] = queries.open_counts


@bp.app_context_processor
def _badge():
    from flask_login import current_user

    from directory.introductions import permissions, queries

    def pending_actions() -> int:
        return queries.pending_actions(current_user)

    def open_introduction_with(target):
        """The request button says "introduction open" when one is open for the pair."""
        return queries.open_with(current_user, target)

    def owns(business) -> bool:
        """The one ownership rule, for templates too."""
        return permissions.owns(current_user, business)

    return {
        "pending_actions": pending_actions,
        "open_introduction_with": open_introduction_with,
        "owns": owns,
    }


from directory.introductions import views  # noqa: E402, F401
