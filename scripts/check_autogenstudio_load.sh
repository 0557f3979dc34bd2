#!/usr/bin/env bash
# Exports every example team to AgentChat JSON and loads each with AutoGen Studio's AgentChat, the
# way AutoGen Studio's TeamManager does (BaseGroupChat.load_component). Run by hand, not by CI:
# autogenstudio pins AgentChat 0.5.x, so it lives in a virtual environment of its own (the same one
# scripts/make_interop_fixtures.sh makes). Prints "ok"/"FAIL" per team; exit 1 if any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
AGS_ENV=${AGS_ENV:-/tmp/team-designer-autogenstudio}
[ -x "$AGS_ENV/bin/python" ] || python3 -m venv "$AGS_ENV"
"$AGS_ENV/bin/pip" install -q "autogenstudio==0.4.2.2"
OUT=$(mktemp -d)
for team in teams/*.yaml; do
  .venv/bin/python -m designer export "$team" --to agentchat-json "$OUT/$(basename "$team" .yaml).json" > /dev/null
done
# The clients want a key to exist when they are built; nothing is called.
OPENAI_API_KEY=sk-placeholder "$AGS_ENV/bin/python" - "$OUT" <<'PY'
import glob, json, os, sys, warnings
warnings.simplefilter("ignore")
from autogen_agentchat.teams import BaseGroupChat
failed = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    try:
        team = BaseGroupChat.load_component(json.load(open(path)))
        print("ok  ", os.path.basename(path), type(team).__name__)
    except Exception as exc:  # noqa: BLE001 - reported, then the exit code says it
        failed += 1
        print("FAIL", os.path.basename(path), type(exc).__name__, str(exc).splitlines()[0][:200])
sys.exit(1 if failed else 0)
PY
