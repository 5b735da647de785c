"""Files and links staff share with a cohort's participants, and where uploads are kept."""

import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from .cohort import Cohort

RESOURCE_FILE_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "ppt",
    "pptx",
    "xls",
    "xlsx",
    "txt",
    "png",
    "jpg",
    "jpeg",
]
RESOURCE_FILE_MAX_BYTES = 20 * 1024 * 1024
RESOURCE_FILE_MAX_LABEL = "20 MB"
# Resource.Phase's values in program order, not alphabetical.
PHASES_IN_ORDER = ("orientation", "early", "middle", "closing")
_PHASE_RANK = {phase: rank for rank, phase in enumerate(PHASES_IN_ORDER)}


def resource_upload_to(instance: "Resource", filename: str) -> str:
    """An unguessable name under resources/; the original name is kept on the row instead.

    Nothing serves MEDIA_ROOT, so this is defence in depth: even a misconfigured web server
    in front of it could not be walked for files by their names.
    """
    extension = PurePath(filename).suffix.lower()
    return f"resources/{secrets.token_urlsafe(24)}{extension}"


def validate_resource_file_size(value: FieldFile) -> None:
    # A file already stored was checked when it was uploaded; asking the storage for its size
    # again would only turn a file lost on disk into an error on an unrelated edit.
    if getattr(value, "_committed", True):
        return
    if value.size > RESOURCE_FILE_MAX_BYTES:
        raise ValidationError(
            "This file is larger than %(limit)s, the most a resource file can be: upload a "
            "smaller file, or give a link to it instead.",
            code="file_too_large",
            params={"limit": RESOURCE_FILE_MAX_LABEL},
        )


class ResourceQuerySet(models.QuerySet):
    def for_participant(self, *, cohort: Cohort, role: str) -> "ResourceQuerySet":
        """What a cohort's mentor or mentee sees: the cohort's own resources and those for
        every cohort, meant for their role or for all, in program order."""
        if role not in (Resource.Audience.MENTOR, Resource.Audience.MENTEE):
            raise ValueError(f"role must be 'mentor' or 'mentee', not {role!r}")
        return self.filter(
            Q(cohort=cohort) | Q(cohort__isnull=True),
            audience__in=[role, Resource.Audience.ALL],
        )

    def in_program_order(self) -> list["Resource"]:
        """The rows in the model's ordering, sorted here rather than by the database: ordering
        by the phase's rank costs Django more to build than the query costs to run."""
        return sorted(self.order_by(), key=Resource.program_order)


class Resource(models.Model):
    """One item of the resource library: an external link or an uploaded file."""

    class Audience(models.TextChoices):
        MENTOR = "mentor", "Mentors"
        MENTEE = "mentee", "Mentees"
        ALL = "all", "Mentors and mentees"

    class Phase(models.TextChoices):
        ORIENTATION = "orientation", "Orientation"
        EARLY = "early", "Early months"
        MIDDLE = "middle", "Middle months"
        CLOSING = "closing", "Closing"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(
        "link",
        max_length=500,
        blank=True,
        help_text="A page or document elsewhere. Leave empty when you upload a file.",
    )
    file = models.FileField(
        upload_to=resource_upload_to,
        max_length=200,
        blank=True,
        validators=[
            FileExtensionValidator(RESOURCE_FILE_EXTENSIONS),
            validate_resource_file_size,
        ],
        help_text=(
            f"PDF, Word, PowerPoint, Excel, text or image file, at most {RESOURCE_FILE_MAX_LABEL}."
            " Leave empty when you give a link. Only the participants it is for, and staff,"
            " can download it."
        ),
    )
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    audience = models.CharField(max_length=10, choices=Audience, default=Audience.ALL)
    phase = models.CharField(max_length=12, choices=Phase, default=Phase.ORIENTATION)
    # PROTECT rather than CASCADE: deleting resources goes through resource_delete, which
    # also removes their files; a cascade would leave the files behind.
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name="cohort (empty: every cohort)",
    )
    # Explained in the admin form's fieldset, not as help text: the admin list edits it in
    # place, where its help text would be referenced but not shown.
    order = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        # The same order as program_order: phases in program order, not alphabetical.
        ordering = [
            Case(
                *(When(phase=phase, then=Value(rank)) for phase, rank in _PHASE_RANK.items()),
                default=Value(len(PHASES_IN_ORDER)),
                output_field=models.PositiveSmallIntegerField(),
            ).asc(),
            "order",
            "title",
            "pk",
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="resource_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def program_order(self) -> tuple:
        """The sort key of Meta.ordering, for sorting in Python."""
        rank = _PHASE_RANK.get(self.phase, len(PHASES_IN_ORDER))
        return (rank, self.order, self.title, self.pk)

    def clean(self) -> None:
        if self.url and self.file:
            raise ValidationError(
                {"file": "Give either a link or a file, not both: remove one of them."}
            )
        if not self.url and not self.file:
            raise ValidationError({"url": "Give a link or upload a file."})

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def href(self) -> str:
        """Where a member's link goes: the external page, or the download that checks access."""
        if self.url:
            return self.url
        return reverse("cohorts:resource_file", kwargs={"pk": self.pk})

    @property
    def download_name(self) -> str:
        return self.original_filename or PurePath(self.file.name).name

    @property
    def kind_hint(self) -> str:
        """ "PDF download" or "external link", for the member's list."""
        if not self.is_file:
            return "external link"
        extension = PurePath(self.download_name).suffix.lstrip(".").upper()
        return f"{extension} download" if extension else "download"
