from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.health import api_docs_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/plans/", include("routines.urls")),
    path("api/v1/feedback/", include("feedback.urls")),
    # Closed with DEBUG off except to staff and the metrics audience (API_DOCS_PUBLIC).
    path("api/schema/", api_docs_view(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        api_docs_view(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("", include("core.urls")),
]
