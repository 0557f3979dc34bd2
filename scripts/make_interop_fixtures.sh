#!/usr/bin/env bash
# Rebuilds the JSON fixtures of the import tests (tests/fixtures/interop/). Run by hand, not by CI:
# the files are kept in the repository.
#  * autogenstudio_default_gallery.json: AutoGen Studio's default gallery, made by its own gallery
#    builder. autogenstudio pins an older AgentChat (0.5.x) than this project (0.7.x), so it gets
#    a virtual environment of its own, outside the project's.
#  * agentchat_*.json: teams written by AgentChat's dump_component() in the project's environment.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=tests/fixtures/interop
AGS_ENV=${AGS_ENV:-/tmp/team-designer-autogenstudio}
[ -x "$AGS_ENV/bin/python" ] || python3 -m venv "$AGS_ENV"
"$AGS_ENV/bin/pip" install -q "autogenstudio==0.4.2.2"
# The builder makes OpenAI clients, which want a key to exist; it is never written (the gallery holds none).
OPENAI_API_KEY=sk-placeholder "$AGS_ENV/bin/python" - "$OUT/autogenstudio_default_gallery.json" <<'PY'
import sys
from autogenstudio.gallery.builder import create_default_gallery
open(sys.argv[1], "w").write(create_default_gallery().model_dump_json(indent=2) + "\n")
PY
.venv/bin/python scripts/make_agentchat_fixtures.py "$OUT"
