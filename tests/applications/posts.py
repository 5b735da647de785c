"""What the application form posts, shared by the tests of the member pages."""

MENTEE_POST = {
    "goals": "Prepare for residency interviews.",
    "background_importance": "2",
    "region_importance": "1",
    "interests_importance": "1",
    "availability": "Tuesday evenings",
    "agrees_to_commitment": "on",
    "agrees_to_confidentiality": "on",
}
