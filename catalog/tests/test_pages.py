from __future__ import annotations

from catalog.models import ServiceVersion


def test_list_page_renders_services(catalog_seed, platform_client):
    response = platform_client.get("/katalog/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Katalog layanan nasional" in html
    assert 'href="/katalog/KTP-BARU/"' in html
    assert 'label for="id_q"' in html and 'label for="id_category"' in html
    assert "Halaman 1 dari 2" in html  # 20 services, 12 per page


def test_list_page_second_page_keeps_filters(catalog_seed, platform_client):
    response = platform_client.get("/katalog/", {"page": 2})
    assert response.status_code == 200
    assert "Halaman 2 dari 2" in response.content.decode()
    html = platform_client.get("/katalog/", {"category": "ADM", "page": 1}).content.decode()
    assert "category=ADM&amp;page=2" in html


def test_list_page_filters_by_category_and_search(catalog_seed, platform_client):
    html = platform_client.get("/katalog/", {"category": "IZN"}).content.decode()
    assert "SIP-DOKTER" in html and "KTP-BARU" not in html
    html = platform_client.get("/katalog/", {"q": "kematian"}).content.decode()
    assert "AKTA-MATI" in html and "SIP-DOKTER" not in html


def test_list_page_empty_state(catalog_seed, platform_client):
    html = platform_client.get("/katalog/", {"q": "zzz-tidak-ada"}).content.decode()
    assert "Tidak ada layanan yang cocok" in html
    assert "Hapus saringan" in html


def test_list_page_empty_catalogue(db, platform_client):
    ServiceVersion.objects.all().update(status="draft")  # bypasses the model on purpose
    html = platform_client.get("/katalog/").content.decode()
    assert "Katalog belum berisi layanan yang diterbitkan." in html


def test_detail_page_shows_the_six_components_sources_notes_and_history(
    catalog_seed, platform_client
):
    response = platform_client.get("/katalog/KTP-HILANG/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "1. Persyaratan", "2. Sistem, mekanisme, dan prosedur", "3. Jangka waktu penyelesaian",
        "4. Biaya/tarif", "5. Produk pelayanan", "6. Penanganan pengaduan, saran, dan masukan",
        "Dasar hukum dan sumber", "Catatan dan hal yang belum terkonfirmasi", "Riwayat versi",
    ):
        assert heading in html, heading
    assert "Gratis (Rp0)" in html
    assert "dilarang dipungut biaya" in html
    assert "UU 24/2013 Pasal 79A" in html
    assert 'rel="noopener noreferrer nofollow external"' in html
    assert "Wajib bila" in html  # conditional requirement (hilang/rusak)
    assert "<script>" not in html.split("</head>")[1]


def test_detail_page_unknown_service_is_404(catalog_seed, platform_client):
    assert platform_client.get("/katalog/NOPE/").status_code == 404


def test_catalogue_pages_live_on_the_platform_host_only(catalog_seed, client_a):
    assert client_a.get("/katalog/").status_code == 404


def test_platform_nav_links_to_the_catalogue(catalog_seed, platform_client):
    html = platform_client.get("/").content.decode()
    assert 'href="/katalog/"' in html
