"""The "Editors" group: who curates the task library in admin.

Editors add and change tasks (bulk actions and import included) and see plans, feedback,
learned profiles and the dashboards; they never delete (deactivate instead) and cannot
manage users or service keys. The group is created, and topped up with any of these
permissions it lacks, after every `manage.py migrate` (post_migrate, see apps.py).
Permissions an administrator added by hand are kept.
"""

from django.contrib.auth.models import Group, Permission

EDITORS_GROUP = "Editors"

# By codename (unique across apps here), so a model that moves to another app keeps its
# permission in the group.
EDITOR_PERMISSIONS = (
    "add_task",
    "change_task",
    "view_task",
    "view_plan",
    "view_taskrotationstate",
    "view_usertaskfeedback",
    "view_userpreferenceprofile",
    "view_policyestimate",
)


def ensure_editors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    wanted = Permission.objects.filter(codename__in=EDITOR_PERMISSIONS)
    group.permissions.add(*wanted)
    return group
