"""The WSGI application: Django's, with a request that leaves an unreadable Content-Type unread
(prpath.project.reading), so that it is refused with a 400 rather than failing inside Django."""

from __future__ import annotations

import os

import django

from prpath.project.reading import ReadableWSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prpath.project.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does
application = ReadableWSGIHandler()
