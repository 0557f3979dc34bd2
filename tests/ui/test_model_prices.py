"""Model prices in the Models dialog: typed per million tokens, saved in the team file, used for
run costs; a model without prices has an unknown cost, and in-process models have no price row."""

from __future__ import annotations

from typing import Any

from designer.core.cost import run_cost
from tests.ui.test_models_options import open_dialog, saved_model, type_into  # noqa: F401 - the fixture


def _choose_preset(dialog: Any, preset: str) -> None:
    combo = dialog.editor.preset_combo
    index = combo.findData(preset)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_prices_are_typed_saved_and_priced_into_a_run(qtbot: Any, open_dialog: Any) -> None:  # noqa: F811
    dialog = open_dialog()
    rows = dialog.editor.options
    assert not rows.prices_row.isVisible(), "the embedded model runs here and costs nothing"
    _choose_preset(dialog, "ollama")
    assert rows.prices_row.isVisible()
    million = {"assistant": {"prompt": 1_000_000, "completion": 1_000_000}}
    assert run_cost(dialog._controller.spec, million).total is None, "no prices yet: unknown, not 0"
    type_into(qtbot, rows.price_edits["input"], "0.15")
    assert rows.price_edits["output"].text() == "0", "the other price shows what it now is"
    type_into(qtbot, rows.price_edits["output"], "0.6")
    type_into(qtbot, rows.price_edits["currency"], "eur")
    assert saved_model(dialog)["prices"] == {"input": 0.15, "output": 0.6, "currency": "EUR"}
    cost = run_cost(dialog._controller.spec, million)
    assert (round(cost.total or 0, 6), cost.currency) == (0.75, "EUR")
    type_into(qtbot, rows.price_edits["output"], "-1")
    assert dialog._controller.spec.models["embedded"].prices.output == 0.6, "a bad price is refused"
    type_into(qtbot, rows.price_edits["output"], "")
    type_into(qtbot, rows.price_edits["input"], "")
    assert dialog._controller.spec.models["embedded"].prices is None
    assert "prices" not in saved_model(dialog)
