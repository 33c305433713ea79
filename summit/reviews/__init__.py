"""Review: rubric, conflicts, assignment, scoring, aggregation and decisions."""
