"""The API fuzz: schemathesis over /api/v1/openapi.json as each role (`python -m tests.fuzz.fuzz_api`)."""
