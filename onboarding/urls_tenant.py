"""Tenant-host pages of onboarding: the wizard (tenant admin) and invitation acceptance."""

from django.urls import include, path

from . import views

_patterns = [
    path("kelola/orientasi/", views.wizard, name="wizard"),
    path("kelola/orientasi/<slug:step>/", views.wizard_step, name="wizard-step"),
    path("undangan/<str:token>/", views.invitation_accept, name="invitation-accept"),
]

urlpatterns = [path("", include((_patterns, "onboarding")))]
