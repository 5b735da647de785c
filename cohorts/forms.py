from django import forms
from django.contrib.admin.widgets import AdminDateWidget

from .models import Cohort
from .services import DATE_FIELDS


class NextCohortForm(forms.ModelForm):
    """The next cohort's name, address and dates; the rest is copied from the cohort it follows.

    The model's own rules (deadline after opening, period in order, ...) are checked when the
    service validates the new cohort; the admin page shows them next to their fields."""

    class Meta:
        model = Cohort
        fields = ["name", "slug", *DATE_FIELDS]
        field_classes = {
            "applications_open_at": forms.SplitDateTimeField,
            "application_deadline": forms.SplitDateTimeField,
            "orientation_at": forms.SplitDateTimeField,
        }

    def __init__(self, *args, **kwargs) -> None:
        # Here, not at import: the admin's widget module would load cohorts.admin's circle.
        from .admin import LabelledSplitDateTime

        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.SplitDateTimeField):
                field.widget = LabelledSplitDateTime()
            elif isinstance(field, forms.DateField):
                field.widget = AdminDateWidget()
        self.fields["slug"].help_text = "Letters, digits and hyphens: the cohort's web address."
