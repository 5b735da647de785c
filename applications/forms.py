import zoneinfo

from django import forms
from django.forms.widgets import ChoiceWidget

from core.fields import ModelIdsField

from .models import (
    Application,
    BackgroundGroup,
    CareerStage,
    Interest,
    Location,
    MemberProfile,
    PracticeArea,
)
from .roster import ROSTER_MAX_BYTES, ROSTER_MAX_LABEL

# Time zones a member is likely to pick, first; every IANA zone stays available below them.
COMMON_TIME_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
]


def time_zone_choices() -> list:
    common = {value for value, _ in COMMON_TIME_ZONES}
    others = sorted(zoneinfo.available_timezones() - common)
    return [
        ("", "Choose your time zone"),
        ("Common in the US", COMMON_TIME_ZONES),
        ("All time zones", [(zone, zone.replace("_", " ")) for zone in others]),
    ]


class MembershipLinkForm(forms.Form):
    member_number = forms.CharField(max_length=32, help_text="As printed on your membership card.")
    last_name = forms.CharField(max_length=150, help_text="As on your membership record.")


# What other members and all staff may see, and what only the member and authorised staff see.
PROFILE_FIELDS = [
    "pronouns",
    "credentials",
    "institution",
    "location",
    "time_zone",
    "career_stage",
    "practice_areas",
    "interests",
    "bio",
]
PROFILE_PRIVATE_FIELDS = ["use_background_in_matching", "background_groups"]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices, required=False)

    class Meta:
        model = MemberProfile
        fields = PROFILE_FIELDS + PROFILE_PRIVATE_FIELDS
        field_classes = dict.fromkeys(
            ["practice_areas", "interests", "background_groups"], ModelIdsField
        )
        widgets = {
            "practice_areas": forms.CheckboxSelectMultiple,
            "interests": forms.CheckboxSelectMultiple,
            "background_groups": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "location": "State, or outside the US",
            "practice_areas": "Your practice areas",
            "interests": "Your professional interests",
            "use_background_in_matching": "Use my self-identification to find a mentor or mentee "
            "who shares my background",
            "background_groups": "Self-identification (optional, private)",
        }
        help_texts = {
            "pronouns": "Optional, shown to your match. For example she/her, they/them.",
            "background_groups": "Never required. Seen only by you and program staff who are "
            "authorised to see it; used for matching only if you tick the box above.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.all()
        self.fields["location"].empty_label = "Choose your state"
        self.fields["career_stage"].queryset = CareerStage.objects.filter(is_active=True)
        self.fields["career_stage"].empty_label = "Choose your career stage"
        self.fields["practice_areas"].queryset = PracticeArea.objects.filter(is_active=True)
        self.fields["interests"].queryset = Interest.objects.filter(is_active=True)
        self.fields["background_groups"].queryset = BackgroundGroup.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        location = cleaned.get("location")
        if location and not cleaned.get("time_zone") and location.default_time_zone:
            # Most members live in their state's main zone; save them a step.
            cleaned["time_zone"] = location.default_time_zone
        return cleaned


AGREEMENT_LABELS = {
    "agrees_to_commitment": "I will commit at least {hours} hours to one-on-one mentorship over "
    "the mentorship period, at least {monthly} hour a month.",
    "agrees_to_confidentiality": "I will keep what my mentor or mentee shares with me "
    "confidential, and communicate respectfully and professionally.",
}


class _ApplicationForm(forms.ModelForm):
    """Shared by both roles. Nothing is required to save a draft; submitting checks the rest."""

    # What submitting needs from this form, and what to say next to each field left empty.
    # The service checks the same (with the profile) whatever the form says.
    needed_to_submit: dict[str, str] = {
        "agrees_to_commitment": "Tick this box to agree to the time commitment.",
        "agrees_to_confidentiality": "Tick this box to agree to keep what is shared confidential.",
    }

    def __init__(self, *args, cohort, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.submitting = submitting
        hours = f"{cohort.min_total_hours.normalize():f}"
        monthly = f"{cohort.min_monthly_hours.normalize():f}"
        for name, label in AGREEMENT_LABELS.items():
            self.fields[name].label = label.format(hours=hours, monthly=monthly)
        self.fields[
            "availability"
        ].help_text = "Days and times that usually suit you for a one-hour video call."
        self.fields["availability"].widget.attrs["rows"] = 3
        # A draft may be saved with anything left empty; the service checks what submitting
        # needs and says what is missing.
        for form_field in self.fields.values():
            form_field.required = False
        # ...but the fields submitting needs are marked required, for screen readers (the
        # `required` attribute; the form has `novalidate`, so a draft still saves) and by eye.
        for name in self.needed_to_submit:
            self.fields[name].widget.attrs["required"] = True

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            for name, message in self.needed_to_submit.items():
                if not cleaned.get(name):
                    self.add_error(name, message)
        # An unanswered choice (a radio, a select) keeps the model's default rather than
        # becoming empty.
        return {
            name: value
            for name, value in cleaned.items()
            if not (isinstance(self.fields[name].widget, ChoiceWidget) and value in (None, ""))
        }


class MenteeApplicationForm(_ApplicationForm):
    needed_to_submit = {
        "goals": "Write the goals you want to achieve with a mentor.",
        **_ApplicationForm.needed_to_submit,
    }

    class Meta:
        model = Application
        fields = [
            "goals",
            "desired_practice_areas",
            "background_importance",
            "region_importance",
            "interests_importance",
            "wants_shared_background",
            "availability",
            "agrees_to_commitment",
            "agrees_to_confidentiality",
        ]
        field_classes = {"desired_practice_areas": ModelIdsField}
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 5}),
            "desired_practice_areas": forms.CheckboxSelectMultiple,
            "background_importance": forms.RadioSelect,
            "region_importance": forms.RadioSelect,
            "interests_importance": forms.RadioSelect,
        }
        help_texts = {
            "goals": "What skills, knowledge and goals do you want to work on with a mentor?",
            "wants_shared_background": "Uses the self-identification in your profile, and only "
            "if you allowed it there.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desired_practice_areas"].queryset = PracticeArea.objects.filter(is_active=True)
        self.fields[
            "background_importance"
        ].label = "How much does it matter that your mentor works in the practice areas you chose?"
        self.fields[
            "region_importance"
        ].label = "How much does it matter that your mentor is near you (same state or region)?"
        self.fields[
            "interests_importance"
        ].label = "How much does it matter that your mentor shares your interests?"


