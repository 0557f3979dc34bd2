"""Team Designer: design, run and share multi-agent LLM teams on Microsoft AutoGen AgentChat."""

__version__ = "0.1.0"
