"""Business errors of onboarding (stable codes; views show the Indonesian message)."""

from __future__ import annotations

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied


class OnboardingError(ApplicationError):
    code = "onboarding_error"


class UnknownRegency(OnboardingError):
    code = "unknown_regency"


class InvalidLetter(OnboardingError):
    code = "invalid_letter"


class InvalidLogo(OnboardingError):
    code = "invalid_logo"


class RegistrationConflict(Conflict):
    code = "registration_conflict"


class RegistrationStateError(Conflict):
    code = "registration_state"


class VerificationLinkInvalid(OnboardingError):
    code = "verification_link_invalid"


class RegistrationNotFound(NotFound):
    code = "registration_not_found"


class InvitationInvalid(OnboardingError):
    code = "invitation_invalid"


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class InvitationForAnotherEmail(PermissionDenied):
    code = "invitation_other_email"


class GoLiveRefused(Conflict):
    """`extra["missing"]`: the labels of the steps that are not done yet."""

    code = "go_live_refused"
