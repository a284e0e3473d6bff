from core.errors import ApplicationError


class TenantError(ApplicationError):
    code = "tenant_error"


class UnknownRegion(TenantError):
    code = "unknown_region"
    status = 404


class TenantProvisioningFailed(TenantError):
    code = "provisioning_failed"
    status = 500
