"""Cases: one person's way through integrated care. Issue 5 adds the full state machine;
for now a case has its stage, its dong and how it came in (facts the rules read)."""
