"""The admin access grid: what each kind of user gets on each admin page.

Data only: tests/library/test_admin_permissions.py checks it with Django's test client,
the red-team run (lab/redteam) against the live server.
"""

ROLES = ["superuser", "editor", "viewer", "no_rights", "anonymous"]

# What each role gets: 200 = the page, 403 = refused, 302 = sent to log in.
OPEN_TO_VIEWERS = {"superuser": 200, "editor": 200, "viewer": 200, "no_rights": 403}
WRITERS_ONLY = {"superuser": 200, "editor": 200, "viewer": 403, "no_rights": 403}
# Operations (nightly runs, service keys, accounts, login attempts): not the editors'
# business; a staff account with view rights may look.
OPERATORS = {"superuser": 200, "editor": 403, "viewer": 200, "no_rights": 403}

PAGES = {
    "task_list": ("admin:library_task_changelist", OPEN_TO_VIEWERS),
    "task_add": ("admin:library_task_add", WRITERS_ONLY),
    "variation_groups": ("admin:library_task_variation_groups", OPEN_TO_VIEWERS),
    "export": ("admin:library_task_export", OPEN_TO_VIEWERS),
    "import": ("admin:library_task_import", WRITERS_ONLY),
    "plan_list": ("admin:routines_plan_changelist", OPEN_TO_VIEWERS),
    "plan_preview": ("admin:routines_plan_preview", OPEN_TO_VIEWERS),
    "rotation_list": ("admin:routines_taskrotationstate_changelist", OPEN_TO_VIEWERS),
    "feedback_list": ("admin:feedback_usertaskfeedback_changelist", OPEN_TO_VIEWERS),
    "dashboard": ("admin:feedback_dashboard", OPEN_TO_VIEWERS),
    "task_performance": ("admin:feedback_task_performance", OPEN_TO_VIEWERS),
    "estimates": ("admin:feedback_policyestimate_changelist", OPEN_TO_VIEWERS),
    "profile_list": ("admin:profiles_userpreferenceprofile_changelist", OPEN_TO_VIEWERS),
    "nightly_runs": ("admin:routines_nightlyrun_changelist", OPERATORS),
    "service_keys": ("admin:rest_framework_api_key_apikey_changelist", OPERATORS),
    "users": ("admin:auth_user_changelist", OPERATORS),
    "groups": ("admin:auth_group_changelist", OPERATORS),
    "login_attempts": ("admin:axes_accessattempt_changelist", OPERATORS),
    "login_log": ("admin:axes_accesslog_changelist", OPERATORS),
    "login_failures": ("admin:axes_accessfailurelog_changelist", OPERATORS),
}
