"""The reference data seeded by applications/migrations/0002_reference_data.py."""

import importlib
import zoneinfo
from collections import Counter
from itertools import pairwise

import pytest
from django.apps import apps

from applications.models import (
    BackgroundGroup,
    CareerStage,
    CensusDivision,
    CensusRegion,
    Interest,
    Location,
    PracticeArea,
)

pytestmark = pytest.mark.django_db

FOUR_REGIONS = [
    CensusRegion.NORTHEAST,
    CensusRegion.MIDWEST,
    CensusRegion.SOUTH,
    CensusRegion.WEST,
]

REGION_OF_DIVISION = {
    CensusDivision.NEW_ENGLAND: CensusRegion.NORTHEAST,
    CensusDivision.MIDDLE_ATLANTIC: CensusRegion.NORTHEAST,
    CensusDivision.EAST_NORTH_CENTRAL: CensusRegion.MIDWEST,
    CensusDivision.WEST_NORTH_CENTRAL: CensusRegion.MIDWEST,
    CensusDivision.SOUTH_ATLANTIC: CensusRegion.SOUTH,
    CensusDivision.EAST_SOUTH_CENTRAL: CensusRegion.SOUTH,
    CensusDivision.WEST_SOUTH_CENTRAL: CensusRegion.SOUTH,
    CensusDivision.MOUNTAIN: CensusRegion.WEST,
    CensusDivision.PACIFIC: CensusRegion.WEST,
}


def all_rows():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Location, PracticeArea, CareerStage, Interest, BackgroundGroup)
    }


def test_every_state_and_dc_has_a_census_region_and_division():
    states = Location.objects.filter(region__in=FOUR_REGIONS)
    assert states.count() == 51
    for location in states:
        assert location.division in REGION_OF_DIVISION, location.code
        assert REGION_OF_DIVISION[location.division] == location.region, location.code


def test_the_nine_census_divisions_have_their_member_counts():
    counts = Counter(
        Location.objects.filter(region__in=FOUR_REGIONS).values_list("division", flat=True)
    )
    assert counts == {
        CensusDivision.NEW_ENGLAND: 6,
        CensusDivision.MIDDLE_ATLANTIC: 3,
        CensusDivision.EAST_NORTH_CENTRAL: 5,
        CensusDivision.WEST_NORTH_CENTRAL: 7,
        CensusDivision.SOUTH_ATLANTIC: 9,
        CensusDivision.EAST_SOUTH_CENTRAL: 4,
        CensusDivision.WEST_SOUTH_CENTRAL: 4,
        CensusDivision.MOUNTAIN: 8,
        CensusDivision.PACIFIC: 5,
    }


@pytest.mark.parametrize(
    ("code", "name", "region", "division", "zone"),
    [
        ("CO", "Colorado", "west", "mountain", "America/Denver"),
        ("DC", "District of Columbia", "south", "south_atlantic", "America/New_York"),
        ("AZ", "Arizona", "west", "mountain", "America/Phoenix"),
        ("IN", "Indiana", "midwest", "east_north_central", "America/Indiana/Indianapolis"),
        ("TX", "Texas", "south", "west_south_central", "America/Chicago"),
        ("KY", "Kentucky", "south", "east_south_central", "America/New_York"),
        ("PA", "Pennsylvania", "northeast", "middle_atlantic", "America/New_York"),
        ("ND", "North Dakota", "midwest", "west_north_central", "America/Chicago"),
        ("HI", "Hawaii", "west", "pacific", "Pacific/Honolulu"),
        ("PR", "Puerto Rico", "territories", "territories", "America/Puerto_Rico"),
        ("GU", "Guam", "territories", "territories", "Pacific/Guam"),
    ],
)
def test_spot_checked_locations_have_the_right_region_division_and_time_zone(
    code, name, region, division, zone
):
    location = Location.objects.get(code=code)
    assert (location.name, location.region, location.division, location.default_time_zone) == (
        name,
        region,
        division,
        zone,
    )


def test_the_five_inhabited_territories_come_after_the_states():
    territories = Location.objects.filter(region=CensusRegion.TERRITORIES)
    assert set(territories.values_list("code", flat=True)) == {"PR", "VI", "GU", "MP", "AS"}
    assert all(territory.division == CensusDivision.TERRITORIES for territory in territories)
    assert min(territories.values_list("order", flat=True)) >= 100


def test_states_and_dc_are_ordered_alphabetically_from_one_to_fifty_one():
    states = list(Location.objects.filter(region__in=FOUR_REGIONS).order_by("order"))
    assert [state.order for state in states] == list(range(1, 52))
    names = [state.name for state in states]
    assert names == sorted(names)


