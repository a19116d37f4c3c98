"""The city administrator's console: one place for everything a tenant configures."""