class MentorApplicationForm(_ApplicationForm):
    needed_to_submit = {
        "offer": "Write what you can offer a mentee.",
        **_ApplicationForm.needed_to_submit,
    }

    class Meta:
        model = Application
        fields = [
            "offer",
            "mentee_capacity",
            "availability",
            "agrees_to_commitment",
            "agrees_to_confidentiality",
        ]
        widgets = {"offer": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "offer": "Experience, skills and perspectives you would share: career paths, "
            "residency, leadership, research...",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = self.cohort.max_mentees_per_mentor
        self.fields["mentee_capacity"].widget = forms.Select(
            choices=[(n, str(n)) for n in range(1, maximum + 1)]
        )
        self.fields["mentee_capacity"].help_text = f"Up to {maximum} in this cohort."

    def clean_mentee_capacity(self) -> int | None:
        value = self.cleaned_data["mentee_capacity"]
        if value is None:
            return None  # unanswered: a draft keeps what it had, submitting checks the rest
        if not 1 <= value <= self.cohort.max_mentees_per_mentor:
            raise forms.ValidationError(
                f"Choose between 1 and {self.cohort.max_mentees_per_mentor}."
            )
        return value


APPLICATION_FORMS = {"mentee": MenteeApplicationForm, "mentor": MentorApplicationForm}


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster CSV",
        help_text="Columns: member_number, email, first_name, last_name and optionally expires_on "
        f"(YYYY-MM-DD), at most {ROSTER_MAX_LABEL}. A file with any bad row imports nothing.",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError(
                f"This file is larger than {ROSTER_MAX_LABEL}, more than a roster needs: check "
                "that it is the roster exported as CSV.",
                code="file_too_large",
            )
        return file
