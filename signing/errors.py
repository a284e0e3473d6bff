from __future__ import annotations

from core.errors import Conflict


class SigningFailed(Conflict):
    code = "signing_failed"
