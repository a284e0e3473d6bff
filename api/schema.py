"""drf-spectacular hooks: document the shared error format on every operation."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": {}},
    },
    "required": ["code", "message", "extra"],
}
ERROR_DESCRIPTIONS = {
    "400": "Permintaan tidak valid",
    "401": "Belum terautentikasi",
    "403": "Tidak berwenang",
    "404": "Tidak ditemukan",
    "409": "Konflik dengan keadaan saat ini",
    "429": "Terlalu banyak permintaan",
}


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_DESCRIPTIONS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result


def paginated(serializer_class: type, name: str | None = None) -> type:
    """A response serializer for DefaultPagination pages of `serializer_class` (for OpenAPI)."""
    from rest_framework import serializers

    return type(
        name or f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


from drf_spectacular.openapi import AutoSchema as _SpectacularAutoSchema  # noqa: E402


class AutoSchema(_SpectacularAutoSchema):
    """Name serializers nested in an API class after that class (`AgencyListApiInput`), so
    the HackSoft-style `InputSerializer`/`OutputSerializer` never collide across apps."""

    def get_serializer_name(self, serializer, direction):
        qualname = type(serializer).__qualname__
        if "." in qualname:  # nested in an API class: prefix with that class's name
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)
