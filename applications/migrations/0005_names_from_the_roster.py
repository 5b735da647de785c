"""Accounts made before sign-up asked for a name get the name of the roster row they are linked
to, so that staff lists, exports and emails stop showing "-" or an email address for them.

Only an empty first or last name is filled: a name a member typed stays theirs. Names the roster
import accepted are already trimmed, at most 150 characters and free of control characters, the
same rules the sign-up form applies. One UPDATE per column, whatever the number of accounts.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("applications", "Membership")
    for field in ("first_name", "last_name"):
        roster_name = Membership.objects.filter(user=OuterRef("pk")).exclude(**{field: ""})
        User.objects.filter(**{field: ""}).filter(
            pk__in=Membership.objects.filter(user__isnull=False)
            .exclude(**{field: ""})
            .values("user")
        ).update(**{field: Subquery(roster_name.values(field)[:1])})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("applications", "0004_time_zones_from_the_list"),
    ]

    # Nothing to undo: the names stay, as if the members had typed them.
    operations = [migrations.RunPython(fill_names, migrations.RunPython.noop)]
