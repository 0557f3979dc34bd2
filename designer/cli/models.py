"""``python -m designer models list|test|import``: the Models dialog's checks, headless.

Exit codes: 0 when everything asked for worked (every tested model answered and called
the tool), 1 when a connection test failed (the report says why), 2 for a bad file or
bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.finish import plural
from ..core.gguf import with_file_resolved
from ..core.probe_cache import ProbeCache
from ..core.providers import effective_base_url, effective_model_info
from ..core.spec import EMBEDDED_MODEL_ID, ModelSpec, TeamSpec
from ..core.yamlio import load_team

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="models_command", metavar="{list,test,import}", parser_class=type(parser))
    sub.required = True
    listing = sub.add_parser("list", help="show the team's models, their capabilities and last test")
    listing.add_argument("team", metavar="TEAM.yaml")
    test = sub.add_parser("test", help="test the connection and tool calling of the team's models")
    test.add_argument("team", metavar="TEAM.yaml")
    test.add_argument("model_ids", nargs="*", metavar="MODEL_ID",
                      help="only these models (default: every declared model, and the built-in one if an agent falls back to it)")
    test.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds per request (default 60)")
    imp = sub.add_parser("import", help="add the models of an AutoGen OAI_CONFIG_LIST file to a team file")
    imp.add_argument("config", metavar="OAI_CONFIG_LIST")
    imp.add_argument("team", metavar="TEAM.yaml")


def _load(path: str) -> TeamSpec | None:
    result = load_team(path)
    if result.spec is None:
        for problem in result.problems:
            print(problem.format(), file=sys.stderr)
    return result.spec


def _models(spec: TeamSpec) -> dict[str, ModelSpec]:
    """Declared entries, plus the built-in model when an agent falls back to it."""
    models = dict(spec.models)
    uses_embedded = any(spec.model_id_for(a) == EMBEDDED_MODEL_ID for a, agent in spec.agents.items()
                        if agent.kind != "user_proxy")
    if uses_embedded and EMBEDDED_MODEL_ID not in models:
        fallback = spec.model_for(EMBEDDED_MODEL_ID)
        if fallback is not None:
            models[EMBEDDED_MODEL_ID] = fallback
    return models


def _capabilities(model: ModelSpec) -> str:
    info = effective_model_info(model)
    if info is None:
        return "capabilities unknown"
    flags = [name for name in ("vision", "function_calling", "json_output", "structured_output") if getattr(info, name)]
    return f"{', '.join(flags) or 'no flags'}; family {info.family}"


def list_command(args: argparse.Namespace) -> int:
    spec = _load(args.team)
    if spec is None:
        return EXIT_INVALID
    cache = ProbeCache()
    for model_id, model in _models(spec).items():
        where = effective_base_url(model)
        print(f"{model_id}: {model.provider}" + (f" {model.model}" if model.model else "") + (f" at {where}" if where else ""))
        print(f"    capabilities: {_capabilities(model)}")
        if model.api_key:
            print(f"    api key: {model.api_key}")
        record = cache.for_model(model)
        if record is not None:
            verdict = "passed" if record.ok else f"FAILED: {record.problem()}"
            print(f"    last test ({record.when()}): {verdict}")
    return EXIT_OK


def test_command(args: argparse.Namespace) -> int:
    from ..runtime.probe import run_probe

    spec = _load(args.team)
    if spec is None:
        return EXIT_INVALID
    if args.timeout <= 0:
        print("error: --timeout must be positive", file=sys.stderr)
        return EXIT_INVALID
    models = _models(spec)
    for model_id in args.model_ids:
        if model_id not in models and spec.model_for(model_id) is None:
            print(f"error: unknown model {model_id!r} (the file defines: {', '.join(spec.models) or 'none'})", file=sys.stderr)
            return EXIT_INVALID
    chosen = {m: models.get(m) or spec.model_for(m) for m in args.model_ids} if args.model_ids else models
    if not chosen:
        print("error: the team has no models to test", file=sys.stderr)
        return EXIT_INVALID
    cache = ProbeCache()
    failed = 0
    for model_id, model in chosen.items():
        assert model is not None
        # A relative GGUF path starts at the team file's folder, as in a run.
        report = run_probe(with_file_resolved(model, Path(args.team).absolute().parent), model_id, timeout=args.timeout)
        print(report.text() + "\n", flush=True)
        if not report.skipped:
            cache.put(model, report.to_record())
        failed += not report.ok
    tested = len(chosen)
    print(f"{tested - failed} of {plural(tested, 'model')} passed")
    return EXIT_FAILED if failed else EXIT_OK


def import_command(args: argparse.Namespace) -> int:
    from ..core.oai_config import OaiConfigError, import_oai_config, read_oai_config
    from ..core.teamfile import save_team

    spec = _load(args.team)
    if spec is None:
        return EXIT_INVALID
    try:
        entries = read_oai_config(args.config)
    except OaiConfigError as exc:
        print(f"{args.config}: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        report = import_oai_config(spec, entries)
    except ValueError as exc:  # an entry whose values no model entry can hold (pydantic says which)
        print(f"{args.config}: error: an entry cannot be imported: {_first_line(exc)}", file=sys.stderr)
        return EXIT_INVALID
    if report.added:
        try:
            save_team(report.spec, args.team)
        except OSError as exc:
            # A read-only folder, a vanished folder, a folder in the file's place: say so, exit 2.
            print(f"{args.team}: error: cannot save the team file: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_INVALID
    print(report.text())
    if report.env_vars:
        print(f"Before running, set: {', '.join(report.env_vars)}")
    return EXIT_OK


def _first_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # a pydantic ValidationError: field and reason, never the value (it may be a key)
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def models_command(args: argparse.Namespace) -> int:
    handlers = {"list": list_command, "test": test_command, "import": import_command}
    return handlers[args.models_command](args)
