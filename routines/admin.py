import uuid
from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Q, Sum
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from core.admin_access import require_model_permissions
from core.admin_readonly import ReadOnlyAdmin
from library.scoring import StaticScorer
from profiles.selectors import get_profile

from .admin_preview import SWAP_COUNT_DAYS, explain_shape, preview_blocks, preview_task_ids
from .drafting import PlanningError, PlanRequest, draft_dynamic_plan
from .forms import PlanPreviewForm
from .models import ChunkStatus, NightlyChunk, NightlyRun, Plan, PlanItem, TaskRotationState
from .selectors import swaps_by_task

# Previews without a user plan for nobody: no profile, no rotation history.
PREVIEW_USER = uuid.UUID(int=0)


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    template = "admin/routines/plan/items_by_block.html"
    fields = (
        "scheduled_time",
        "title",
        "category",
        "priority",
        "variation_group",
        "policy",
        "propensity",
        "outcome",
    )
    readonly_fields = fields
    column_count = len(fields)
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        # Block headers and outcomes come from these relations: one query each, not per row.
        return (
            super()
            .get_queryset(request)
            .select_related("time_block")
            .prefetch_related("feedback")
            .order_by("time_block__position", "position")
        )

    @admin.display(description="Outcome")
    def outcome(self, item: PlanItem) -> str:
        """completed / skipped (with the reason) / none, from the item's feedback."""
        for feedback in item.feedback.all():
            if feedback.completed:
                return format_html('<span class="outcome-{}">{}</span>', "completed", "completed")
            if feedback.skipped:
                reason = feedback.get_skip_reason_display() if feedback.skip_reason else ""
                return format_html(
                    '<span class="outcome-skipped">skipped</span>{}',
                    f" ({reason})" if reason else "",
                )
        return format_html('<span class="outcome-{}">{}</span>', "none", "none")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = (
        "user_id",
        "date",
        "plan_type",
        "readiness_mode",
        "archetype",
        "fallback_reason",
    )
    list_filter = ("plan_type", "readiness_mode", "archetype", "date")
    search_fields = ("user_id",)
    date_hierarchy = "date"
    inlines = [PlanItemInline]

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="routines_plan_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The plan the engine would generate, slot by slot with scores. Nothing is saved."""
        require_model_permissions(request, (Plan, "view"))
        form = PlanPreviewForm(request.GET or None)
        blocks, error, profile, policy, preview, shape = None, "", None, "", None, []
        if form.is_valid():
            data = form.cleaned_data
            user_id = data["user_id"]
            if user_id:
                # A user's preview shows their rotation history and learned profile.
                require_model_permissions(request, (TaskRotationState, "view"))
            profile = get_profile(user_id) if user_id else None
            if profile is not None:
                require_model_permissions(request, (type(profile), "view"))
            try:
                draft = draft_dynamic_plan(
                    PlanRequest(
                        user_id or PREVIEW_USER,
                        data["archetype"],
                        data["date"],
                        data["mode"],
                        data["wake_time"],
                        profile,
                    )
                )
                blocks, policy = draft.blocks, draft.policy
                learned = profile is not None and policy != StaticScorer.policy
                until = timezone.localdate()
                swaps = swaps_by_task(
                    preview_task_ids(blocks), until - timedelta(days=SWAP_COUNT_DAYS - 1), until
                )
                preview = preview_blocks(blocks, data["archetype"], data["mode"], learned, swaps)
                shape = explain_shape(draft.shape, policy, profile.evidence if profile else None)
            except PlanningError as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "title": "Plan preview",
            "form": form,
            "blocks": blocks,
            "error": error,
            "profile": profile,
            "policy": policy,
            "learned": bool(preview) and profile is not None and policy != StaticScorer.policy,
            "preview": preview,
            "shape": shape,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/routines/plan_preview.html", context)


@admin.register(TaskRotationState)
class TaskRotationStateAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "variation_group", "last_used_date", "times_used", "task_library")
    list_filter = ("variation_group", "last_used_date")
    search_fields = ("user_id", "variation_group")
    list_select_related = ("task_library",)


class NightlyChunkInline(admin.TabularInline):
    model = NightlyChunk
    fields = (
        "position",
        "status",
        "attempts",
        "worker",
        "users",
        "plans_written",
        "fallbacks",
        "failed_users",
        "started_at",
        "finished_at",
        "error",
    )
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdmin):
    """Nightly runs on Celery: progress and failures at a glance, chunks on the run's page."""

    list_display = ("day", "created_at", "finished_at", "chunk_count", "progress", "users")
    list_filter = ("day",)
    inlines = [NightlyChunkInline]

    def get_queryset(self, request):
        # The progress column for every listed run in the list's one query.
        def status(name):
            return Count("chunks", filter=Q(chunks__status=name))

        return (
            super()
            .get_queryset(request)
            .annotate(
                done=status(ChunkStatus.DONE),
                failed=status(ChunkStatus.FAILED),
                running=status(ChunkStatus.RUNNING),
                planned=Sum("chunks__users"),
                failed_users=Sum("chunks__failed_users"),
            )
        )

    @admin.display(description="chunks done / running / failed")
    def progress(self, run) -> str:
        return f"{run.done} / {run.running} / {run.failed}"

    @admin.display(description="users planned (failed)")
    def users(self, run) -> str:
        return f"{run.planned or 0} ({run.failed_users or 0})"
