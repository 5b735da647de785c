"""The pair workspace, for the two members of a released match, by page group: `workspace` (the
list of pairs, the workspace page, expectations), `goals` (goals, their action plan and
comments), `meetings` (the schedule and the logs) and `calendar` (calendar files and feeds).

Every view goes through `common.get_pair_for_user`: a member of the pair, or staff holding the
`meetings.view_pair_workspace` permission (read only), gets the pair; anyone else gets 404,
so a URL tells an outsider nothing, not even that the pair exists.
"""
