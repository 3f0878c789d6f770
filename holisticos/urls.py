from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.health import api_docs_view

# The admin is the editors' tool; there is no public site for "View site" to lead to.
admin.site.site_header = "HolisticOS editors"
admin.site.site_title = "HolisticOS editors"
admin.site.index_title = "Task library and personalization"
admin.site.site_url = None

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/plans/", include("routines.urls")),
    path("api/v1/feedback/", include("feedback.urls")),
    path("api/v1/users/", include("privacy.urls")),
    # Closed with DEBUG off except to staff and the metrics audience (API_DOCS_PUBLIC).
    path("api/schema/", api_docs_view(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        api_docs_view(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("", include("core.urls")),
]
