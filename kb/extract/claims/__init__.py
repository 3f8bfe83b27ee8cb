"""Numeric claims: the finder and its parts — sentence text, metric, context, attribution,
sanity checks — all reading ``rules/claims.yaml``."""
