"""Tests of the actions wing."""
