"""The History panel: every recorded run of the open team (or of all teams), its transcript,
and what can be done with one (rename, star, delete, open its team, export, compare, replay)."""
