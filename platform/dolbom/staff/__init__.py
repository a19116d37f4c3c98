"""Staff accounts of a tenant: invite, roles and scopes, deactivate, reset password."""