def test_every_default_time_zone_is_a_real_iana_zone():
    available = zoneinfo.available_timezones()
    zones = Location.objects.exclude(default_time_zone="").values_list(
        "default_time_zone", flat=True
    )
    assert Location.objects.exclude(default_time_zone="").count() == 56
    assert set(zones) <= available


def test_outside_the_us_exists_last_without_a_time_zone():
    outside = Location.objects.get(code="XX")
    assert outside.name == "Outside the US"
    assert outside.region == CensusRegion.OUTSIDE_US
    assert outside.division == CensusDivision.OUTSIDE_US
    assert outside.default_time_zone == ""
    assert Location.objects.last() == outside


def test_career_stages_increase_in_order_with_the_student_stages_first():
    stages = list(CareerStage.objects.order_by("order"))
    assert len(stages) == 11
    orders = [stage.order for stage in stages]
    assert all(a < b for a, b in pairwise(orders))
    assert orders == list(range(10, 111, 10))
    flags = [stage.is_student for stage in stages]
    assert flags == [True] * 4 + [False] * 7
    assert stages[0].name == "Student pharmacist, P1"
    assert stages[-1].name == "Senior (more than 25 years)"
    assert CareerStage.objects.filter(name="New practitioner (0-5 years)").exists()


def test_all_practice_sections_and_forums_exist():
    sections = set(
        PracticeArea.objects.filter(kind=PracticeArea.Kind.SECTION).values_list(
            "description", flat=True
        )
    )
    forums = set(
        PracticeArea.objects.filter(kind=PracticeArea.Kind.FORUM).values_list(
            "description", flat=True
        )
    )
    assert sections == {
        "Section of Ambulatory Care Practitioners",
        "Section of Clinical Specialists and Scientists",
        "Section of Inpatient Care Practitioners",
        "Section of Pharmacy Informatics and Technology",
        "Section of Pharmacy Practice Leaders",
        "Section of Specialty Pharmacy Practitioners",
    }
    assert forums == {
        "New Practitioners Forum",
        "Pharmacy Student Forum",
        "Pharmacy Technician Forum",
    }
    assert PracticeArea.objects.get(name="Practice leadership").kind == PracticeArea.Kind.SECTION
    assert PracticeArea.objects.get(name="Pharmacy students").kind == PracticeArea.Kind.FORUM


def test_interests_fall_into_the_two_categories():
    counts = Counter(Interest.objects.values_list("category", flat=True))
    assert counts == {"Career development": 11, "Practice and therapeutic areas": 18}
    assert Interest.objects.get(name="Residency preparation").category == "Career development"
    assert Interest.objects.get(name="Oncology").category == "Practice and therapeutic areas"


def test_background_groups_are_seeded_in_order():
    groups = list(BackgroundGroup.objects.all())
    assert len(groups) == 13
    assert [group.order for group in groups] == list(range(1, 14))
    assert groups[0].name == "First-generation college graduate"
    assert groups[-1].name == "Rural background"


def test_running_the_seed_again_changes_nothing():
    migration = importlib.import_module("applications.migrations.0002_reference_data")
    before = all_rows()

    migration.seed_reference_data(apps, None)

    after = all_rows()
    assert {name: len(rows) for name, rows in after.items()} == {
        "Location": 57,
        "PracticeArea": 9,
        "CareerStage": 11,
        "Interest": 29,
        "BackgroundGroup": 13,
    }
    assert after == before


def test_the_seed_restores_edited_reference_data_without_duplicating_it():
    migration = importlib.import_module("applications.migrations.0002_reference_data")
    Location.objects.filter(code="CO").update(division=CensusDivision.PACIFIC, order=7)
    count = Location.objects.count()

    migration.seed_reference_data(apps, None)

    colorado = Location.objects.get(code="CO")
    assert (colorado.division, colorado.order) == (CensusDivision.MOUNTAIN, 6)
    assert Location.objects.count() == count


def test_the_reverse_removes_only_the_seeded_rows():
    migration = importlib.import_module("applications.migrations.0002_reference_data")
    Interest.objects.create(name="Veterinary pharmacy", category="Practice and therapeutic areas")
    CareerStage.objects.create(name="Returning to practice", order=85)

    migration.remove_reference_data(apps, None)

    assert not Location.objects.exists()
    assert not PracticeArea.objects.exists()
    assert not BackgroundGroup.objects.exists()
    assert list(Interest.objects.values_list("name", flat=True)) == ["Veterinary pharmacy"]
    assert list(CareerStage.objects.values_list("name", flat=True)) == ["Returning to practice"]
