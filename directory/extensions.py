"""Extension instances, bound to the app in create_app()."""

from typing import TYPE_CHECKING, ClassVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    if TYPE_CHECKING:
        # Every model maps one Table, which Core insert() and update() take.
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)
# db.Model is built at run time, so type checkers cannot see it. Models subclass this alias:
# the declarative Base for mypy, Flask-SQLAlchemy's db.Model (table names, session) when run.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True)
login = LoginManager()
login.login_view = "auth.login"
login.login_message = "Please sign in to see that page."
login.login_message_category = "info"
csrf = CSRFProtect()
# Limits are declared on the routes they guard; storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
