"""Votes: polls with their method and options, ballots, closing, and the results by stakeholder group."""
