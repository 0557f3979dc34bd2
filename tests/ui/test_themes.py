"""View ▸ Theme: light, dark or the system's scheme, remembered; canvas and transcript stay
readable (WCAG contrast 4.5:1, measured on what is really painted) in both."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage

from designer.core import events as ev
from designer.core.teamfile import dump_team
from designer.ui import settings
from designer.ui.actions import menu_named
from designer.ui.canvas.items import palette_of
from designer.ui.run.transcript_view import agent_colour
from designer.ui.theme import APP_PROPERTY, READABLE, ThemeManager, colors, contrast, is_dark, theme_manager
from tests.conftest import TEAMS
from tests.e2e.test_menus_and_theme import FakeHints  # the stand-in for QStyleHints



@pytest.fixture
def fresh_theme(qapp):
    """As at a fresh start: the next window finds no theme manager and makes one from the
    remembered setting, on a stand-in for the system's scheme. Afterwards: system, light."""
    before = qapp.property(APP_PROPERTY)
    made: list[ThemeManager] = []

    def start(hints: Any = None) -> ThemeManager:
        manager = ThemeManager(qapp, hints if hints is not None else FakeHints())
        qapp.setProperty(APP_PROPERTY, manager)
        made.append(manager)
        return manager

    yield start
    current = qapp.property(APP_PROPERTY)  # one a window made at a "fresh start"
    if isinstance(current, ThemeManager) and current is not before and current not in made:
        made.append(current)
    settings.put("view/theme", "system")
    qapp.setProperty(APP_PROPERTY, before)
    for manager in made:
        manager.set_choice("system", remember=False)
        manager.deleteLater()
    if isinstance(before, ThemeManager):
        before.set_choice("system", remember=False)


def theme_actions(window) -> dict[str, Any]:
    view = menu_named(window, "View")
    assert view is not None
    theme = next(a.menu() for a in view.actions() if a.text().replace("&", "") == "Theme")
    return {a.data(): a for a in theme.actions()}


def max_contrast(image: QImage, rect: QRect, background: QColor) -> float:
    """The strongest contrast any pixel in ``rect`` has against ``background``: the core of
    the text drawn there (antialiased edges are weaker)."""
    best = 1.0
    for x in range(rect.left(), rect.right()):
        for y in range(rect.top(), rect.bottom()):
            best = max(best, contrast(image.pixelColor(x, y), background))
    return best


def close_to(a: QColor, b: QColor, tolerance: int = 3) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def test_view_theme_dark_makes_the_canvas_dark_and_readable(make_main_window, fresh_theme, qtbot, qapp):
    fresh_theme()
    w = make_main_window(TEAMS / "customer_support.yaml")
    actions = theme_actions(w)
    assert set(actions) == {"system", "light", "dark"} and actions["system"].isChecked()
    assert not is_dark(qapp.palette())

    actions["dark"].trigger()

    assert actions["dark"].isChecked() and not actions["light"].isChecked() and not actions["system"].isChecked()
    assert is_dark(qapp.palette())
    node = w.canvas.item_for("intake")
    c = colors(palette_of(node))
    assert c.dark
    for text, fill in ((c.node_text, c.node_fill), (c.node_detail, c.node_fill), (c.label_text, c.label_fill)):
        assert contrast(text, fill) >= READABLE, (text.name(), fill.name())
    # What is painted: the node's fill, and its name drawn in a colour that reads on it.
    view = w.canvas
    view.centerOn(node)
    fill_at = view.mapFromScene(node.mapToScene(QPointF(-77, 18)))
    assert view.viewport().rect().contains(fill_at)

    def painted_dark() -> bool:
        image = view.viewport().grab().toImage()
        return close_to(image.pixelColor(fill_at), c.node_fill) and close_to(image.pixelColor(QPoint(2, 2)), c.canvas_background)

    qtbot.waitUntil(painted_dark, timeout=15000)  # the palette reaches child widgets through the event loop
    image = view.viewport().grab().toImage()
    name = view.mapFromScene(node.name_rect()).boundingRect()
    assert max_contrast(image, name, c.node_fill) >= READABLE

    actions["light"].trigger()
    assert not is_dark(qapp.palette())
    qtbot.waitUntil(lambda: not close_to(view.viewport().grab().toImage().pixelColor(fill_at), c.node_fill), timeout=15000)
    light = colors(palette_of(node))
    assert not light.dark
    for text, fill in ((light.node_text, light.node_fill), (light.node_detail, light.node_fill),
                       (light.label_text, light.label_fill), (light.error_text, light.text_background)):
        assert contrast(text, fill) >= READABLE, (text.name(), fill.name())


