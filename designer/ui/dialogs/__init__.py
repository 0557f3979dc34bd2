"""dialogs: see docs/architecture.md."""
