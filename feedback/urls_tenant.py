"""Pages of the feedback app on a tenant host (namespace "feedback")."""

from django.urls import include, path

from . import views

patterns = [
    path("skm/<str:token>/", views.skm, name="skm"),
    path("pengaduan/baru/", views.complaint_new, name="complaint-new"),
    path("pengaduan/lacak/", views.complaint_track, name="complaint-track"),
    path("kelola/pengaduan/", views.complaints, name="complaints"),
    path("kelola/pengaduan/ekspor/", views.complaints_export, name="complaints-export"),
    path("kelola/pengaduan/pengaturan/", views.feedback_settings_page, name="settings"),
    path("kelola/pengaduan/<int:pk>/", views.complaint_detail, name="complaint-detail"),
]

urlpatterns = [path("", include((patterns, "feedback"), namespace="feedback"))]
