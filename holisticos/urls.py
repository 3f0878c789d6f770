from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.routes import api_path
from core.health import api_docs_view
from feedback.plan_state import PLAN_FEEDBACK
from feedback.swap_api import swap_routes
from routines.urls import plan_routes

# The admin is the editors' tool; there is no public site for "View site" to lead to.
admin.site.site_header = "HolisticOS editors"
admin.site.site_title = "HolisticOS editors"
admin.site.index_title = "Task library and personalization"
admin.site.site_url = None

urlpatterns = [
    path("admin/", admin.site.urls),
    # Plans show what is recorded on them: feedback's reader, passed down (routines never
    # import feedback).
    path("api/v1/plans/", include(plan_routes(PLAN_FEEDBACK))),
    # Swapping a task records its outcome and relearns: a feedback view on the plans' path.
    path("api/v1/plans/", include(swap_routes())),
    path("api/v1/feedback/", include("feedback.urls")),
    path("api/v1/users/", include("privacy.urls")),
    # Closed with DEBUG off except to staff and the metrics audience (API_DOCS_PUBLIC).
    *api_path("api/schema", api_docs_view(SpectacularAPIView.as_view()), "api-schema"),
    *api_path(
        "api/docs",
        api_docs_view(SpectacularSwaggerView.as_view(url_name="api-schema")),
        "api-docs",
    ),
    path("", include("core.urls")),
]
