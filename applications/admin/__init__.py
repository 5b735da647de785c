"""Applications in the staff admin, one module per page group: `reference` (the lists applicants
choose from), `members` (memberships with the roster import, member profiles), `applications`
(the list, decisions, CSV export). `common` holds who may read self-identification."""

from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin

from . import applications, members, reference  # noqa: F401  (each registers its ModelAdmin)

# Single sign-on is configured from the environment only (applications/sso.py), and no token is
# kept: allauth's pages for provider apps, tokens and the raw claims of linked accounts would
# offer staff settings that do nothing and members' claims they need not read.
for _model in (SocialApp, SocialToken, SocialAccount):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
