"""canvas: see docs/architecture.md."""
