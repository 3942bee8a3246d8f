"""Tests of the stakeholders wing."""
