"""One slash policy (issue 15): every API route answers with and without its trailing
slash, the same way, never with a redirect. Found by walking the URL resolver, so a new
route is covered the day it is added."""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from routines.services import generate_plan
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 24)


def api_routes() -> dict[str, object]:
    """Every routed API path ("api/..."), as its route string, with its view."""
    found: dict[str, object] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/"):
                found[route] = pattern.callback

    walk(get_resolver().url_patterns, "")
    return found


def test_the_walk_finds_every_api_route():
    bare = {route.rstrip("/") for route in api_routes()}
    assert {
        "api/v1/plans/generate",
        "api/v1/plans/<str:user_id>",
        "api/v1/plans/<str:user_id>/<str:date>",
        "api/v1/plans/<str:user_id>/<str:date>/items/<str:plan_item_id>/swap",
        "api/v1/feedback/task",
        "api/v1/feedback/task/<str:plan_item_id>",
        "api/v1/feedback/profile/<str:user_id>",
        "api/v1/feedback/summary/<str:user_id>/weekly",
        "api/schema",
        "api/docs",
    } <= bare


def test_every_api_route_is_routed_with_and_without_the_slash():
    routes = set(api_routes())
    for route in routes:
        bare = route.rstrip("/")
        assert {bare, f"{bare}/"} <= routes, route


@pytest.fixture
def owner(task_library):
    profile = ProfileFactory(archetype="Peak Performer")
    stored = generate_plan(profile.user_id, "Peak Performer", DAY)
    return profile.user_id, stored.items[0].id


def _bodies(user_id, item_id) -> dict:
    return {
        ("api/v1/plans/generate", "post"): {
            "user_id": str(user_id),
            "archetype": "Peak Performer",
            "date": DAY.isoformat(),
        },
        ("api/v1/feedback/task", "post"): {
            "user_id": str(user_id),
            "plan_item_id": str(item_id),
            "completed": True,
        },
        ("api/v1/feedback/profile/<str:user_id>", "patch"): {"current_mode": "low"},
    }


def test_every_api_route_and_method_answers_the_same_with_and_without_the_slash(
    owner, api_client, settings
):
    settings.API_DOCS_PUBLIC = True
    user_id, item_id = owner
    values = {"user_id": user_id, "date": DAY.isoformat(), "plan_item_id": item_id}
    # Only today's plan or a later one can be swapped (the second call replays the first).
    today = timezone.localdate()
    swappable = generate_plan(user_id, "Peak Performer", today).items[0].id
    swap = {"date": today.isoformat(), "plan_item_id": swappable}
    bodies = _bodies(user_id, item_id)
    checked = 0
    for route, view in api_routes().items():
        if route.endswith("/"):
            continue  # the twin of a bare route, asked below
        url = "/" + route
        for name, value in (values | swap if route.endswith("/swap") else values).items():
            url = url.replace(f"<str:{name}>", str(value))
        methods = list(getattr(view, "actions", None) or {"get": None})
        for method in methods:
            body = bodies.get((route, method))
            answers = [
                getattr(api_client, method)(target, body, format="json")
                for target in (url, url + "/")
            ]
            statuses = [answer.status_code for answer in answers]
            # Same class of answer (a repeated POST is 200 where the first was 201), and
            # never a redirect or a routing 404.
            assert statuses[0] // 100 == statuses[1] // 100 == 2, (route, method, statuses)
            checked += 1
    assert checked >= 10
