"""The business profile form, used by registration, "add a business" and "edit"."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from directory import places
from directory.businesses import service as business_service
from directory.extensions import db
from directory.forms import MultiCheckboxField, choices, strip
from directory.models import Network
from matching.vocab import LEGAL_FORMS, SECTORS, STAGES, TOPICS


class BusinessForm(FlaskForm):
    name = StringField(
        "Business name", filters=[strip], validators=[InputRequired(), Length(max=160)]
    )
    description = TextAreaField(
        "What you do",
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
        description="A few sentences: what you do, for whom, and what you have learned.",
    )
    sector = SelectField(
        "Main sector",
        choices=choices(SECTORS, "Choose a sector"),
        validators=[InputRequired(message="Choose your main sector.")],
    )
    other_sectors = MultiCheckboxField("Other sectors (optional)", choices=choices(SECTORS))
    legal_form = SelectField(
        "Legal form", choices=choices(LEGAL_FORMS, "Not sure / not yet"), validators=[Optional()]
    )
    stage = SelectField(
        "Stage",
        choices=choices(STAGES, "Choose a stage"),
        validators=[InputRequired(message="Choose the stage you are at.")],
    )
    founded_year = IntegerField(
        "Year founded",
        validators=[Optional()],
        description="Leave empty if you have not started trading yet.",
    )
    postcode = StringField(
        "Postcode",
        filters=[strip],
        validators=[Optional(), Length(max=10)],
        description="Full postcode or district (e.g. EX20 or EX20 1AB). "
        "Only the district is shown publicly.",
    )
    town = StringField(
        "Town or village",
        filters=[strip],
        validators=[Optional(), Length(max=120)],
        description="Give a postcode, a town, or both.",
    )
    needs = MultiCheckboxField("What would you like help with?", choices=choices(TOPICS))
    offers = MultiCheckboxField("What could you help others with?", choices=choices(TOPICS))
    willing_to_mentor = BooleanField("We are willing to mentor another community business")
    mentor_capacity = IntegerField(
        "Most introductions we can take at once",
        validators=[Optional(), NumberRange(min=0, max=50, message="Enter a number from 0 to 50.")],
        description="Leave empty for no limit. Matching stops suggesting you when you are full.",
    )
    accepting_requests = BooleanField(
        "We are open to new introductions",
        default=True,
        description="Untick to pause new requests, for example while you are busy.",
    )
    named_in_evidence = BooleanField(
        "We may be named in evidence for funders and evaluators",
        description="Otherwise evaluators see only your sector, stage and district.",
    )
    website = URLField(
        "Website",
        filters=[strip],
        validators=[
            Optional(),
            URL(message="Enter a full web address, starting https://"),
            Length(max=300),
        ],
    )
    email = EmailField(
        "Contact email",
        filters=[strip],
        validators=[
            Optional(),
            Email(message="Enter a valid email address.", check_deliverability=False),
        ],
        description="Shared only with businesses you agree to be introduced to.",
    )
    phone = TelField(
        "Contact phone",
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description="Shared only with businesses you agree to be introduced to.",
    )
    networks = MultiCheckboxField("Peer networks you belong to", choices=[])

    def __init__(
        self, *args, business_id: int | None = None, sets_networks: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.business_id = business_id
        # Membership decides who reviews a business's requests: owners ask to join a network
        # (its coordinator approves); only admins set it here.
        self.sets_networks = sets_networks
        self.place: places.Place | None = None
        self.networks.choices = choices(
            (n.slug, n.name)
            for n in db.session.execute(db.select(Network).order_by(Network.name)).scalars()
        )

    def validate_name(self, field) -> None:
        if business_service.name_taken(field.data, exclude_id=self.business_id):
            raise ValidationError("A business with this name is already in the directory.")

    def validate_website(self, field) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter a full web address, starting https://")

    def validate_founded_year(self, field) -> None:
        if field.data is not None and not 1800 <= field.data <= date.today().year:
            raise ValidationError(f"Enter a year between 1800 and {date.today().year}.")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.postcode.errors or self.town.errors:
            return False
        try:
            self.place = places.resolve_place(self.postcode.data, self.town.data)
        except places.LocationError as exc:
            getattr(self, exc.field).errors.append(str(exc))
            return False
        return ok

    def to_data(self) -> business_service.BusinessData:
        assert self.place is not None, "validate() first"
        return business_service.BusinessData(
            name=self.name.data,
            description=self.description.data or "",
            sector=self.sector.data,
            other_sectors=[s for s in self.other_sectors.data if s != self.sector.data],
            legal_form=self.legal_form.data or None,
            stage=self.stage.data,
            founded_year=self.founded_year.data,
            place=self.place,
            needs=self.needs.data,
            offers=self.offers.data,
            willing_to_mentor=self.willing_to_mentor.data,
            website=self.website.data or "",
            email=(self.email.data or "").lower(),
            phone=self.phone.data or "",
            networks=self.networks.data if self.sets_networks else None,
            mentor_capacity=self.mentor_capacity.data,
            accepting_requests=self.accepting_requests.data,
            named_in_evidence=self.named_in_evidence.data,
        )

    def fill_from(self, business) -> None:
        """Pre-fill for editing (GET only)."""
        for name in (
            "name",
            "description",
            "sector",
            "legal_form",
            "stage",
            "founded_year",
            "town",
            "willing_to_mentor",
            "website",
            "email",
            "phone",
            "mentor_capacity",
            "accepting_requests",
            "named_in_evidence",
        ):
            getattr(self, name).data = getattr(business, name)
        self.postcode.data = business.postcode or business.outcode or ""
        self.other_sectors.data = business.other_sectors
        self.needs.data = business.needs
        self.offers.data = business.offers
        self.networks.data = [n.slug for n in business.networks]
