"""Closed-loop referrals: a plan's service sent to a provider, answered, delivered and recorded."""
