"""Forms for the account itself: the name a person goes by, asked at sign-up and changed on
their profile."""

import re
import unicodedata

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.exceptions import ValidationError

from .models import User

# The user model's own limit, and the roster's: a name on the roster always fits an account.
NAME_MAX_LENGTH = 150
# Runs of spaces (a name pasted from a document often has two) become one.
SPACES_RE = re.compile(r" {2,}")


# Cc is NUL, tab, line breaks, escape and the like; Zl and Zp are the Unicode line and paragraph
# separators. No name holds them, and PostgreSQL refuses to store a NUL. Format characters (Cf)
# are allowed: the zero-width joiners are part of how some scripts spell.
CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}


def _has_control_character(value: str) -> bool:
    return any(unicodedata.category(char) in CONTROL_CATEGORIES for char in value)


class NameInput(forms.TextInput):
    """A text box that shows a refused control character as U+FFFD, the replacement character.

    A NUL cannot be written into an HTML page (the browser would show the replacement character
    anyway, and the page would not be valid); the rest of what was typed is kept.
    """

    def format_value(self, value):
        value = super().format_value(value)
        if value is None:
            return None
        return "".join(
            "\ufffd" if unicodedata.category(char) in CONTROL_CATEGORIES else char for char in value
        )


class PersonNameField(forms.CharField):
    """A first or last name in any script: "José", "李", "Zoë-Ann O'Neil".

    Trimmed, at most NAME_MAX_LENGTH characters, at least one letter, and no control
    characters, each refused with a message that says what to change.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        # Checked before Django's own checks so that a NUL gets the one message that says
        # what to do, rather than Django's "Null characters are not allowed." beside it.
        if isinstance(value, str) and _has_control_character(value.strip()):
            raise ValidationError(
                "Remove the control character (such as a NUL, a tab or a line break) from "
                "the name.",
                code="control_character",
            )
        value = super().to_python(value)
        return SPACES_RE.sub(" ", value)

    def validate(self, value):
        super().validate(value)
        if value and not any(unicodedata.category(char).startswith("L") for char in value):
            raise ValidationError(
                "Enter a name with at least one letter, in any alphabet.", code="no_letter"
            )


def person_name_or_blank(value: str) -> str:
    """`value` cleaned as a name field would clean it, or "" when a form would refuse it.

    For names that come from elsewhere (the roster, an association's membership system):
    one that a member could not type is left out rather than stored.
    """
    try:
        return PersonNameField(required=False).clean(value)
    except ValidationError:
        return ""


class NameFieldsMixin(forms.Form):
    first_name = PersonNameField(
        label="First name",
        widget=NameInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = PersonNameField(
        label="Last name",
        help_text="As on your association membership record.",
        widget=NameInput(attrs={"autocomplete": "family-name"}),
    )


class SignupForm(NameFieldsMixin, AllauthSignupForm):
    """allauth's sign-up, asking for the person's name first.

    allauth's adapter copies `first_name` and `last_name` from the cleaned data onto the new
    user (DefaultAccountAdapter.save_user).
    """

    field_order = ["first_name", "last_name", "email", "password1", "password2"]


class NameForm(NameFieldsMixin, forms.ModelForm):
    """A member changes their name on their profile page."""

    class Meta:
        model = User
        fields = ["first_name", "last_name"]
