from __future__ import annotations

from django.urls import include, path

from prpath.project import views

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("healthz", views.health, name="health"),
    path("", include("prpath.clinic.web.urls")),
]
