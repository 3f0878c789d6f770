from core.api.routes import api_path

from .views import UserDataViewSet

urlpatterns = [
    *api_path("<str:user_id>", UserDataViewSet.as_view({"delete": "erase"}), "user-erase"),
    *api_path("<str:user_id>/export", UserDataViewSet.as_view({"get": "export"}), "user-export"),
]
