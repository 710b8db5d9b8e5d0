"""Sign-in and registration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from directory import accounts
from directory.businesses.forms import BusinessForm
from directory.forms import strip


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[strip], validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(BusinessForm):
    """An account and its first business, in one flow."""

    account_name = StringField(
        "Your name", filters=[strip], validators=[InputRequired(), Length(max=120)]
    )
    account_email = EmailField(
        "Your email (you sign in with it)",
        filters=[strip],
        validators=[
            InputRequired(),
            Email(message="Enter a valid email address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Choose a password",
        validators=[
            InputRequired(),
            Length(min=10, message="Use at least 10 characters."),
        ],
    )
    confirm = PasswordField(
        "Type the password again",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )

    def validate_account_email(self, field) -> None:
        if accounts.find_user(field.data) is not None:
            raise ValidationError("There is already an account with this email. Sign in instead.")
