"""The Compare view: two stored runs side by side (totals, team changes, transcripts)."""
