from django.urls import path

from .views import UserDataViewSet

urlpatterns = [
    path("<str:user_id>", UserDataViewSet.as_view({"delete": "erase"}), name="user-erase"),
    path(
        "<str:user_id>/export",
        UserDataViewSet.as_view({"get": "export"}),
        name="user-export",
    ),
]
