from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON

from core.admin_access import has_model_permission, require_model_permissions

from . import services
from .choices import ARCHETYPES
from .forms import ARCHETYPE_FIELDS, MODE_FIELDS, TaskForm
from .models import Task
from .resources import TaskResource
from .selectors import MIN_ACTIVE_VARIANTS, groups_below_minimum, variation_groups

ARCHETYPE_INITIALS = {a: "".join(word[0] for word in a.split()) for a in ARCHETYPES}


class VariationGroupFilter(admin.SimpleListFilter):
    title = "variation group"
    parameter_name = "variation_group"

    def lookups(self, request, model_admin):
        # order_by() first: the model's default ordering would widen DISTINCT and list a
        # group once per (category, name) it appears with.
        groups = Task.objects.order_by().values_list("variation_group", flat=True).distinct()
        return [(g, g) for g in sorted(groups)]

    def queryset(self, request, queryset):
        return queryset.filter(variation_group=self.value()) if self.value() else queryset


class SubcategoryFilter(VariationGroupFilter):
    title = "subcategory"
    parameter_name = "subcategory"

    def lookups(self, request, model_admin):
        subs = Task.objects.exclude(subcategory="").values_list("subcategory", flat=True)
        return [(s, s) for s in sorted(set(subs))]

    def queryset(self, request, queryset):
        return queryset.filter(subcategory=self.value()) if self.value() else queryset


