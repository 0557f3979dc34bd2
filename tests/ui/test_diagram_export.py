"""File ▸ Export diagram… and ``team-designer diagram``: the canvas as PNG or SVG, for docs and slides."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from PySide6.QtSvg import QSvgRenderer

from designer.ui.actions import menu_named
from designer.ui.canvas.export import PNG_SCALE, DiagramScene
from designer.core.yamlio import load_team
from tests.conftest import ROOT, TEAMS

SUPPORT = TEAMS / "customer_support.yaml"
AGENTS = ("intake", "triage_info", "resolver", "supervisor")


def export_action(window):
    file_menu = menu_named(window, "File")
    assert file_menu is not None
    return next(a for a in file_menu.actions() if a.text().replace("&", "") == "Export diagram…")


def distinct_colours(image: QImage, step: int = 4) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def test_export_diagram_writes_a_sharp_png_of_the_canvas(make_main_window, tmp_path, qtbot):
    w = make_main_window(SUPPORT)
    asked: list[str] = []
    out = tmp_path / "support.png"
    w.diagram_export.choose_path = lambda suggested: asked.append(suggested) or str(out)

    export_action(w).trigger()

    assert asked == ["customer_support.svg"]
    assert out.stat().st_size > 0
    image = QImage(str(out))
    assert not image.isNull()
    # Twice the scene's size (for slides), and a real picture: many colours, not one fill.
    diagram = DiagramScene(load_team(SUPPORT).spec)
    rect = diagram.rect()
    diagram.close()
    assert (image.width(), image.height()) == (math.ceil(rect.width() * PNG_SCALE), math.ceil(rect.height() * PNG_SCALE))
    assert distinct_colours(image) > 20
    assert "Exported support.png" in w.statusBar().currentMessage()


def test_export_diagram_writes_an_svg_naming_every_agent(make_main_window, tmp_path):
    w = make_main_window(SUPPORT)
    out = tmp_path / "support.svg"
    w.diagram_export.choose_path = lambda suggested: str(out)

    export_action(w).trigger()

    text = out.read_text(encoding="utf-8")
    for agent in AGENTS:
        assert agent in text
    assert "contains 'ESCALATE'" in text.replace("&apos;", "'").replace("&#39;", "'")  # an edge's label
    renderer = QSvgRenderer(str(out))
    assert renderer.isValid() and renderer.defaultSize().width() > 100


def test_an_unknown_suffix_is_refused_in_one_line(make_main_window, tmp_path):
    w = make_main_window(SUPPORT)
    out = tmp_path / "support.jpg"
    w.diagram_export.choose_path = lambda suggested: str(out)

    export_action(w).trigger()

    assert not out.exists()
    assert len(w.errors) == 1 and "\n" not in w.errors[0] and ".svg or .png" in w.errors[0]


def test_a_folder_that_cannot_be_written_is_reported(make_main_window, tmp_path):
    w = make_main_window(SUPPORT)
    w.diagram_export.choose_path = lambda suggested: str(tmp_path / "missing" / "d.svg")

    export_action(w).trigger()

    assert len(w.errors) == 1 and "could not be written" in w.errors[0]


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command as a user types it, with no display and no platform chosen."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run([sys.executable, "-m", "designer", "diagram", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**clean, **env}, timeout=120, check=False)


def test_cli_draws_an_svg_without_a_display(tmp_path):
    out = tmp_path / "out.svg"
    done = cli("teams/customer_support.yaml", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert all(agent in text for agent in AGENTS)
    assert QSvgRenderer(str(out)).isValid()


def test_cli_draws_a_dark_png(tmp_path):
    out = tmp_path / "out.png"
    done = cli(str(SUPPORT), str(out), "--theme", "dark")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert not image.isNull() and distinct_colours(image) > 20
    assert image.pixelColor(2, 2).lightness() < 80 < QColor("white").lightness()


def test_cli_bad_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: team-designer/v1\nagents: [unclosed\n", encoding="utf-8")
    done = cli(str(bad), str(tmp_path / "out.svg"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0]
    assert "Traceback" not in done.stderr and not (tmp_path / "out.svg").exists()


def test_cli_unknown_suffix_and_missing_file(tmp_path):
    done = cli(str(SUPPORT), str(tmp_path / "out.gif"))
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and ".svg or .png" in done.stderr
    done = cli(str(tmp_path / "nowhere.yaml"), str(tmp_path / "out.svg"))
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0 and "cannot read" in done.stderr
    assert not Path(tmp_path / "out.svg").exists()


def test_an_unsaved_team_suggests_its_name_as_the_diagram_file(make_main_window, qtbot):
    w = make_main_window()
    w.window_actions["new"].trigger()
    w.docks["team"].raise_()
    w.team_panel.name_edit.setFocus()
    w.team_panel.name_edit.selectAll()
    qtbot.keyClicks(w.team_panel.name_edit, "Support & Sales Desk")
    qtbot.waitUntil(lambda: w.controller.spec.name == "Support & Sales Desk", timeout=15000)
    asked: list[str] = []
    w.diagram_export.choose_path = lambda suggested: asked.append(suggested) or None
    export_action(w).trigger()
    assert asked == ["support_and_sales_desk.svg"]
