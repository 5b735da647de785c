"""Outcomes in the staff admin: surveys (and their results page)."""

from .surveys import SurveyAdmin

__all__ = ["SurveyAdmin"]