def test_the_transcript_reads_in_the_dark_theme(make_main_window, fresh_theme, qtbot, qapp):
    fresh_theme()
    w = make_main_window()
    theme_actions(w)["dark"].trigger()
    transcript = w.transcript
    transcript.model.add_events([ev.Message("writer", content="Hello **world**"),
                                 ev.Message("researcher", content="facts"),
                                 ev.Error("writer", message="cannot reach the model server", kind="model")])
    qtbot.waitUntil(lambda: is_dark(transcript.view.palette()), timeout=15000)  # through the event loop
    pal = transcript.view.palette()
    base = pal.color(pal.ColorRole.Base)
    c = colors(pal)
    for name in ("writer", "researcher", "coordinator", "billing", "a", "b"):
        assert contrast(agent_colour(name, pal), base) >= READABLE, name
    assert contrast(c.error_text, base) >= READABLE and contrast(c.muted_text, base) >= READABLE
    # What is painted: on the dark background, each row's text stands out at least 4.5:1.
    view = transcript.view
    qtbot.waitUntil(lambda: view.visualRect(transcript.model.index(2, 0)).height() > 0, timeout=15000)
    corner = QPoint(view.viewport().width() - 3, view.viewport().height() - 3)
    qtbot.waitUntil(lambda: close_to(view.viewport().grab().toImage().pixelColor(corner), base), timeout=15000)
    for row in range(3):
        index = transcript.model.index(row, 0)
        view.scrollTo(index)
        image = view.viewport().grab().toImage()
        rect = view.visualRect(index).adjusted(0, 0, -80, 0).intersected(view.viewport().rect())  # not the clock
        assert not rect.isEmpty(), row
        assert max_contrast(image, rect, base) >= READABLE, row


def test_a_tool_options_message_reads_in_the_dark_theme(make_main_window, fresh_theme, qtbot, tmp_path):
    """The Tools dock's Options dialog, dark theme, a bad host typed: the message under the field
    is painted in a red that stands out at least 4.5:1 from the dialog's background."""
    fresh_theme()
    path = tmp_path / "team.yaml"
    path.write_text(TEAM_WITH_WEB, encoding="utf-8")
    w = make_main_window(path)
    theme_actions(w)["dark"].trigger()
    palette = w.tool_library
    qtbot.waitUntil(lambda: is_dark(palette.palette()), timeout=15000)
    assert palette.select("team:web")
    qtbot.mouseClick(palette.options_button, Qt.MouseButton.LeftButton)
    dialog = palette.options_dialog
    qtbot.keyClicks(dialog.fields["allow_hosts"], "not/a/host")
    error = dialog.errors["allow_hosts"]
    assert "is not a host name" in error.text()
    background = dialog.palette().color(dialog.backgroundRole())
    assert is_dark(dialog.palette())
    image = error.grab().toImage()
    assert max_contrast(image, image.rect(), background) >= READABLE
    dialog.reject()
    qtbot.waitUntil(lambda: palette.options_dialog is None)


TEAM_WITH_WEB = """\
schema: team-designer/v1
name: Web
tools:
  web: {builtin: http_get}
agents:
  a: {tools: [web], system_message: "A"}
orchestration: {pattern: sequential, order: [a]}
"""


