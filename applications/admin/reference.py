"""The reference lists applicants choose from: locations, practice areas, career stages,
interests and background groups."""

from django.contrib import admin

from accounts import admin_privacy

from ..models import BackgroundGroup, CareerStage, Interest, Location, PracticeArea


@admin.register(Location)
class LocationAdmin(admin_privacy.ModelAdmin):
    list_display = ["name", "code", "region", "division", "default_time_zone", "order"]
    list_filter = ["region", "division"]
    search_fields = ["name", "code"]


class ReferenceAdmin(admin_privacy.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(PracticeArea)
class PracticeAreaAdmin(ReferenceAdmin):
    list_display = ["name", "kind", "order", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(CareerStage)
class CareerStageAdmin(ReferenceAdmin):
    list_display = ["name", "order", "is_student", "is_active"]


@admin.register(Interest)
class InterestAdmin(ReferenceAdmin):
    list_display = ["name", "category", "order", "is_active"]
    list_filter = ["category", "is_active"]


@admin.register(BackgroundGroup)
class BackgroundGroupAdmin(ReferenceAdmin):
    pass


# A file of junk has a row error per line: the page lists the first ones and counts the rest.
