"""Crisis-household reports (위기가구 신고 포상금): a public report form, staff triage into applications, rewards paid exactly once when the household becomes a recipient, a payment ledger."""
