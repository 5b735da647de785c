"""The survey form: one field per question, built from the survey's questions.

The template lays each question out as a fieldset with its legend; `mark_errors` ties each
error to its inputs (`aria-invalid`, `aria-describedby`) once the form has been validated.
"""

from django import forms

from .models import Answer, Question

SCALE_CHOICES = [
    ("1", "1 (very dissatisfied)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 (very satisfied)"),
]
RECOMMEND_CHOICES = [(str(n), str(n)) for n in range(11)]
TEXT_MAX_LENGTH = 4000


def field_name(question: Question) -> str:
    return f"q_{question.pk}"


def _field(question: Question) -> forms.Field:
    common = {"label": question.text, "required": question.required}
    required_message = {"required": "Choose an answer to this question."}
    if question.kind == Question.Kind.SCALE:
        return forms.TypedChoiceField(
            choices=SCALE_CHOICES,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages=required_message,
            **common,
        )
    if question.kind == Question.Kind.RECOMMEND:
        return forms.TypedChoiceField(
            choices=RECOMMEND_CHOICES,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages=required_message,
            **common,
        )
    choices = [(choice, choice) for choice in question.choice_list]
    if question.kind == Question.Kind.SINGLE:
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, error_messages=required_message, **common
        )
    if question.kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choose at least one answer."},
            **common,
        )
    return forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write an answer to this question."},
        **common,
    )


def initial_from(answers: list[Answer]) -> dict:
    """A saved response as the form's initial values."""
    initial = {}
    for answer in answers:
        name = f"q_{answer.question_id}"
        if answer.number is not None:
            initial[name] = str(answer.number)
        elif answer.question.kind == Question.Kind.MULTIPLE:
            initial[name] = answer.choices
        elif answer.choices:
            initial[name] = answer.choices[0]
        else:
            initial[name] = answer.text
    return initial


class SurveyForm(forms.Form):
    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            field = _field(question)
            field.question = question
            describedby = [f"{field_name(question)}-help"] if question.help_text else []
            field.describedby = describedby
            if describedby:
                field.widget.attrs["aria-describedby"] = " ".join(describedby)
            if question.kind == Question.Kind.TEXT:
                field.widget.attrs["class"] = "form-control"
            self.fields[field_name(question)] = field

    def mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.describedby = [f"{name}-error", *field.describedby]
            field.widget.attrs["aria-describedby"] = " ".join(field.describedby)
            if field.question.kind == Question.Kind.TEXT:
                # On the text box only: ARIA 1.2 allows it on a group, not on one radio button.
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["class"] = "form-control is-invalid"

    def answers(self) -> dict[int, object]:
        """Question id -> cleaned value, for `survey_response_save`."""
        return {
            question.pk: self.cleaned_data.get(field_name(question)) for question in self.questions
        }
