from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "prpath.web"
    label = "web"
    verbose_name = "prpath"
