"""Use cases: each combines models and domain rules in one transaction."""
