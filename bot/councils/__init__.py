"""Council profiles: the council the assistant speaks for, as swappable data."""

from bot.councils.profile import CouncilProfile, PlaceExamples, ProblemCategory, load_profile

__all__ = ["CouncilProfile", "PlaceExamples", "ProblemCategory", "load_profile"]
