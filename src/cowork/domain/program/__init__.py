"""The programme around the round tables: agenda and timer, breakout tables and their boards, presentations,
evaluation."""
