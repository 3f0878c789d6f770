"""Model permissions for admin pages and actions that Django's ModelAdmin does not guard.

Custom admin views (`admin_site.admin_view`) only check that the user is active staff;
each must also demand the model permissions matching what it shows or does.
"""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied


def has_model_permission(user, model, action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def require_model_permissions(request, *needed: tuple[type, str]) -> None:
    """403 unless the user holds every (model, action) permission, e.g. (Task, "view")."""
    if not all(has_model_permission(request.user, model, action) for model, action in needed):
        raise PermissionDenied
