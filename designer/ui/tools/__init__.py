"""The Tools dock: the tool library palette, its options editor, and dropping tools on agents."""
