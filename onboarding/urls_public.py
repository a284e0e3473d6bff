"""Platform-host pages of onboarding (absent on tenant hosts: 404 there)."""

from django.urls import include, path

from . import views

_patterns = [
    path("daftar/", views.register, name="register"),
    path("daftar/cari-wilayah/", views.regency_search, name="regency-search"),
    path("daftar/verifikasi/<str:token>/", views.verify, name="verify"),
    path("daftar/<str:token>/terkirim/", views.registered, name="registered"),
    path("daftar/<str:token>/status/", views.status, name="status"),
    path("daftar/<str:token>/status/ulangi/", views.status_retry, name="status-retry"),
    path("kementerian/pendaftaran/", views.ministry_list, name="ministry-list"),
    path("kementerian/pendaftaran/<int:pk>/", views.ministry_detail, name="ministry-detail"),
    path("kementerian/pendaftaran/<int:pk>/surat/", views.ministry_letter, name="ministry-letter"),
    path("kementerian/pendaftaran/<int:pk>/setujui/", views.ministry_approve,
         name="ministry-approve"),
    path("kementerian/pendaftaran/<int:pk>/tolak/", views.ministry_reject,
         name="ministry-reject"),
]

urlpatterns = [path("", include((_patterns, "onboarding")))]
