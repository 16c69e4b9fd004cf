from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from prpath.clinic.web.forms import SignInForm
from prpath.clinic.web.views import common, memberships, patient, protocol, staff

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="clinic/login.html", authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", common.PasswordChange.as_view(), name="password-change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="clinic/password_changed.html"),
        name="password-changed",
    ),
    path("join/<str:token>/", patient.accept_invitation, name="accept-invitation"),
    path("choose/", memberships.choose_clinic, name="choose-clinic"),
    # The patient's own pages.
    path("me/", patient.today, name="patient-today"),
    path("me/check-in/", patient.check_in, name="patient-checkin"),
    path("me/check-ins/<uuid:checkin_uuid>/", patient.checkin_result, name="patient-checkin-result"),
    path("me/history/", patient.history, name="patient-history"),
    path("me/for-the-emergency-team/", patient.emergency_summary, name="patient-emergency-summary"),
    path("me/learn/", patient.learn, name="patient-learn"),
    path("me/learn/<slug:topic>/", patient.learn, name="patient-learn-topic"),
    path("me/screening/", patient.screening, name="patient-screening"),
    path("me/screening/<uuid:screening_uuid>/", patient.screening_result, name="patient-screening-result"),
    # The clinic's pages.
    path("clinic/alerts/", staff.worklist, name="worklist"),
    path("clinic/staff/", staff.staff_list, name="staff-list"),
    path("clinic/staff/<uuid:member_uuid>/link/", staff.staff_link, name="staff-link"),
    path("clinic/staff/<uuid:member_uuid>/active/", staff.staff_active, name="staff-active"),
    path("clinic/staff/<uuid:member_uuid>/role/", staff.staff_role, name="staff-role"),
    path("clinic/alerts/changes/", staff.worklist_changes, name="worklist-changes"),
    path(
        "clinic/alerts/<uuid:alert_uuid>/acknowledge/",
        staff.alert_action,
        {"action": "acknowledge"},
        name="alert-acknowledge",
    ),
    path("clinic/alerts/<uuid:alert_uuid>/resolve/", staff.alert_action, {"action": "resolve"}, name="alert-resolve"),
    path("clinic/checkins/<uuid:checkin_uuid>/note-read/", staff.note_read, name="note-read"),
    path("clinic/protocol/", protocol.overview, name="protocol"),
    path("clinic/protocol/new/", protocol.new_draft, name="protocol-new"),
    path("clinic/protocol/vignettes/", protocol.add_vignettes, name="protocol-vignettes"),
    path(
        "clinic/protocol/vignettes/<uuid:vignette_uuid>/remove/",
        protocol.remove_vignette,
        name="protocol-vignette-remove",
    ),
    path("clinic/protocol/<int:number>/", protocol.version, name="protocol-version"),
    path("clinic/protocol/<int:number>/edit/", protocol.edit, name="protocol-edit"),
    path("clinic/protocol/<int:number>/activate/", protocol.activate, name="protocol-activate"),
    path("clinic/patients/", staff.patient_list, name="patient-list"),
    path("clinic/patients/new/", staff.enrol, name="patient-enrol"),
    path("clinic/patients/<uuid:patient_uuid>/", staff.timeline, name="patient-timeline"),
    path("clinic/patients/<uuid:patient_uuid>/invite/", staff.invite, name="patient-invite"),
    path("clinic/patients/<uuid:patient_uuid>/password-link/", staff.password_link, name="patient-password-link"),
    path("clinic/patients/<uuid:patient_uuid>/notes/", staff.add_note, name="patient-add-note"),
    path("clinic/patients/<uuid:patient_uuid>/procedures/new/", staff.record_procedure, name="patient-procedure"),
    path(
        "clinic/patients/<uuid:patient_uuid>/screenings/<uuid:screening_uuid>/",
        staff.screening_review,
        name="screening-review",
    ),
]
