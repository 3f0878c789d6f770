from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.api.access import require_access
from core.api.fields import path_uuid
from core.api.schema import COMMON_ERRORS, USER_ID, error

from .export import export_chunks
from .serializers import ExportDocumentSerializer
from .services import erase_user


class UserDataViewSet(viewsets.ViewSet):
    """A user's data on request: export everything held, or erase it (GDPR 15, 17, 20)."""

    @extend_schema(
        operation_id="users_export",
        summary="Everything held about the user, as one JSON document (streamed)",
        description=(
            "Profile (with a plain explanation of each learned field), plans with their "
            "items and each item's outcome, feedback with notes, rotation state, and rows "
            "of any other table holding the user's id. Streamed page by page; a user with "
            "no data gets the document with empty sections."
        ),
        parameters=[USER_ID],
        responses={
            200: ExportDocumentSerializer,
            400: error("Malformed user_id."),
            404: error("Another user's data."),
            **COMMON_ERRORS,
        },
        tags=["privacy"],
    )
    def export(self, request, user_id: str):
        user = path_uuid(user_id)
        require_access(request, user, "User")
        response = StreamingHttpResponse(
            export_chunks(user), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="holisticos-{user}.json"'
        return response

    @extend_schema(
        operation_id="users_erase",
        summary="Erase everything held about the user (idempotent)",
        description=(
            "Deletes every row holding the user's id or pointing at their plans, notes "
            "included, in one transaction, and records the erasure under a keyed hash of "
            "the id. 204 also when there was nothing to erase."
        ),
        parameters=[USER_ID],
        request=None,
        responses={
            204: OpenApiResponse(description="Erased (or nothing was held)."),
            400: error("Malformed user_id."),
            404: error("Another user's data."),
            **COMMON_ERRORS,
        },
        tags=["privacy"],
    )
    def erase(self, request, user_id: str):
        user = path_uuid(user_id)
        require_access(request, user, "User")
        erase_user(user)
        return Response(status=status.HTTP_204_NO_CONTENT)
