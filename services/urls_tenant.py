"""Pages of the services app on a tenant host (collected by core.discovery)."""

from django.urls import include, path

from . import views

app_patterns = [
    path("layanan/", views.directory, name="directory"),
    path("layanan/<slug:code>/", views.detail, name="detail"),
    path("kelola/layanan/", views.manage, name="manage"),
    path("kelola/layanan/adopsi/", views.adopt, name="adopt"),
    path("kelola/layanan/alur/", views.workflows, name="workflows"),
    path("kelola/layanan/<slug:code>/", views.edit, name="edit"),
    path("kelola/layanan/<slug:code>/status/", views.set_enabled, name="set-enabled"),
    path("kelola/layanan/<slug:code>/versi-baru/", views.adopt_version, name="adopt-version"),
    path("beranda/antrean/", views.home_queue, name="home-queue"),
    path("kelola/pengumuman/", views.announcements, name="announcements"),
    path("kelola/pengumuman/baru/", views.announcement_edit, name="announcement-new"),
    path("kelola/pengumuman/<int:pk>/", views.announcement_edit, name="announcement-edit"),
    path("kelola/pengumuman/<int:pk>/hapus/", views.announcement_remove,
         name="announcement-delete"),
]

urlpatterns = [path("", include((app_patterns, "services")))]
