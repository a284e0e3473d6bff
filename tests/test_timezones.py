import pytest

from tenants.services import tenant_register


@pytest.mark.parametrize(
    ("region_code", "timezone"),
    [("32.73", "Asia/Jakarta"), ("51.71", "Asia/Makassar"), ("91.71", "Asia/Jayapura"),
     ("64.72", "Asia/Makassar"), ("81.71", "Asia/Jayapura"), ("61.71", "Asia/Jakarta")],
)
def test_timezone_is_derived_from_the_province(db, region_code, timezone):
    tenant = tenant_register(region_code=region_code)
    assert tenant.timezone == timezone
    assert tenant.province_code == region_code[:2]


def test_unknown_region_code_is_refused(db):
    from tenants.errors import UnknownRegion

    with pytest.raises(UnknownRegion, match="tidak ada dalam daftar Kemendagri"):
        tenant_register(region_code="32.98")
