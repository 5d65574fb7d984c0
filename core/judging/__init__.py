"""Judging: pure functions from observations to outcomes, levels, fit and a trainee's record."""
