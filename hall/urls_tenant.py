"""Pages of the hall app on a tenant host (namespace "hall")."""

from django.urls import include, path

from . import views

app_name = "hall"

patterns = [
    path("antrean/", views.book, name="book"),
    path("antrean/tiket/<str:code>/", views.ticket_detail, name="ticket"),
    path("antrean/tiket/<str:code>/batal/", views.ticket_cancel, name="cancel"),
    path("antrean/tiket/<str:code>/jadwal-ulang/", views.ticket_reschedule, name="reschedule"),
    path("antrean/layar/", views.board_page, name="board"),
    path("antrean/layar/isi/", views.board_data, name="board-data"),
    path("antrean/waktu-tunggu/", views.wait_times, name="wait-times"),
    path("kelola/loket/", views.counters, name="counters"),
    path("kelola/loket/baru/", views.counter_edit, name="counter-new"),
    path("kelola/loket/depan/", views.front_desk, name="front-desk"),
    path("kelola/loket/<int:pk>/", views.counter_console, name="counter-console"),
    path("kelola/loket/<int:pk>/ubah/", views.counter_edit, name="counter-edit"),
    path("kelola/loket/<int:pk>/<slug:action>/", views.counter_action, name="counter-action"),
]

urlpatterns = [path("", include((patterns, "hall"), namespace="hall"))]
