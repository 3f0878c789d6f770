"""The task performance page in admin: its filter form, sortable headers and view.

The figures come from `feedback.task_performance` (daily rollups, two queries). Access
needs view rights on tasks (the names) and on feedback (the outcomes): the Editors group
has both; staff with neither get 403, anonymous visitors the login page.
"""

from datetime import timedelta

from django import forms
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone

from core.admin_access import require_model_permissions
from library.choices import ARCHETYPES, Category, Mode
from library.models import Task

from .models import UserTaskFeedback
from .rollup_reads import COUNT_COLUMNS
from .task_performance import (
    COUNT_CELLS,
    MAX_WINDOW_DAYS,
    WINDOW_DAYS,
    PerformanceQuery,
    View,
    parse_sort,
    task_performance,
)

DEFAULT_DAYS = 28


class PerformanceForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Window",
        choices=[(d, f"Last {d} days") for d in WINDOW_DAYS],
        coerce=int,
        required=False,
    )
    since = forms.DateField(
        label="or from", required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(label="to", required=False, widget=forms.DateInput({"type": "date"}))
    view = forms.ChoiceField(label="Rows", choices=View.choices, required=False)
    archetype = forms.ChoiceField(
        choices=[("", "All archetypes"), *((a, a) for a in ARCHETYPES)], required=False
    )
    mode = forms.ChoiceField(choices=[("", "All modes"), *Mode.choices], required=False)
    category = forms.ChoiceField(
        choices=[("", "All categories"), *Category.choices], required=False
    )
    variation_group = forms.CharField(label="Variation group", required=False, max_length=100)
    task = forms.UUIDField(required=False, widget=forms.HiddenInput)  # the row to highlight
    o = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if (since is None) != (until is None):
            self.add_error("until" if since else "since", "Give both dates, or neither.")
        elif since and until:
            if since > until:
                self.add_error("until", "Must not be before the start.")
            elif (until - since).days + 1 > MAX_WINDOW_DAYS:
                self.add_error("until", f"At most {MAX_WINDOW_DAYS} days at a time.")
        return data

    def query(self, today) -> PerformanceQuery:
        data = self.cleaned_data
        if data.get("since") and data.get("until"):
            since, until = data["since"], data["until"]
        else:
            # Closed days only: today has no rollup yet.
            days = data.get("days") or DEFAULT_DAYS
            since, until = today - timedelta(days=days), today - timedelta(days=1)
        return PerformanceQuery(
            since=since,
            until=until,
            view=data.get("view") or View.TASK,
            archetype=data.get("archetype") or None,
            readiness_mode=data.get("mode") or None,
            category=data.get("category") or None,
            variation_group=data.get("variation_group") or None,
            sort=data.get("o") or "",
        )


def _sort_link(params: QueryDict, key: str, current: tuple[str, bool]) -> dict:
    """A header's link: the first click sorts names A-Z and figures highest first; a click
    on the sorted column turns it round."""
    active = current[0] == key
    descending = (not current[1]) if active else key not in ("name", "category", "group")
    query = params.copy()
    query["o"] = f"-{key}" if descending else key
    return {
        "key": key,
        "url": f"?{query.urlencode()}",
        "state": ("desc" if current[1] else "asc") if active else "",
    }


def sort_headers(params: QueryDict, sort: str, view: str) -> dict:
    """Header cells in two rows: the parts of a kind (skips by reason) share a cell above."""
    current = parse_sort(sort)

    def cell(key, label, **extra):
        return {"label": label, **_sort_link(params, key, current), **extra}

    first = [cell("name", "Variation group" if view == View.GROUP else "Task", rowspan=2)]
    first.append(cell("category", "Category", rowspan=2))
    if view != View.GROUP:
        first.append(cell("group", "Variation group", rowspan=2))
    second = []
    for count in COUNT_CELLS:
        if count.group is None:
            first.append(cell(count.key, count.label, rowspan=2))
            continue
        if first[-1].get("group") != count.group:
            first.append({"label": count.group, "colspan": 0, "group": count.group})
        first[-1]["colspan"] += 1
        second.append(cell(count.key, count.label, part=count.key != count.group.lower()))
    first.append(cell("completion_rate", "Completion", rowspan=2))
    first.append(cell("average_rating", "Avg rating", rowspan=2))
    return {"first": first, "second": second}


def _group_link(params: QueryDict, row, view: str) -> str:
    """In the group view, a group's name opens its tasks under the same filters."""
    if view != View.GROUP or not row.variation_group:
        return ""
    query = params.copy()
    query["view"], query["variation_group"] = View.TASK, row.variation_group
    return f"?{query.urlencode()}"


def task_performance_view(model_admin, request):
    require_model_permissions(request, (Task, "view"), (UserTaskFeedback, "view"))
    data = request.GET.copy()
    data.setdefault("days", str(DEFAULT_DAYS))  # so the window shown is the one read
    form = PerformanceForm(data)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Task performance",
        "form": form,
        "opts": model_admin.model._meta,
        "outcome_kinds": list(dict.fromkeys(c.kind for c in COUNT_COLUMNS if c.is_outcome)),
        # The widest table editors read: it needs the sidebar's width at 1400 px.
        "is_nav_sidebar_enabled": False,
    }
    if not form.is_valid():
        return TemplateResponse(
            request, "admin/feedback/task_performance.html", context, status=400
        )
    query = form.query(timezone.localdate())
    report = task_performance(query)
    params = request.GET.copy()
    context |= {
        "report": report,
        "query": query,
        "highlight": form.cleaned_data.get("task"),
        "headers": sort_headers(params, query.sort, query.view),
        "group_view": query.view == View.GROUP,
        "rows": [
            (row, _group_link(params, row, query.view), [c.value(row.totals) for c in COUNT_CELLS])
            for row in report.rows
        ],
        "overall_counts": [c.value(report.overall) for c in COUNT_CELLS],
        "max_planned": max((r.totals.planned for r in report.rows), default=0),
    }
    return TemplateResponse(request, "admin/feedback/task_performance.html", context)
