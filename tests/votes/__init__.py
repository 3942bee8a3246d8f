"""Tests of the votes wing."""
