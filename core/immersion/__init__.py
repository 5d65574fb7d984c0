"""Immersion: placements at host companies and what tutors and trainees recorded there."""
