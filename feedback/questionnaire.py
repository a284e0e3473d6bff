"""The SKM questionnaire of PermenPANRB 14/2017 (Lampiran): nine unsur, answers scored 1-4.

Unsur order and names follow domain.md §2.1 (U1 Persyaratan … U9 Penanganan pengaduan);
the question and answer wording follows the Permen's questionnaire template (domain.md §2.2:
persyaratan Tidak sesuai/Kurang sesuai/Sesuai/Sangat sesuai, biaya Sangat mahal/Cukup
mahal/Murah/Gratis). Pure data, no Django models.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Unsur:
    code: str
    name: str
    question: str
    answers: tuple[str, str, str, str]  # scores 1, 2, 3, 4

    def choices(self) -> list[tuple[int, str]]:
        return [(score, str(label)) for score, label in enumerate(self.answers, start=1)]


UNSUR: tuple[Unsur, ...] = (
    Unsur(
        "u1", _("Persyaratan"),
        _("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan "
          "jenis pelayanannya?"),
        (_("Tidak sesuai"), _("Kurang sesuai"), _("Sesuai"), _("Sangat sesuai")),
    ),
    Unsur(
        "u2", _("Sistem, mekanisme, dan prosedur"),
        _("Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?"),
        (_("Tidak mudah"), _("Kurang mudah"), _("Mudah"), _("Sangat mudah")),
    ),
    Unsur(
        "u3", _("Waktu penyelesaian"),
        _("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?"),
        (_("Tidak cepat"), _("Kurang cepat"), _("Cepat"), _("Sangat cepat")),
    ),
    Unsur(
        "u4", _("Biaya/tarif"),
        _("Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?"),
        (_("Sangat mahal"), _("Cukup mahal"), _("Murah"), _("Gratis")),
    ),
    Unsur(
        "u5", _("Produk spesifikasi jenis pelayanan"),
        _("Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang "
          "tercantum dalam standar pelayanan dengan hasil yang diberikan?"),
        (_("Tidak sesuai"), _("Kurang sesuai"), _("Sesuai"), _("Sangat sesuai")),
    ),
    Unsur(
        "u6", _("Kompetensi pelaksana"),
        _("Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?"),
        (_("Tidak kompeten"), _("Kurang kompeten"), _("Kompeten"), _("Sangat kompeten")),
    ),
    Unsur(
        "u7", _("Perilaku pelaksana"),
        _("Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
          "kesopanan dan keramahan?"),
        (_("Tidak sopan dan ramah"), _("Kurang sopan dan ramah"), _("Sopan dan ramah"),
         _("Sangat sopan dan ramah")),
    ),
    Unsur(
        "u8", _("Sarana dan prasarana"),
        _("Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?"),
        (_("Buruk"), _("Cukup"), _("Baik"), _("Sangat baik")),
    ),
    Unsur(
        "u9", _("Penanganan pengaduan, saran dan masukan"),
        _("Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?"),
        (_("Tidak ada"), _("Ada tetapi tidak berfungsi"), _("Berfungsi kurang maksimal"),
         _("Dikelola dengan baik")),
    ),
)

UNSUR_CODES: tuple[str, ...] = tuple(u.code for u in UNSUR)
