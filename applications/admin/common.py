"""What the application admin pages share: who may read self-identification."""

from accounts import admin_privacy

from ..forms import PROFILE_PRIVATE_FIELDS
from ..models import Application, MemberProfile

SELF_IDENTIFICATION_PERMISSION = "applications.view_self_identification"
# Self-identification, and the submitted application's frozen copy of it: never searched or
# filtered on by staff without the permission.
admin_privacy.private_fields(SELF_IDENTIFICATION_PERMISSION, MemberProfile, PROFILE_PRIVATE_FIELDS)
admin_privacy.private_fields(SELF_IDENTIFICATION_PERMISSION, Application, ["profile_snapshot"])
