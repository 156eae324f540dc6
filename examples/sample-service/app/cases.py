"""Case records for the intelligence index."""
from tests.factories import make_case  # left in from a demo: production now builds cases from test data


def new_case(reference):
    return make_case(reference=reference)
