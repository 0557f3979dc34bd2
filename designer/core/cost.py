"""What a run cost, per agent and in total, from the model entries' prices.

A model entry may carry ``prices`` (per million input and output tokens, and a currency).
Without them the cost is unknown (``None``), never 0: a user comparing two runs must not
read "free" where the tool simply does not know. The embedded and scripted models run in
this process and cost nothing, so theirs is a known 0. A sum over agents is unknown when
any part is, and when the parts are in different currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Mapping

from .records import EMBEDDED_MODEL_ID, ModelSpec
from .spec import TeamSpec

#: Providers that run in this process: a known price of nothing.
FREE_PROVIDERS = ("embedded", "scripted")
#: The speaker-choosing model call of a selector team is recorded under this name.
SELECTOR = "selector"


@dataclass(frozen=True)
class RunCost:
    by_agent: dict[str, float | None] = field(default_factory=dict)
    total: float | None = None
    currency: str | None = None
    #: What the calls answered from a recording would have cost (replay).
    saved: float | None = None


def model_of(spec: TeamSpec, agent: str, model_override: str | None = None) -> ModelSpec | None:
    """The model entry an agent (or the selector) ran on."""
    if model_override:
        return spec.model_for(model_override)
    if agent in spec.agents:
        return spec.model_for(spec.model_id_for(agent))
    if agent == SELECTOR:
        chosen = getattr(spec.orchestration, "selector_model", None)
        participants = spec.participants()
        model_id = chosen or (spec.model_id_for(participants[0]) if participants else EMBEDDED_MODEL_ID)
        return spec.model_for(model_id)
    return None


def price_of(model: ModelSpec | None, prompt: int, completion: int) -> tuple[float | None, str | None]:
    """(cost, currency) of so many tokens on a model; (None, None) when its price is unknown."""
    if model is None:
        return None, None
    if model.prices is not None:
        p = model.prices
        return (prompt * p.input + completion * p.output) / 1_000_000, p.currency
    if model.provider in FREE_PROVIDERS:
        return 0.0, None
    return None, None


def _sum(parts: list[tuple[float | None, str | None]]) -> tuple[float | None, str | None]:
    currencies = {c for _, c in parts if c}
    if any(v is None for v, _ in parts) or len(currencies) > 1:
        return None, None
    return sum(v or 0.0 for v, _ in parts), next(iter(currencies), None)


def run_cost(
    spec: TeamSpec,
    tokens_by_agent: Mapping[str, Mapping[str, int]],
    saved_by_agent: Mapping[str, Mapping[str, int]] | None = None,
    model_override: str | None = None,
    called: Collection[str] | None = None,
) -> RunCost:
    """The cost of a run's tokens (``{"agent": {"prompt": n, "completion": m}}``). ``called``:
    the agents whose requests went to their model, when known. One of them with no tokens
    reported on an unpriced model makes the cost unknown (a server may send no usage)."""
    by_agent: dict[str, float | None] = {}
    parts: list[tuple[float | None, str | None]] = []
    for agent, tokens in tokens_by_agent.items():
        value, currency = price_of(model_of(spec, agent, model_override), tokens.get("prompt", 0), tokens.get("completion", 0))
        by_agent[agent] = value
        parts.append((value, currency))
    # Calls with no usage figures: they cost what nobody knows, unless their model is free.
    # Without a record of the calls, nothing reported counts as every participant having called.
    silent = [a for a in called if a not in tokens_by_agent] if called is not None else (
        [] if parts else spec.participants())
    parts += [price_of(model_of(spec, agent, model_override), 0, 0) for agent in silent]
    total, currency = _sum(parts) if parts else (0.0, None)
    saved_parts = [
        price_of(model_of(spec, agent, model_override), t.get("prompt", 0), t.get("completion", 0))
        for agent, t in (saved_by_agent or {}).items()
    ]
    saved, saved_currency = _sum(saved_parts) if saved_parts else (0.0, None)
    return RunCost(by_agent, total, currency or saved_currency, saved)