@admin.register(Task)
class TaskAdmin(ImportExportModelAdmin):
    form = TaskForm
    resource_classes = [TaskResource]
    formats = [CSV, JSON]
    change_list_template = "admin/library/task/change_list.html"
    import_template_name = "admin/library/task/import.html"
    list_display = (
        "name",
        "category_and_subcategory",
        "difficulty",
        "minutes",
        "variation_group",
        "time_of_day_preference",
        "is_active",
        "archetype_fits",
    )
    list_filter = (
        "category",
        SubcategoryFilter,
        "difficulty",
        "time_of_day_preference",
        "is_active",
        VariationGroupFilter,
    )
    search_fields = ("name", "description", "tags")
    ordering = ("category", "variation_group", "name")
    list_per_page = 50
    actions = ["activate", "deactivate", "duplicate_as_new_variation"]
    readonly_fields = ("id", "created_at", "updated_at", "recent_changes")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "description",
                    "category",
                    "subcategory",
                    "variation_group",
                    "is_active",
                )
            },
        ),
        (
            "Scheduling",
            {
                "fields": (
                    "difficulty",
                    "duration_minutes",
                    "time_of_day_preference",
                    "tags_text",
                    "equipment_text",
                )
            },
        ),
        ("Archetype fit (0 = poor, 1 = ideal)", {"fields": tuple(ARCHETYPE_FIELDS)}),
        ("Mode fit (0 = poor, 1 = ideal)", {"fields": tuple(MODE_FIELDS)}),
        ("History", {"fields": ("recent_changes", "id", "created_at", "updated_at")}),
    )

    @admin.display(description="Archetype fit (legend above)")
    def archetype_fits(self, task: Task) -> str:
        # A fixed grid of abbreviation + score, so columns line up from row to row.
        return format_html(
            '<span class="fit-grid">{}</span>',
            format_html_join(
                "",
                '<span class="fit" title="{}: {}"><abbr>{}</abbr>{}</span>',
                (
                    (a, score, ARCHETYPE_INITIALS[a], score)
                    for a in ARCHETYPES
                    for score in [f"{task.archetype_fit.get(a, 0):.2f}"]
                ),
            ),
        )

    @admin.display(description="Category", ordering="category")
    def category_and_subcategory(self, task: Task) -> str:
        if not task.subcategory:
            return task.get_category_display()
        return format_html(
            '{}<br><small class="quiet">{}</small>', task.get_category_display(), task.subcategory
        )

    @admin.display(description="Min", ordering="duration_minutes")
    def minutes(self, task: Task) -> int:
        return task.duration_minutes

    def changelist_view(self, request, extra_context=None):
        legend = [(ARCHETYPE_INITIALS[a], a) for a in ARCHETYPES]
        # The task list is the widest table editors use: at 1400 px the navigation sidebar
        # squeezed task names onto three lines and pushed the fit grid off screen.
        context = {"fit_legend": legend, "is_nav_sidebar_enabled": False}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    @admin.display(description="Recent changes")
    def recent_changes(self, task: Task) -> str:
        if not task.pk:
            return "-"
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Task), object_id=str(task.pk)
        ).select_related("user")[:10]
        if not entries:
            return "No changes recorded yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {}: {}</li>",
                (
                    (e.action_time.strftime("%Y-%m-%d %H:%M"), e.user, e.get_change_message())
                    for e in entries
                ),
            ),
        )

    def construct_change_message(self, request, form, formsets, add=False):
        """Who changed which field, from what to what ("Peak Performer: 0.7 → 0.85")."""
        if add:
            return super().construct_change_message(request, form, formsets, add)
        changes = [
            f"{form.fields[name].label or name}: {form.initial.get(name)!s} → "
            f"{form.cleaned_data.get(name)!s}"
            for name in form.changed_data
        ]
        return "; ".join(changes) or "No fields changed."

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            self._warn_small_groups(request, {obj.variation_group})

    def _warn_small_groups(self, request, groups: set[str]) -> None:
        for group, active in sorted(groups_below_minimum(groups).items()):
            self.message_user(
                request,
                f"Variety at risk: {group} now has {active} active task(s); rotation needs "
                f"{MIN_ACTIVE_VARIANTS}.",
                messages.WARNING,
            )

    # Import writes tasks (new and changed), export reads the whole library: each needs
    # the matching model permissions, not just a staff account.
    def has_import_permission(self, request) -> bool:
        return has_model_permission(request.user, Task, "add") and has_model_permission(
            request.user, Task, "change"
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        # The preview is a wide table: at 1400 px the navigation sidebar left room for
        # five of its 25 columns.
        if isinstance(response, TemplateResponse):
            response.context_data["is_nav_sidebar_enabled"] = False
        return response

    def has_export_permission(self, request) -> bool:
        return has_model_permission(request.user, Task, "view")

    def _log_bulk_change(self, request, tasks: list[Task], message: str) -> None:
        LogEntry.objects.log_actions(request.user.pk, tasks, CHANGE, change_message=message)

    @admin.action(description="Activate selected tasks", permissions=["change"])
    def activate(self, request, queryset):
        tasks = list(queryset)
        count = services.set_active([t.id for t in tasks], True)
        self._log_bulk_change(request, tasks, "Activated (bulk action).")
        self.message_user(request, f"Activated {count} task(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected tasks", permissions=["change"])
    def deactivate(self, request, queryset):
        tasks = list(queryset)
        groups = {t.variation_group for t in tasks}
        count = services.set_active([t.id for t in tasks], False)
        self._log_bulk_change(request, tasks, "Deactivated (bulk action).")
        self.message_user(request, f"Deactivated {count} task(s).", messages.SUCCESS)
        self._warn_small_groups(request, groups)

    @admin.action(description="Duplicate as a new variation", permissions=["add"])
    def duplicate_as_new_variation(self, request, queryset):
        copies = services.duplicate_as_variation(list(queryset))
        LogEntry.objects.log_actions(
            request.user.pk, copies, ADDITION, change_message="Duplicated as a new variation."
        )
        first = copies[0]
        url = reverse("admin:library_task_change", args=[first.pk])
        self.message_user(
            request,
            format_html(
                'Created {} inactive variation(s) to edit, starting with <a href="{}">{}</a>.',
                len(copies),
                url,
                first.name,
            ),
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "variation-groups/",
                self.admin_site.admin_view(self.variation_groups_view),
                name="library_task_variation_groups",
            ),
            *super().get_urls(),
        ]

    def variation_groups_view(self, request):
        require_model_permissions(request, (Task, "view"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Variation groups",
            "groups": variation_groups(),
            "minimum": MIN_ACTIVE_VARIANTS,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/library/task/variation_groups.html", context)
