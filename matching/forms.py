from django import forms

from applications.models import Application
from cohorts.models import Cohort

from .models import Algorithm

# What staff write down about a match: why it ends, why a pair below the minimum was made.
REASON_MAX_LENGTH = 2000

WEIGHT_FIELDS = [
    "weight_background",
    "weight_region",
    "weight_interests",
    "weight_shared_background",
    "min_match_score",
]


class RunStartForm(forms.ModelForm):
    """The cohort's weights and objective, editable right before a run, and the algorithm."""

    algorithm = forms.ChoiceField(
        choices=Algorithm.choices,
        initial=Algorithm.OPTIMAL,
        widget=forms.RadioSelect,
        help_text="Greedy exists only to compare: it never proposes a better total.",
    )

    class Meta:
        model = Cohort
        fields = [*WEIGHT_FIELDS, "matching_objective"]
        widgets = {"matching_objective": forms.RadioSelect}
        help_texts = {
            "matching_objective": "Best for the worst-off first matches as many people as "
            "possible, then raises the lowest pair score as far as it goes, then the total. "
            "Saved on the cohort."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a form posted without it, the cohort keeps its objective.
        self.fields["matching_objective"].required = False

    def clean_matching_objective(self) -> str:
        return self.cleaned_data.get("matching_objective") or self.instance.matching_objective


class ManualMatchForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=Application.objects.none())
    mentee = forms.ModelChoiceField(queryset=Application.objects.none())
    confirm_below_minimum = forms.BooleanField(
        label="Make it even if it scores below the minimum",
        required=False,
        help_text="A pair below the cohort's minimum score is made only when you tick this and "
        "say why.",
    )
    below_minimum_reason = forms.CharField(
        label="Why this pair, below the minimum",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the match and shown on its page in admin, for staff only.",
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = (
            Application.objects.for_cohort(cohort)
            .accepted()
            .select_related("member")
            .order_by("member__last_name", "member__first_name")
        )
        self.fields["mentor"].queryset = accepted.mentors()
        self.fields["mentee"].queryset = accepted.mentees()
        for name in ("mentor", "mentee"):
            self.fields[name].label_from_instance = _applicant_label

    def clean(self):
        cleaned = super().clean()
        mentor, mentee = cleaned.get("mentor"), cleaned.get("mentee")
        if mentor and mentee and mentor.member_id == mentee.member_id:
            raise forms.ValidationError("A member cannot mentor themselves.")
        reason = cleaned.get("below_minimum_reason", "").strip()
        confirmed = cleaned.get("confirm_below_minimum")
        if confirmed and not reason:
            self.add_error("below_minimum_reason", "Say why you make this pair anyway.")
        elif reason and not confirmed:
            self.add_error(
                "confirm_below_minimum", "Tick this to make a pair below the minimum score."
            )
        return cleaned

    @property
    def confirmed_reason(self) -> str:
        """The reason, only when staff confirmed it."""
        if not self.cleaned_data.get("confirm_below_minimum"):
            return ""
        return self.cleaned_data.get("below_minimum_reason", "").strip()


def _applicant_label(application: Application) -> str:
    member = application.member
    name = member.get_full_name() or member.email
    return f"{name} <{member.email}> (application {application.pk})"


class EndMatchForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Kept on record with the match, for staff only.",
    )
