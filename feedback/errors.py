"""Business errors of the feedback app (see core.errors for the API format)."""

from __future__ import annotations

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied


class SurveyLinkInvalid(NotFound):
    code = "skm_link_invalid"


class SurveyAlreadySubmitted(Conflict):
    code = "skm_already_submitted"


class StaffCannotSubmitSurvey(PermissionDenied):
    code = "skm_staff_forbidden"


class InvalidAnswers(ApplicationError):
    code = "validation_error"


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"


class InvalidComplaint(ApplicationError):
    code = "validation_error"


class InvalidTransition(Conflict):
    code = "invalid_transition"
