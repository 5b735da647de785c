"""The standard surveys every cohort starts with: a midpoint check-in and an end-of-program
survey. Staff edit them in admin like any other survey.

Migration 0002 carries a frozen copy of these for the cohorts that existed then; new cohorts
get them from the "Add the standard surveys" page of the survey admin (`surveys_add_standard`).
"""

SATISFACTION = "How satisfied are you with your match?"

MIDPOINT = {
    "title": "Midpoint check-in",
    "introduction": (
        "Halfway through the mentorship period: tell the program office how it is going. "
        "Your partner never sees your answers."
    ),
    "point": "midpoint",
    "audience": "both",
    "privacy": "confidential",
    "open_days": 21,
    "questions": [
        {"text": SATISFACTION, "kind": "scale", "measures_match_satisfaction": True},
        {
            "text": "How often have you met so far?",
            "kind": "single",
            "choices": "More than once a month\nAbout once a month\nLess than once a month\n"
            "Not yet",
        },
        {
            "text": "What has the mentorship helped with so far?",
            "kind": "multiple",
            "required": False,
            "choices": "Career planning\nClinical knowledge\nResidency preparation\n"
            "Leadership\nNetworking\nWork-life integration",
        },
        {
            "text": "Is anything getting in the way? What would help?",
            "kind": "text",
            "required": False,
        },
    ],
}

END = {
    "title": "End-of-program survey",
    "introduction": (
        "The mentorship period has ended. Your answers are anonymous: nothing ties them to you, "
        "and they help the association judge the pilot and plan the next cohort."
    ),
    "point": "end",
    "audience": "both",
    "privacy": "anonymous",
    "open_days": 30,
    "questions": [
        {"text": "Overall, how satisfied are you with the program?", "kind": "scale"},
        {
            "text": "How likely are you to recommend the program to a colleague?",
            "kind": "recommend",
        },
        {
            "text": "Did the mentorship help you reach the goals you set?",
            "kind": "single",
            "choices": "Fully\nMostly\nPartly\nNot at all\nI did not set goals",
        },
        {
            "text": "Which parts of the program were most useful?",
            "kind": "multiple",
            "required": False,
            "choices": "The orientation\nThe meetings\nThe goals and action plan\n"
            "The resource library\nThe reminders",
        },
        {"text": "What should we change for the next cohort?", "kind": "text", "required": False},
    ],
}

STANDARD_SURVEYS = [MIDPOINT, END]
