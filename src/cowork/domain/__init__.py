"""The workshop domain: rules and state changes. Imports no web, socket or template code."""
