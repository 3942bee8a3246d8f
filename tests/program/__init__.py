"""Tests of the program wing."""
