"""The foedus web app: a map, treaty pages, pair timelines, a scenario builder and a JSON API.

The app holds no domain logic: each route parses its query, calls the same public function the
CLI calls, and renders the result (HTML from Jinja templates, or the CLI's ``--json`` form).

>>> from foedus.web import create_app
>>> app = create_app()
>>> sorted(app.openapi()["paths"])[:3]
['/api/allies', '/api/atop/{number}', '/api/history']
"""

from foedus.web.app import create_app

__all__ = ["create_app"]
