"""Back-office pages of the sla app on a tenant host (collected by core.discovery)."""

from django.urls import include, path

from . import views

app_patterns = [
    path("kelola/sla/", views.calendar, name="calendar"),
    path("kelola/sla/libur/", views.holiday_add, name="holiday-add"),
    path("kelola/sla/libur/<str:day>/hapus/", views.holiday_remove, name="holiday-remove"),
    path("kelola/sla/riwayat/", views.history, name="history"),
    path("kelola/sla/layanan/<slug:code>/", views.policy, name="policy"),
    path("kelola/sla/layanan/<slug:code>/langkah/", views.step_targets, name="step-targets"),
]

urlpatterns = [path("", include((app_patterns, "sla")))]
