from __future__ import annotations

from django.urls import path

from prpath.web import views

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.health, name="health"),
]
