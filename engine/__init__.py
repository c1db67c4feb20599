"""Kyoto questionnaire engine: YAML definitions -> checked model -> JSON Schema and validation.

This package imports neither Flask nor a database, so every rule can be tested with plain pytest.
"""
