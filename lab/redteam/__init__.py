"""The red-team rerun of issue 16 against the service run the production way.

`manage.py redteam` (lab, checkout only) follows README "Running in production" with
PostgreSQL and Redis, starts gunicorn with holisticos/gunicorn.py and measures what the
issue's "Done when" asks for; docs/security.md records a run.
"""
