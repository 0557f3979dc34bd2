"""Embedded model tokens/s through the engine vs raw llama-cpp-python, alternating.

* engine: ``designer.runtime.embedded.EmbeddedChatCompletionClient.create_stream`` on the
  process-wide ``shared_llama()`` (temperature 0, a seed, max_tokens N), consuming every
  streamed chunk; completion tokens from the final CreateResult's usage.
* raw:    ``llama_cpp.Llama`` on the same GGUF (``gguf_path()``), same n_ctx and n_threads,
  ``create_completion(stream=True)`` on the same rendered prompt (``render_chatml``) with the
  same sampling parameters and stop strings the engine uses.

The raw side runs in a fresh worker thread per request by default, as the engine does
(``--raw-thread main`` runs it in the main thread). Both generate greedily from the same
prompt, so they produce the same text; the script checks this and counts tokens the same way
for both (re-tokenizing the output, as the engine does for its usage figure), and also prints
the raw side's streamed-chunk count. It reports tokens/s over the whole request (call to last
chunk: includes thread hand-off, prompt tokenization and time to first token) and the decode
rate (first chunk to last), medians over alternating runs, and the median of pairwise
engine/raw ratios (target >= 0.9).

The model cannot be forced past its end-of-text through the engine (it takes no logit_bias),
so the prompt asks for a long answer; if generation stops before N tokens on both sides the
comparison is still over identical token counts.

On a busy machine (load average above the core count) llama.cpp with n_threads = all cores
slows down by up to 10x and erratically (OpenMP threads wait for each other at every layer);
``--omp-wait-policy passive`` (both sides) or ``--threads 1`` gives a steadier comparison of the
engine's own overhead.

Usage: .venv/bin/python benchmarks/embedded_tokens.py [--runs N] [--max-tokens N] [--seed S]
       [--threads N] [--omp-wait-policy default|passive] [--raw-thread worker|main]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autogen_core.models import CreateResult, SystemMessage, UserMessage  # noqa: E402

from designer.runtime import embedded, embedded_model  # noqa: E402
from designer.runtime.embedded import EmbeddedChatCompletionClient, gguf_path, render_chatml, shared_llama  # noqa: E402

TARGET = 0.9
STOP = ["<|im_end|>", "<|im_start|>"]  # what the engine passes (designer/runtime/embedded.py, _stream)
TOP_P = 0.95  # the engine's default
MESSAGES = [
    SystemMessage(content="You are a helpful assistant who writes long, detailed answers."),
    UserMessage(
        content="Write a long, detailed guide to growing tomatoes at home: soil, seeds, watering, "
        "sunlight, pruning, pests and harvest. Use several paragraphs.",
        source="user",
    ),
]


def engine_run(client: EmbeddedChatCompletionClient) -> dict[str, float | str | int]:
    async def go() -> dict[str, float | str | int]:
        chunks = 0
        first = None
        t0 = time.perf_counter()
        result: CreateResult | None = None
        async for item in client.create_stream(MESSAGES):
            if isinstance(item, CreateResult):
                result = item
            else:
                chunks += 1
                if first is None:
                    first = time.perf_counter()
        t1 = time.perf_counter()
        assert result is not None and isinstance(result.content, str)
        return {"t": t1 - t0, "ttft": (first or t1) - t0, "decode": t1 - (first or t0), "text": result.content,
                "usage": result.usage.completion_tokens, "chunks": chunks}

    return asyncio.run(go())


def raw_run(llm, prompt: str, max_tokens: int, seed: int, thread: str) -> dict[str, float | str | int]:
    chunks = 0
    pieces: list[str] = []
    first = None

    def generate() -> None:
        nonlocal chunks, first
        for chunk in llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, top_p=TOP_P, stop=STOP,
                                           stream=True, seed=seed):
            piece = chunk["choices"][0].get("text") or ""
            if piece:
                chunks += 1
                pieces.append(piece)
                if first is None:
                    first = time.perf_counter()

    t0 = time.perf_counter()
    if thread == "worker":  # like the engine: a fresh thread per request, the caller waits
        worker = threading.Thread(target=generate, name="raw-llm", daemon=True)
        worker.start()
        worker.join()
    else:
        generate()
    t1 = time.perf_counter()
    return {"t": t1 - t0, "ttft": (first or t1) - t0, "decode": t1 - (first or t0), "text": "".join(pieces).strip(),
            "chunks": chunks}


def count(llm, text: str) -> int:
    """Tokens of the output text, counted as the engine counts its usage."""
    return len(llm.tokenize(text.encode("utf-8"), add_bos=False)) if text else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="alternating engine/raw pairs (default 5)")
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=None,
                        help="n_threads for both sides (default: embedded_model.generation_threads(), what the engine uses); another value "
                        "pre-loads the engine's shared instance with it (via embedded_model's private _models cache)")
    parser.add_argument("--omp-wait-policy", choices=("default", "passive"), default="default",
                        help="set OMP_WAIT_POLICY for llama.cpp's OpenMP threads (both sides; must be set before "
                        "llama_cpp loads). 'passive' keeps the speed steady on a busy machine")
    parser.add_argument("--raw-thread", choices=("worker", "main"), default="worker",
                        help="run raw generation in a fresh thread per request like the engine (default) or in the main thread")
    args = parser.parse_args()

    if args.omp_wait_policy == "passive":
        if "llama_cpp" in sys.modules:
            raise SystemExit("llama_cpp is already loaded: OMP_WAIT_POLICY would have no effect")
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    import llama_cpp

    load_before = os.getloadavg()
    path = gguf_path()
    threads = args.threads or embedded_model.generation_threads()
    print(f"embedded_tokens: {path.name}, n_ctx {embedded.N_CTX}, n_threads {threads}, max_tokens {args.max_tokens}, "
          f"temperature 0, seed {args.seed}, {args.runs} alternating runs, raw in {args.raw_thread} thread, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
          f"llama-cpp-python {llama_cpp.__version__}")
    cpus = os.cpu_count() or 1
    busy = load_before[0] > 0.5 * cpus
    print(f"load average before: {load_before[0]:.2f} (1 min) on {cpus} cpus"
          + ("  -- WARNING: the machine is busy; llama.cpp with n_threads = all cores slows down sharply "
             "when another process competes (try --omp-wait-policy passive or --threads 1)" if busy and threads >= cpus else
             "  -- note: the machine is busy" if busy else ""))

    t = time.perf_counter()
    if args.threads and args.threads != embedded_model.generation_threads():
        embedded_model._silence_llama_logs(llama_cpp)
        embedded_model._models[str(path.resolve())] = llama_cpp.Llama(
            model_path=str(path), n_ctx=embedded_model.N_CTX, n_threads=threads, n_threads_batch=threads, verbose=False)
    shared_llama()
    load_engine = time.perf_counter() - t
    t = time.perf_counter()
    raw = llama_cpp.Llama(model_path=str(path), n_ctx=embedded.N_CTX, n_threads=threads, n_threads_batch=threads,
                          verbose=False)
    load_raw = time.perf_counter() - t
    print(f"load: engine shared_llama() {load_engine:.2f} s, raw Llama() {load_raw:.2f} s")

    client = EmbeddedChatCompletionClient(temperature=0.0, max_tokens=args.max_tokens, seed=args.seed)
    prompt = render_chatml(MESSAGES, [])

    # Warm-up (also evaluates the prompt once on each instance: both then reuse it as a cached prefix).
    e = engine_run(client)
    r = raw_run(raw, prompt, args.max_tokens, args.seed, args.raw_thread)
    same_text = e["text"] == r["text"]
    n_engine, n_raw = count(raw, str(e["text"])), count(raw, str(r["text"]))
    print(f"output: engine {n_engine} tokens (usage says {e['usage']}), raw {n_raw} tokens "
          f"({r['chunks']} streamed chunks); same text: {same_text}")
    if not same_text:
        print("  warning: the texts differ, so token counts differ; comparing tokens/s over each side's own output")

    rows: dict[str, list[float]] = {k: [] for k in ("e_tps", "r_tps", "e_dec", "r_dec", "e_ttft", "r_ttft", "ratio", "ratio_dec")}
    for i in range(args.runs):
        order = ("engine", "raw") if i % 2 == 0 else ("raw", "engine")
        got = {}
        for side in order:
            if side == "engine":
                got[side] = engine_run(client)
            else:
                got[side] = raw_run(raw, prompt, args.max_tokens, args.seed, args.raw_thread)
        ne, nr = count(raw, str(got["engine"]["text"])), count(raw, str(got["raw"]["text"]))
        e_tps, r_tps = ne / float(got["engine"]["t"]), nr / float(got["raw"]["t"])
        e_dec = max(ne - 1, 1) / float(got["engine"]["decode"])
        r_dec = max(nr - 1, 1) / float(got["raw"]["decode"])
        rows["e_tps"].append(e_tps)
        rows["r_tps"].append(r_tps)
        rows["e_dec"].append(e_dec)
        rows["r_dec"].append(r_dec)
        rows["e_ttft"].append(float(got["engine"]["ttft"]))
        rows["r_ttft"].append(float(got["raw"]["ttft"]))
        rows["ratio"].append(e_tps / r_tps)
        rows["ratio_dec"].append(e_dec / r_dec)
        print(f"  run {i + 1}: engine {ne} tok in {float(got['engine']['t']):.3f} s = {e_tps:6.1f} tok/s | "
              f"raw {nr} tok in {float(got['raw']['t']):.3f} s = {r_tps:6.1f} tok/s | ratio {e_tps / r_tps:.3f}")

    med = statistics.median
    print(f"engine: {med(rows['e_tps']):.1f} tok/s overall (median), decode {med(rows['e_dec']):.1f} tok/s, "
          f"time to first chunk {1000 * med(rows['e_ttft']):.1f} ms")
    print(f"raw   : {med(rows['r_tps']):.1f} tok/s overall (median), decode {med(rows['r_dec']):.1f} tok/s, "
          f"time to first chunk {1000 * med(rows['r_ttft']):.1f} ms")
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} (1 min)")
    ratio = med(rows["ratio"])
    print(f"ratio engine/raw tokens/s: median of pairwise ratios {ratio:.3f} overall, {med(rows['ratio_dec']):.3f} decode "
          f"(target >= {TARGET}: {'OK' if ratio >= TARGET else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
