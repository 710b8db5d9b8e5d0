"""Account forms: sign-in, registration, passwords, email address, deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from directory.businesses.forms import BusinessForm
from directory.forms import strip

MIN_PASSWORD = 10


def _email_validators() -> list:
    return [
        InputRequired(),
        Email(message="Enter a valid email address.", check_deliverability=False),
        Length(max=254),
    ]


def _password_required() -> InputRequired:
    return InputRequired(message="Enter your current password to confirm it is you.")


def _new_password(label: str = "Choose a password") -> PasswordField:
    return PasswordField(
        label,
        render_kw={"autocomplete": "new-password"},
        validators=[
            InputRequired(),
            Length(min=MIN_PASSWORD, message=f"Use at least {MIN_PASSWORD} characters."),
            Length(max=200, message="Use at most 200 characters."),
        ],
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Type the password again",
        render_kw={"autocomplete": "new-password"},
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], render_kw={"autocomplete": "email"}, validators=[InputRequired()]
    )
    password = PasswordField(
        "Password", render_kw={"autocomplete": "current-password"}, validators=[InputRequired()]
    )
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(BusinessForm):
    """An account and its first business, in one flow.

    No check that the email is free: that would tell anyone who has an account. The service
    answers the same either way and emails the account holder instead.
    """

    account_name = StringField(
        "Your name", filters=[strip], validators=[InputRequired(), Length(max=120)]
    )
    account_email = EmailField(
        "Your email (you sign in with it)", filters=[strip], validators=_email_validators()
    )
    password = _new_password()
    confirm = _confirm()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Your email", filters=[strip], validators=_email_validators())


class ChoosePasswordForm(FlaskForm):
    password = _new_password("New password")
    confirm = _confirm()


class _OnAccountPage(FlaskForm):
    """The account page holds several forms: a prefix per form keeps their field ids apart."""

    PREFIX = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=self.PREFIX, **kwargs)


class ChangePasswordForm(_OnAccountPage):
    PREFIX = "pw"
    current = PasswordField(
        "Current password",
        render_kw={"autocomplete": "current-password"},
        validators=[_password_required()],
    )
    password = _new_password("New password")
    confirm = _confirm()


class ChangeEmailForm(_OnAccountPage):
    PREFIX = "em"
    email = EmailField("New email address", filters=[strip], validators=_email_validators())
    current = PasswordField(
        "Current password",
        render_kw={"autocomplete": "current-password"},
        validators=[_password_required()],
    )


class DeleteAccountForm(_OnAccountPage):
    PREFIX = "del"
    password = PasswordField(
        "Your password",
        render_kw={"autocomplete": "current-password"},
        validators=[_password_required()],
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: a button that does one thing (resend a link, sign out elsewhere)."""
