"""Team Designer: design, run and share multi-agent LLM teams on Microsoft AutoGen AgentChat."""

import os

__version__ = "0.1.0"

# pydantic scans every installed distribution for plugins the first time a model is built
# (~25 ms of start-up); Team Designer uses none. An explicit setting by the user still wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
