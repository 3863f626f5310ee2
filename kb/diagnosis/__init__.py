"""Diagnosis: a metrics file (or answers to questions) -> what changed, why, and what to try."""
