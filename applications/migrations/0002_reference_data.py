"""Seed the reference data members choose from: locations, practice areas, career stages,
interests and self-identification groups.

The data is written out here rather than imported so the migration stays frozen: later edits
to any Python module cannot change what this migration did. Rows are keyed on their natural
key (code for Location, name for the rest), so running the forward function again changes
nothing, and the reverse function removes exactly these rows.
"""

from django.db import migrations

# (USPS code, name, Census region, Census division, default IANA time zone), alphabetical by
# name; the position in this tuple (from 1) is the row's order. Regions and divisions are the
# U.S. Census Bureau's; the time zone is the one covering most of the state's population.
STATES_AND_DC = (
    ("AL", "Alabama", "south", "east_south_central", "America/Chicago"),
    ("AK", "Alaska", "west", "pacific", "America/Anchorage"),
    ("AZ", "Arizona", "west", "mountain", "America/Phoenix"),
    ("AR", "Arkansas", "south", "west_south_central", "America/Chicago"),
    ("CA", "California", "west", "pacific", "America/Los_Angeles"),
    ("CO", "Colorado", "west", "mountain", "America/Denver"),
    ("CT", "Connecticut", "northeast", "new_england", "America/New_York"),
    ("DE", "Delaware", "south", "south_atlantic", "America/New_York"),
    ("DC", "District of Columbia", "south", "south_atlantic", "America/New_York"),
    ("FL", "Florida", "south", "south_atlantic", "America/New_York"),
    ("GA", "Georgia", "south", "south_atlantic", "America/New_York"),
    ("HI", "Hawaii", "west", "pacific", "Pacific/Honolulu"),
    ("ID", "Idaho", "west", "mountain", "America/Boise"),
    ("IL", "Illinois", "midwest", "east_north_central", "America/Chicago"),
    ("IN", "Indiana", "midwest", "east_north_central", "America/Indiana/Indianapolis"),
    ("IA", "Iowa", "midwest", "west_north_central", "America/Chicago"),
    ("KS", "Kansas", "midwest", "west_north_central", "America/Chicago"),
    ("KY", "Kentucky", "south", "east_south_central", "America/New_York"),
    ("LA", "Louisiana", "south", "west_south_central", "America/Chicago"),
    ("ME", "Maine", "northeast", "new_england", "America/New_York"),
    ("MD", "Maryland", "south", "south_atlantic", "America/New_York"),
    ("MA", "Massachusetts", "northeast", "new_england", "America/New_York"),
    ("MI", "Michigan", "midwest", "east_north_central", "America/Detroit"),
    ("MN", "Minnesota", "midwest", "west_north_central", "America/Chicago"),
    ("MS", "Mississippi", "south", "east_south_central", "America/Chicago"),
    ("MO", "Missouri", "midwest", "west_north_central", "America/Chicago"),
    ("MT", "Montana", "west", "mountain", "America/Denver"),
    ("NE", "Nebraska", "midwest", "west_north_central", "America/Chicago"),
    ("NV", "Nevada", "west", "mountain", "America/Los_Angeles"),
    ("NH", "New Hampshire", "northeast", "new_england", "America/New_York"),
    ("NJ", "New Jersey", "northeast", "middle_atlantic", "America/New_York"),
    ("NM", "New Mexico", "west", "mountain", "America/Denver"),
    ("NY", "New York", "northeast", "middle_atlantic", "America/New_York"),
    ("NC", "North Carolina", "south", "south_atlantic", "America/New_York"),
    ("ND", "North Dakota", "midwest", "west_north_central", "America/Chicago"),
    ("OH", "Ohio", "midwest", "east_north_central", "America/New_York"),
    ("OK", "Oklahoma", "south", "west_south_central", "America/Chicago"),
    ("OR", "Oregon", "west", "pacific", "America/Los_Angeles"),
    ("PA", "Pennsylvania", "northeast", "middle_atlantic", "America/New_York"),
    ("RI", "Rhode Island", "northeast", "new_england", "America/New_York"),
    ("SC", "South Carolina", "south", "south_atlantic", "America/New_York"),
    ("SD", "South Dakota", "midwest", "west_north_central", "America/Chicago"),
    ("TN", "Tennessee", "south", "east_south_central", "America/Chicago"),
    ("TX", "Texas", "south", "west_south_central", "America/Chicago"),
    ("UT", "Utah", "west", "mountain", "America/Denver"),
    ("VT", "Vermont", "northeast", "new_england", "America/New_York"),
    ("VA", "Virginia", "south", "south_atlantic", "America/New_York"),
    ("WA", "Washington", "west", "pacific", "America/Los_Angeles"),
    ("WV", "West Virginia", "south", "south_atlantic", "America/New_York"),
    ("WI", "Wisconsin", "midwest", "east_north_central", "America/Chicago"),
    ("WY", "Wyoming", "west", "mountain", "America/Denver"),
)

# (USPS code, name, default IANA time zone); orders start at 100, after the states.
TERRITORIES = (
    ("PR", "Puerto Rico", "America/Puerto_Rico"),
    ("VI", "U.S. Virgin Islands", "America/St_Thomas"),
    ("GU", "Guam", "Pacific/Guam"),
    ("MP", "Northern Mariana Islands", "Pacific/Saipan"),
    ("AS", "American Samoa", "Pacific/Pago_Pago"),
)
TERRITORIES_FIRST_ORDER = 100

OUTSIDE_US = ("XX", "Outside the US")
OUTSIDE_US_ORDER = 999

