"""Round table 2, the stakeholder map (seeds 001 and 002): who is involved, where the group places them,
who is responsible for what (the matrix) and whom to contact (the interface document)."""
