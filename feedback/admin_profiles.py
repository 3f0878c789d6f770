"""The profile admin page, readable by editors: bars and tables instead of raw JSON.

Display helpers take a profile object and return safe HTML; `ProfileDisplayMixin` puts
them on a ModelAdmin together with links to the user's plans and feedback and an admin
page that renders the weekly summary. Kept apart from the admin class so the class can
move to the profiles app without these helpers changing.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.admin_access import require_model_permissions
from profiles.selectors import get_profile

from .models import UserTaskFeedback
from .selectors import weekly_summary

# Order and labels of the learned dimensions, as the adaptive scorer reads them.
EVIDENCE_DIMENSIONS = (
    ("category", "Category"),
    ("arm", "Subcategory (category/subcategory)"),
)
# Modifiers hold [completed, expected from the subcategory rates] (profiles.learning.evidence).
EVIDENCE_MODIFIERS = (
    ("difficulty", "Difficulty"),
    ("time_of_day", "Time of day"),
    ("duration", "Duration"),
)
PROFILE_DISPLAY_FIELDS = (
    "capacity",
    "category_affinity_bars",
    "subcategory_affinity_bars",
    "time_of_day_bars",
    "evidence_tables",
    "related_pages",
)
# The raw JSON fields are left out: the display fields above show the same data.
PROFILE_FIELDSETS = (
    (
        None,
        {
            "fields": (
                "user_id",
                "archetype",
                "learning_phase",
                "current_mode",
                "timezone",
                "related_pages",
            )
        },
    ),
    ("Capacity", {"fields": ("capacity",)}),
    ("Affinities", {"fields": ("category_affinity_bars", "subcategory_affinity_bars")}),
    ("Time of day", {"fields": ("time_of_day_bars",)}),
    ("Evidence", {"fields": ("evidence_tables",)}),
    (
        "Dates",
        {
            "fields": ("discovery_start_date", "last_analyzed_at", "created_at", "updated_at"),
            "classes": ("collapse",),
        },
    ),
)


def score_bar(value: float | None) -> SafeString:
    """A 0..1 score as a bar with its number; values outside 0..1 are clamped for drawing."""
    if value is None:
        return format_html('<span class="quiet">{}</span>', "n/a")
    width = round(max(0.0, min(1.0, float(value))) * 100)
    return format_html(
        '<span class="score-bar" title="{}"><span style="width:{}%"></span></span>'
        '<span class="score-num">{}</span>',
        f"{float(value):.2f}",
        width,
        f"{float(value):.2f}",
    )


def score_table(scores: dict | None, label: str, empty: str = "Nothing learned yet.") -> SafeString:
    """A two-column table (name, bar), highest score first."""
    if not scores:
        return format_html('<p class="quiet">{}</p>', empty)
    rows = sorted(scores.items(), key=lambda item: (-_number(item[1]), item[0]))
    return format_html(
        '<table class="profile-scores"><thead><tr><th>{}</th><th>Score (0 to 1)</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        label,
        format_html_join(
            "", "<tr><td>{}</td><td>{}</td></tr>", ((k, score_bar(_number(v))) for k, v in rows)
        ),
    )


def capacity_table(profile) -> SafeString:
    """Tolerance, variety, completion and confidence: what the planner reads as capacity."""
    rows = (
        ("Complexity tolerance", profile.complexity_tolerance, "how hard the tasks may be"),
        ("Variety seeking", profile.variety_seeking_score, "how much rotation suits them"),
        (
            "Completion rate",
            profile.completion_rate,
            f"{profile.total_tasks_completed} of {profile.total_tasks_scheduled} tasks",
        ),
        ("Profile confidence", profile.profile_confidence, "how much the learned score counts"),
    )
    capacity = profile.daily_capacity
    plan_size = (
        f"{capacity} tasks a day, learned from the tasks they complete per day with feedback "
        "(the planner keeps it within the day's mode: low 6-10, medium 9-15, high 12-20)"
        if capacity is not None
        else "not learned yet: the mode's full plan (needs 5 days with feedback in 14)"
    )
    forgetting = (profile.evidence or {}).get("forgetting") or {}
    tastes = (
        f"Tastes changed (score {forgetting['change']:.1f}): outcomes older than a week "
        f"count {forgetting['old_weight']:.0%}."
        if forgetting.get("old_weight", 1.0) < 1.0
        else "No change of taste detected: four weeks of outcomes count in full."
    )
    return format_html(
        '<table class="profile-scores"><tbody>{}</tbody></table>'
        '<p class="plan-size">Plan size: {}</p><p class="quiet">{}</p>'
        '<p class="quiet">Streak {} day(s), longest {}; {} different tasks tried.</p>',
        format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td class='quiet'>{}</td></tr>",
            ((name, score_bar(value), note) for name, value, note in rows),
        ),
        plan_size,
        tastes,
        profile.current_streak,
        profile.longest_streak,
        profile.unique_tasks_tried,
    )


def evidence_tables(profile) -> SafeString:
    """The scorer's evidence: weighted completed / outcomes per kind of task, and for each
    modifier completed against what the user's subcategory rates predicted."""
    evidence = profile.evidence or {}
    overall = _pair(evidence.get("overall"))
    if not overall[1]:
        return format_html('<p class="quiet">{}</p>', "No outcomes recorded yet.")
    sections = [
        _evidence_table(evidence, key, label, "Outcomes", lambda d, s: d / s if s else None)
        for key, label in EVIDENCE_DIMENSIONS
    ] + [
        # Shown as a bar at half its ratio: 1.0 (as predicted) sits in the middle.
        _evidence_table(evidence, key, label, "Expected", lambda d, e: d / e / 2 if e else None)
        for key, label in EVIDENCE_MODIFIERS
    ]
    return format_html(
        "<p>Overall: <strong>{}</strong> completed of <strong>{}</strong> outcomes "
        "(weighted: a task left unticked on an active day counts 0.8, a skip's reason "
        "aims it).</p>{}",
        _count(overall[0]),
        _count(overall[1]),
        format_html_join("", "{}", ((s,) for s in sections if s)),
    )


