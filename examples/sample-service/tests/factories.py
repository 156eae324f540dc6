def make_case(reference="TEST-0001"):
    return {"reference": reference, "officer": "Jane Doe", "email": "jane.doe@example.com"}
