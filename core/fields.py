"""Form fields every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError

from .validators import id_or_none


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, refusing values that are no id before it queries them:
    a number beyond any id column (9223372036854775808) raised OverflowError in the query."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            for pk in value:
                if id_or_none(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)
