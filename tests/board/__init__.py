"""Tests of the board wing."""
