from django.urls import include, path

from . import views

patterns = [
    path("kelola/laporan/", views.dashboard_page, name="dashboard"),
    path("kelola/laporan/ekspor.csv", views.export_csv, name="export-csv"),
    path("kelola/laporan/ekspor.xlsx", views.export_xlsx, name="export-xlsx"),
    path("kelola/laporan/cetak.pdf", views.export_pdf, name="export-pdf"),
]

urlpatterns = [path("", include((patterns, "reports"), namespace="reports"))]
