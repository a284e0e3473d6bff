import re

_DIGITS = re.compile(r"\D+")


def normalize_phone(raw: str) -> str | None:
    """Indonesian mobile numbers to E.164 without '+': 0812… / +62812… / 62812… → 62812…"""
    digits = _DIGITS.sub("", raw or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not 10 <= len(digits) <= 15:
        return None
    return digits
