"""The JSON API under /api/v1, one module per wing, described by /openapi.json."""
