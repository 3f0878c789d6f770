"""One slash policy for every API route: the path answers with and without its trailing
slash, the same view, no redirect.

A redirect would be worse for API clients: a 301 turns a POST into a GET without its body
in most HTTP libraries, and Django's APPEND_SLASH cannot redirect a POST at all (it raises
in DEBUG). Clients built from the spec write the paths both ways, so both are served.
"""

from django.urls import URLPattern, path


def api_path(route: str, view, name: str) -> list[URLPattern]:
    """`route` (without its trailing slash) and `route/`; `reverse(name)` gives the bare one."""
    bare = route.rstrip("/")
    return [path(bare, view, name=name), path(f"{bare}/", view)]
