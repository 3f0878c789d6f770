"""The app's URLs plus a floor endpoint: the cheapest useful DRF request we can serve."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from holisticos.urls import urlpatterns as app_urlpatterns
from routines.models import PlanItem


class FloorView(APIView):
    """Authenticated like the API, one indexed read, a tiny JSON answer."""

    def get(self, request):
        item = PlanItem.objects.filter(id=request.query_params["item"]).values("id").first()
        return Response({"found": item is not None})


urlpatterns = [*app_urlpatterns, path("bench/floor", FloorView.as_view())]