# (display name, kind, official name); the position (from 1) is the order.
PRACTICE_AREAS = (
    ("Ambulatory care", "section", "Section of Ambulatory Care Practitioners"),
    (
        "Clinical specialists and scientists",
        "section",
        "Section of Clinical Specialists and Scientists",
    ),
    ("Inpatient care", "section", "Section of Inpatient Care Practitioners"),
    ("Informatics and technology", "section", "Section of Pharmacy Informatics and Technology"),
    ("Practice leadership", "section", "Section of Pharmacy Practice Leaders"),
    ("Specialty pharmacy", "section", "Section of Specialty Pharmacy Practitioners"),
    ("New practitioners", "forum", "New Practitioners Forum"),
    ("Pharmacy students", "forum", "Pharmacy Student Forum"),
    ("Pharmacy technicians", "forum", "Pharmacy Technician Forum"),
)

# (name, is_student), in increasing experience; orders go 10, 20, 30, ... so staff can insert
# stages between them.
CAREER_STAGES = (
    ("Student pharmacist, P1", True),
    ("Student pharmacist, P2", True),
    ("Student pharmacist, P3", True),
    ("Student pharmacist, P4", True),
    ("Resident (PGY1)", False),
    ("Resident (PGY2)", False),
    ("Fellow", False),
    ("New practitioner (0-5 years)", False),
    ("Mid-career (6-15 years)", False),
    ("Experienced (16-25 years)", False),
    ("Senior (more than 25 years)", False),
)
CAREER_STAGE_ORDER_STEP = 10

# category -> names; the position within the category (from 1) is the order.
INTERESTS = (
    (
        "Career development",
        (
            "Residency preparation",
            "Fellowship and industry careers",
            "Board certification",
            "Leadership development",
            "Teaching and precepting",
            "Research and publishing",
            "Professional networking",
            "Work-life integration",
            "Interview and CV preparation",
            "Transition to practice",
            "Advocacy and policy",
        ),
    ),
    (
        "Practice and therapeutic areas",
        (
            "Ambulatory care",
            "Cardiology",
            "Critical care",
            "Emergency medicine",
            "Infectious diseases and antimicrobial stewardship",
            "Oncology",
            "Pediatrics",
            "Psychiatry and behavioral health",
            "Geriatrics",
            "Transplant",
            "Nephrology",
            "Pharmacogenomics",
            "Pain management and palliative care",
            "Medication safety",
            "Informatics and technology",
            "Specialty pharmacy",
            "Health-system administration",
            "Drug information",
        ),
    ),
)

# Optional self-identification for shared-background matching; the position (from 1) is the
# order.
BACKGROUND_GROUPS = (
    "First-generation college graduate",
    "Black or African American",
    "Hispanic or Latino/a/e",
    "Asian or Asian American",
    "American Indian or Alaska Native",
    "Native Hawaiian or Pacific Islander",
    "Middle Eastern or North African",
    "LGBTQ+",
    "Person with a disability",
    "Veteran or military family",
    "International pharmacy graduate",
    "Parent or caregiver",
    "Rural background",
)


def _location_rows():
    for order, (code, name, region, division, zone) in enumerate(STATES_AND_DC, start=1):
        yield code, name, region, division, zone, order
    for order, (code, name, zone) in enumerate(TERRITORIES, start=TERRITORIES_FIRST_ORDER):
        yield code, name, "territories", "territories", zone, order
    code, name = OUTSIDE_US
    yield code, name, "outside", "outside", "", OUTSIDE_US_ORDER


def seed_reference_data(apps, schema_editor):
    Location = apps.get_model("applications", "Location")
    PracticeArea = apps.get_model("applications", "PracticeArea")
    CareerStage = apps.get_model("applications", "CareerStage")
    Interest = apps.get_model("applications", "Interest")
    BackgroundGroup = apps.get_model("applications", "BackgroundGroup")

    for code, name, region, division, zone, order in _location_rows():
        Location.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "region": region,
                "division": division,
                "default_time_zone": zone,
                "order": order,
            },
        )

    for order, (name, kind, description) in enumerate(PRACTICE_AREAS, start=1):
        PracticeArea.objects.update_or_create(
            name=name, defaults={"kind": kind, "description": description, "order": order}
        )

    for index, (name, is_student) in enumerate(CAREER_STAGES, start=1):
        CareerStage.objects.update_or_create(
            name=name,
            defaults={"order": index * CAREER_STAGE_ORDER_STEP, "is_student": is_student},
        )

    for category, names in INTERESTS:
        for order, name in enumerate(names, start=1):
            Interest.objects.update_or_create(
                name=name, defaults={"category": category, "order": order}
            )

    for order, name in enumerate(BACKGROUND_GROUPS, start=1):
        BackgroundGroup.objects.update_or_create(name=name, defaults={"order": order})


def remove_reference_data(apps, schema_editor):
    Location = apps.get_model("applications", "Location")
    PracticeArea = apps.get_model("applications", "PracticeArea")
    CareerStage = apps.get_model("applications", "CareerStage")
    Interest = apps.get_model("applications", "Interest")
    BackgroundGroup = apps.get_model("applications", "BackgroundGroup")

    Location.objects.filter(code__in=[row[0] for row in _location_rows()]).delete()
    PracticeArea.objects.filter(name__in=[row[0] for row in PRACTICE_AREAS]).delete()
    CareerStage.objects.filter(name__in=[row[0] for row in CAREER_STAGES]).delete()
    Interest.objects.filter(name__in=[name for _, names in INTERESTS for name in names]).delete()
    BackgroundGroup.objects.filter(name__in=BACKGROUND_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed_reference_data, remove_reference_data)]