def _evidence_table(evidence: dict, key: str, label: str, against: str, share) -> SafeString:
    counts = evidence.get(key) or {}
    if not counts:
        return SafeString("")
    rows = sorted(
        ((name, *_pair(pair)) for name, pair in counts.items()), key=lambda r: (-r[2], r[0])
    )
    return format_html(
        '<table class="profile-scores evidence"><caption>{}</caption><thead><tr>'
        "<th>{}</th><th>Completed</th><th>{}</th><th>Share</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        label,
        label.split(" ")[0],
        against,
        format_html_join(
            "",
            "<tr><td>{}</td><td class='num'>{}</td><td class='num'>{}</td><td>{}</td></tr>",
            ((n, _count(d), _count(s), score_bar(share(d, s))) for n, d, s in rows),
        ),
    )


def _count(value: float) -> str:
    """A weighted count: whole numbers as they are, fractions to one decimal."""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def related_links(profile) -> SafeString:
    user = str(profile.user_id)
    links = (
        (reverse("admin:routines_plan_changelist") + f"?user_id={user}", "Plans"),
        (reverse("admin:feedback_usertaskfeedback_changelist") + f"?user_id={user}", "Feedback"),
        (reverse("admin:feedback_profile_weekly_summary", args=[user]), "Weekly summary"),
    )
    return format_html(
        '<ul class="profile-links">{}</ul>',
        format_html_join("", '<li><a href="{}">{}</a></li>', links),
    )


def local_week_start(profile, today: date | None = None) -> date:
    """The Monday of the profile's current week, in the user's own time zone."""
    if today is None:
        try:
            zone = ZoneInfo(profile.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        today = timezone.now().astimezone(zone).date()
    return today - timedelta(days=today.weekday())


class ProfileDisplayMixin:
    """Read-only display fields and the weekly summary page for the profile admin."""

    change_form_template = "admin/feedback/profile_change_form.html"

    @admin.display(description="Capacity")
    def capacity(self, profile) -> SafeString:
        return capacity_table(profile)

    @admin.display(description="Category affinity")
    def category_affinity_bars(self, profile) -> SafeString:
        return score_table(profile.category_affinity, "Category")

    @admin.display(description="Subcategory affinity")
    def subcategory_affinity_bars(self, profile) -> SafeString:
        return score_table(profile.subcategory_affinity, "Subcategory")

    @admin.display(description="Time of day")
    def time_of_day_bars(self, profile) -> SafeString:
        return score_table(profile.time_of_day_performance, "Part of the day")

    @admin.display(description="Evidence (outcomes the scorer learns from)")
    def evidence_tables(self, profile) -> SafeString:
        return evidence_tables(profile)

    @admin.display(description="This user's")
    def related_pages(self, profile) -> SafeString:
        return related_links(profile)

    def get_urls(self):
        return [
            path(
                "<uuid:user_id>/weekly-summary/",
                self.admin_site.admin_view(self.weekly_summary_view),
                name="feedback_profile_weekly_summary",
            ),
            *super().get_urls(),
        ]

    def weekly_summary_view(self, request, user_id):
        """The email-ready weekly summary, shown inside the admin (no API key needed)."""
        # The summary is made of the user's outcomes: feedback rights as well as profile ones.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        require_model_permissions(request, (UserTaskFeedback, "view"))
        profile = get_profile(user_id)
        if profile is None:
            raise Http404("No profile for this user.")
        week_start = _monday(request.GET.get("week_start")) or local_week_start(profile)
        summary = weekly_summary(profile, week_start)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Weekly summary of {profile.user_id}",
            "profile": profile,
            "week_start": week_start,
            "previous_week": week_start - timedelta(days=7),
            "next_week": week_start + timedelta(days=7),
            "summary_html": render_to_string("feedback/weekly_summary.html", {"s": summary}),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/feedback/profile_weekly_summary.html", context)


def _monday(text: str | None) -> date | None:
    """A week_start from the query string; anything but a valid date falls back to this
    week, and any date means the Monday of its week."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day - timedelta(days=day.weekday())


def _pair(value) -> tuple[float, float]:
    try:
        done, seen = value
        return float(done), float(seen)
    except (TypeError, ValueError):
        return 0.0, 0.0


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
