from __future__ import annotations

from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "prpath.project"
    label = "project"
    verbose_name = "prpath"