def test_the_theme_is_remembered_for_the_next_start(make_main_window, fresh_theme, qapp):
    fresh_theme()
    first = make_main_window()
    theme_actions(first)["dark"].trigger()
    assert settings.get("view/theme") == "dark"
    first.close()

    qapp.setProperty(APP_PROPERTY, None)  # a new process: no theme manager yet
    qapp.setPalette(qapp.style().standardPalette())
    assert not is_dark(qapp.palette())
    second = make_main_window()
    assert theme_actions(second)["dark"].isChecked()
    assert is_dark(qapp.palette())
    assert theme_manager(qapp).choice == "dark"


def test_system_follows_the_scheme_and_a_chosen_theme_does_not(make_main_window, fresh_theme, qapp):
    hints = FakeHints()
    fresh_theme(hints)
    w = make_main_window()
    actions = theme_actions(w)
    hints.switch(Qt.ColorScheme.Dark)
    assert is_dark(qapp.palette())
    hints.switch(Qt.ColorScheme.Light)
    assert not is_dark(qapp.palette())

    actions["dark"].trigger()
    hints.switch(Qt.ColorScheme.Light)
    assert is_dark(qapp.palette()), "a chosen theme ignores the system"

    actions["system"].trigger()
    assert not is_dark(qapp.palette()), "back to the system's (light) scheme"
    hints.switch(Qt.ColorScheme.Dark)
    assert is_dark(qapp.palette())
    assert settings.get("view/theme") == "system"


def test_screenshot_command_draws_the_dark_theme(tmp_path):
    """``team-designer screenshot ... --theme dark``: the window in dark colours, headless."""
    import os
    import subprocess
    import sys

    out = tmp_path / "dark.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "designer", "screenshot", str(TEAMS / "customer_support.yaml"), str(out),
                           "--theme", "dark"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert not image.isNull()
    points = [(x, y) for x in range(0, image.width(), 30) for y in range(0, image.height(), 30)]
    dark = sum(image.pixelColor(x, y).lightness() < 100 for x, y in points)
    assert dark > 0.8 * len(points)  # most of the window is dark, not only the canvas


def test_a_theme_switch_is_not_typing_in_the_yaml_tab(make_main_window, qtbot, fresh_theme):
    """A theme switch re-highlights the YAML text, a format change that Qt reports as a text
    change: the tab must stay clean and keep the design's text, whether it was shown before or
    never (a new team's). The editor gets the palette as a theme switch delivers it."""
    from designer.ui.theme import dark_palette

    fresh_theme()
    w = make_main_window()
    w.window_actions["new"].trigger()
    view = w.views.yaml
    view.editor.setPalette(dark_palette())  # never shown yet: its text is not the design's
    assert not view.dirty and w.views.tabs.tabText(1) == "YAML" and not w.isWindowModified()
    qtbot.mouseClick(w.views.tabs, Qt.MouseButton.LeftButton, pos=w.views.tabs.tabRect(1).center())
    qtbot.waitUntil(lambda: view.editor.toPlainText() == dump_team(w.controller.spec), timeout=15000)
    view.editor.setPalette(view.style().standardPalette())  # and back to light, with the text shown
    assert not view.dirty and view.editor.toPlainText() == dump_team(w.controller.spec)


def test_toolbar_icons_turn_light_in_the_dark_theme_and_back(make_main_window, qtbot, fresh_theme):
    """Qt's standard icons are black: on a dark toolbar they are recoloured (Run's play arrow
    reads light), and the light theme brings the very same icons back."""
    from designer.ui.widgets.icon_tint import mean_lightness

    fresh_theme()
    w = make_main_window()
    run = w.window_actions["run"]
    original = run.icon().cacheKey()
    theme_actions(w)["dark"].trigger()
    qtbot.waitUntil(lambda: mean_lightness(run.icon().pixmap(16, 16).toImage()) > 0.6, timeout=15000)
    theme_actions(w)["light"].trigger()
    qtbot.waitUntil(lambda: run.icon().cacheKey() == original, timeout=15000)
