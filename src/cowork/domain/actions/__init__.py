"""Round table 3, the action plan: proposals (recommendations for action) and the commitments they become."""
