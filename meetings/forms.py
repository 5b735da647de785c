from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .models import (
    MAX_MEETING_MINUTES,
    MIN_MEETING_MINUTES,
    ActionItem,
    Expectations,
    Goal,
    Meeting,
    PairConcern,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker; the value is read in the member's own time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class LinkInput(forms.URLInput):
    """A url input that gives back what the member typed, even when it is not a link.

    HTML forbids a url input whose value is not an absolute URL, so a value that failed
    validation comes back in a text input (with a url keyboard) rather than being dropped.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        typed = context["widget"]["value"]
        if typed:
            try:
                URLValidator()(typed)
            except ValidationError:
                context["widget"]["type"] = "text"
                context["widget"]["attrs"]["inputmode"] = "url"
        return context


DURATION_HELP = f"Between {MIN_MEETING_MINUTES} and {MAX_MEETING_MINUTES} minutes."


class MeetingFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        duration = self.fields["duration_minutes"]
        duration.initial = 60
        # The model's validators hold the limits; the input offers the same ones as its help.
        duration.widget.attrs.update({"min": MIN_MEETING_MINUTES, "max": MAX_MEETING_MINUTES})


class ExpectationsForm(forms.ModelForm):
    class Meta:
        model = Expectations
        fields = ["meeting_plan", "communication", "other"]
        widgets = {
            "meeting_plan": forms.Textarea(attrs={"rows": 3}),
            "communication": forms.Textarea(attrs={"rows": 3}),
            "other": forms.Textarea(attrs={"rows": 3}),
        }


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "target_date", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "target_date": DateInput(),
        }
        help_texts = {
            "title": "A short name, for example “Prepare for residency interviews”.",
            "description": "What achieving it looks like, and how your mentor can help.",
        }


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "due_date"]
        labels = {"title": "Next step", "due_date": "Due"}
        widgets = {"due_date": DateInput()}


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeetingPlanForm(MeetingFormMixin, forms.ModelForm):
    video_link = forms.URLField(
        label="Video link",
        required=False,
        assume_scheme="https",
        widget=LinkInput,
        help_text="The link to join, if you meet by video.",
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "duration_minutes", "format", "video_link", "agenda"]
        widgets = {
            "starts_at": DateTimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "starts_at": "In your own time zone; your partner sees it in theirs.",
            "duration_minutes": DURATION_HELP,
        }


class MeetingLogForm(MeetingFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["starts_at", "duration_minutes", "format", "topics", "next_steps", "notes"]
        widgets = {
            "starts_at": DateTimeInput(),
            "topics": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"starts_at": "When it started"}
        help_texts = {
            "starts_at": "In your own time zone.",
            "duration_minutes": DURATION_HELP,
            "notes": "Seen only by the two of you (and program staff allowed to see pairs' "
            "workspaces).",
        }


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is wrong?", choices=PairConcern.Kind.choices, widget=forms.RadioSelect
    )
    words = forms.CharField(
        label="Anything you want the office to know (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the program office reads this; your partner is not shown it.",
    )
