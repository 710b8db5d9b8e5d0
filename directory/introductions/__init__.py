from flask import Blueprint

bp = Blueprint("introductions", __name__)


@bp.record_once
def _feed_matching(state) -> None:
    """Matching reads each business's open introductions (mentor load) from here."""
    from directory.introductions import workflow

    state.app.extensions["peerlink_open_introductions"] = workflow.open_counts


@bp.app_context_processor
def _badge():
    from flask_login import current_user

    from directory.introductions import workflow

    def pending_actions() -> int:
        return workflow.pending_actions(current_user)

    return {"pending_actions": pending_actions}


from directory.introductions import views  # noqa: E402, F401
