"""The Ray backend against a real local Ray (``ray.init(num_cpus=2)``): the same results as the
local process pool on the same scripted evaluation; the team's tools/ folder and the trust
decisions travel with each task; a crashing task fails its cell; a keyring secret is refused
on a (possibly remote) Ray worker. Deselect with ``-m 'not ray'``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from designer.core.eval_file import load_eval
from designer.core.trust import TrustAll
from designer.runtime.eval_engine import EvalOptions, Evaluation
from tests.unit.test_eval_engine import tool_eval, write

ray = pytest.importorskip("ray")  # the test extra installs it; a plain install has no ray backend

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def run(path: Path, backend: str) -> list[tuple[Any, ...]]:
    loaded = load_eval(path)
    assert loaded.ok, [p.format() for p in loaded.problems]
    evaluation = Evaluation(loaded, EvalOptions(workers=2, backend=backend), trust=TrustAll())  # type: ignore[arg-type]
    list(evaluation.results())
    assert evaluation.summary.workers == 2
    return [(r.index, r.variant, r.task_id, r.repeat, r.status, r.answer, r.tokens, r.error.split(" (")[0],
             [(c.label, c.passed, c.detail) for c in r.checks]) for r in evaluation.summary.results]


def test_ray_gives_the_same_results_as_the_process_pool(tmp_path: Path, local_ray: None) -> None:
    path = write(tmp_path)
    on_ray = run(path, "ray")
    assert on_ray == run(path, "local")
    assert len(on_ray) == 8 and {r[4] for r in on_ray} == {"passed", "failed"}


def test_tools_and_trust_travel_with_the_task_and_a_crash_fails_its_cell(tmp_path: Path, local_ray: None) -> None:
    results = {r[1]: r for r in run(tool_eval(tmp_path, "crash", "{code: 3}"), "ray")}
    assert results["base"][4] == "error" and "the Ray worker running it failed" in results["base"][7]
    assert results["plain"][4] == "passed"


def test_a_keyring_secret_is_refused_on_a_ray_worker(tmp_path: Path, local_ray: None) -> None:
    team = (tmp_path / "team.yaml")
    write(tmp_path)
    team.write_text(team.read_text().replace("    provider: scripted\n", "    provider: scripted\n    api_key: keyring:cloud\n"))
    path = tmp_path / "ev.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: team.yaml\ntasks: [{name: t}]\n")
    results = run(path, "ray")
    assert results[0][4] == "error" and "keyring:cloud cannot be read on a remote worker" in results[0][7]


def test_the_cli_runs_an_evaluation_on_a_local_ray_with_the_same_matrix(tmp_path: Path) -> None:
    from tests.e2e.test_cli_eval import EvalCli, matrix

    cli = EvalCli(tmp_path)
    local = cli.eval("pass.yaml", "--workers", "2", "--no-record")
    on_ray = cli.eval("pass.yaml", "--workers", "2", "--no-record", "--backend", "ray")
    assert local.returncode == on_ray.returncode == 0, on_ray.stderr
    assert matrix(on_ray.stdout) == matrix(local.stdout).replace("local, ", "ray, ")
    assert "ray, 2 workers" in on_ray.stdout.splitlines()[0]


def test_a_ray_address_where_nothing_answers_is_a_setup_error_not_a_hang(tmp_path: Path) -> None:
    from designer.runtime.eval_engine import EvalSetupError
    from tests.model_fixtures import closed_port

    if ray.is_initialized():  # an address is only dialled when this process has no Ray yet
        ray.shutdown()
    loaded = load_eval(write(tmp_path))
    evaluation = Evaluation(loaded, EvalOptions(backend="ray", ray_address=f"127.0.0.1:{closed_port()}"), trust=TrustAll())
    with pytest.raises(EvalSetupError, match=r"nothing answers at 127\.0\.0\.1"):
        list(evaluation.results())
