"""Pages of the applications app on a tenant host (collected by core.discovery)."""

from django.urls import include, path

from . import views, views_regions, views_staff

app_patterns = [
    path("permohonan/", views.mine, name="mine"),
    path("permohonan/baru/<slug:service_code>/", views.apply, name="apply"),
    path("permohonan/baru/<slug:service_code>/desa/", views_regions.villages, name="villages"),
    path("permohonan/dokumen/", views.vault, name="vault"),
    path("permohonan/dokumen/<int:pk>/", views.vault_document, name="vault-document"),
    path("permohonan/dokumen/<int:pk>/berkas/", views.vault_file, name="vault-file"),
    path("permohonan/<int:pk>/", views.detail, name="detail"),
    path("permohonan/<int:pk>/ubah/", views.edit, name="edit"),
    path("permohonan/<int:pk>/batal/", views.cancel, name="cancel"),
    path("permohonan/<int:pk>/tanda-terima/", views.receipt, name="receipt"),
    path("permohonan/<int:pk>/tanda-terima.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("permohonan/<int:pk>/dokumen-keluaran/", views.output_download, name="output"),
    path("lacak/", views.track, name="track"),
    path("verifikasi/<str:token>/", views.verify, name="verify"),
    path("kelola/permohonan/", views_staff.worklist, name="worklist"),
    path("kelola/permohonan/<int:pk>/", views_staff.detail, name="staff-detail"),
    path("kelola/permohonan/<int:pk>/aksi/", views_staff.transition, name="staff-transition"),
    path("kelola/permohonan/<int:pk>/tampilkan/", views_staff.reveal, name="staff-reveal"),
    path("kelola/permohonan/<int:pk>/tugaskan/", views_staff.assign, name="staff-assign"),
    path("kelola/permohonan/<int:pk>/catatan/", views_staff.comment, name="staff-comment"),
    path("kelola/permohonan/<int:pk>/keluaran/", views_staff.output, name="staff-output"),
    path("kelola/permohonan/<int:pk>/keluaran/berkas/", views_staff.output_file,
         name="staff-output-file"),
    path("kelola/permohonan/<int:pk>/dokumen/<int:document_id>/", views_staff.document,
         name="staff-document"),
]

urlpatterns = [path("", include((app_patterns, "applications")))]
