"""Light, dark or the system's scheme (View ▸ Theme), and the colours views draw with.

The application palette is the one source: a view asks :func:`colors` at paint time, so
whatever the palette is (a chosen theme, the system's, a test's) its drawing follows, and a
palette change only needs a repaint. The few colours a palette has no role for (speaker
colours, diff lines, error text) are picked here per lightness, so every view reads in both.
"""

from __future__ import annotations

import functools
import logging
import zlib
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from . import settings
from .actions import menu_named

log = logging.getLogger(__name__)

Theme = Literal["system", "light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)
_LABELS: dict[Theme, str] = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}
Role = QPalette.ColorRole
#: The application's dynamic property holding its ThemeManager (one per application).
APP_PROPERTY = "team_designer_theme"


def dark_palette() -> QPalette:
    """A dark palette for Fusion; every role is set, so none is left over from a light one."""
    p = QPalette(QColor("#3c3f41"), QColor("#2b2d30"))  # button, window: derives light/mid/dark/shadow
    roles = {
        Role.Window: "#2b2d30", Role.WindowText: "#dfe1e5", Role.Base: "#1e1f22",
        Role.AlternateBase: "#2b2d30", Role.Text: "#dfe1e5", Role.Button: "#3c3f41",
        Role.ButtonText: "#dfe1e5", Role.BrightText: "#ffffff", Role.Highlight: "#3574f0",
        Role.HighlightedText: "#ffffff", Role.ToolTipBase: "#3c3f41", Role.ToolTipText: "#dfe1e5",
        Role.PlaceholderText: "#8c8f94", Role.Link: "#589df6", Role.LinkVisited: "#b08ef5",
        Role.Light: "#55585c", Role.Midlight: "#45484b", Role.Mid: "#6f737a", Role.Dark: "#1b1c1f",
        Role.Shadow: "#0e0f10",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f737a"))
    return p


def light_palette(app: QApplication) -> QPalette:
    """The style's own light palette (Fusion's), as Qt draws it without a dark scheme."""
    return app.style().standardPalette()


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette if palette is not None else QGuiApplication.palette()
    return pal.color(Role.Base).lightness() < 128


def luminance(colour: QColor) -> float:
    """WCAG relative luminance (0 black .. 1 white)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 .. 21; body text wants 4.5)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


#: WCAG AA for body text: what every text colour here is held to against its background.
READABLE = 4.5


def readable(colour: QColor, background: QColor, minimum: float = READABLE) -> QColor:
    """``colour``, mixed toward white on a dark background (black on a light one) just enough
    to reach ``minimum`` contrast: hues stay recognisable, text stays legible."""
    toward = QColor("white") if luminance(background) < 0.18 else QColor("black")
    for step in range(21):
        t = step / 20
        mixed = QColor.fromRgbF(colour.redF() + (toward.redF() - colour.redF()) * t,
                                colour.greenF() + (toward.greenF() - colour.greenF()) * t,
                                colour.blueF() + (toward.blueF() - colour.blueF()) * t)
        if contrast(mixed, background) >= minimum:
            return mixed
    return toward


@dataclass(frozen=True)
class Colors:
    """What the canvas, the transcript and diff views paint with, for one palette."""

    dark: bool
    canvas_background: QColor
    node_fill: QColor
    node_border: QColor
    node_text: QColor
    node_detail: QColor
    selection: QColor
    edge: QColor
    edge_turn: QColor
    label_fill: QColor
    label_text: QColor
    error: QColor
    running: QColor
    text: QColor
    muted_text: QColor
    error_text: QColor
    text_background: QColor
    diff_added: QColor
    diff_removed: QColor

    def speaker(self, name: str) -> QColor:
        """A stable colour per agent name, readable on this palette's background."""
        return QColor(_speaker(name, self.dark, self.text_background.rgba()))


@functools.lru_cache(maxsize=1024)
def _speaker(name: str, dark: bool, background: int) -> int:
    # Painted for every transcript entry: the contrast search runs once per name and palette.
    hue = zlib.crc32(name.encode()) % 360
    return readable(QColor.fromHsv(hue, 150 if dark else 200, 235 if dark else 150), QColor.fromRgba(background)).rgba()


#: Colors per palette (QPalette.cacheKey changes whenever a palette does). Painting asks at every
#: paint of every node, edge, label and transcript entry, and working the set out (its contrast
#: searches) costs ~0.15 ms: 600 items made that ~90 ms a repaint. The colours are shared: never
#: modify one in place (copy it: ``QColor(c.edge)``).
_COLORS: dict[int, Colors] = {}


def colors(palette: QPalette | None = None) -> Colors:
    pal = palette if palette is not None else QGuiApplication.palette()
    key = pal.cacheKey()
    found = _COLORS.get(key)
    if found is None:
        if len(_COLORS) >= 32:  # palettes come and go (a theme switch, a widget's own): keep the recent
            _COLORS.clear()
        found = _COLORS[key] = _colors_for(pal)
    return found


def _colors_for(pal: QPalette) -> Colors:
    dark = is_dark(pal)
    edge = pal.color(Role.Text)
    edge.setAlpha(190)
    base, node_fill = pal.color(Role.Base), pal.color(Role.AlternateBase if dark else Role.Base)
    return Colors(
        dark=dark,
        canvas_background=pal.color(Role.Base),
        # Dark nodes sit a step lighter than the canvas, as in most dark editors.
        node_fill=node_fill,
        node_border=pal.color(Role.Mid),
        node_text=readable(pal.color(Role.Text), node_fill),
        node_detail=readable(_opaque(pal.color(Role.PlaceholderText), node_fill), node_fill),
        selection=pal.color(Role.Highlight),
        edge=edge,
        edge_turn=pal.color(Role.Link),
        label_fill=pal.color(Role.Base),
        label_text=readable(pal.color(Role.Text), base),
        # Signal colours keep their hue in both themes; only their lightness follows the background.
        error=QColor("#d73a49"),
        running=QColor("#2ea043"),
        text=readable(pal.color(Role.Text), base),
        muted_text=readable(_opaque(pal.color(Role.PlaceholderText), base), base),
        error_text=readable(QColor("#ff7b72" if dark else "#b31d28"), base),
        text_background=base,
        diff_added=QColor("#1f3d2a" if dark else "#e6ffec"),
        diff_removed=QColor("#4a2125" if dark else "#ffebe9"),
    )


def _opaque(colour: QColor, background: QColor) -> QColor:
    """A translucent colour (Fusion's placeholder text) as it looks drawn on ``background``."""
    a = colour.alphaF()
    return QColor.fromRgbF(*(c * a + b * (1 - a) for c, b in zip(
        (colour.redF(), colour.greenF(), colour.blueF()), (background.redF(), background.greenF(), background.blueF()),
        strict=True)))


def stored_theme() -> Theme:
    value = settings.get("view/theme")
    return cast(Theme, value) if value in THEMES else "system"


class ThemeManager(QObject):
    """Applies the chosen theme to the application, and keeps following the system's scheme
    while the choice is "system". ``hints`` is the source of the scheme (Qt's style hints
    unless a test gives a stand-in)."""

    themeChanged = Signal(str)  # noqa: N815 - Qt signal naming

    def __init__(self, app: QApplication, hints: Any = None, choice: Theme | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._hints = hints if hints is not None else QGuiApplication.styleHints()
        self._choice: Theme = choice if choice is not None else stored_theme()
        self._hints.colorSchemeChanged.connect(self._on_scheme_changed)
        self._apply()

    @property
    def choice(self) -> Theme:
        return self._choice

    def set_choice(self, choice: Theme, *, remember: bool = True) -> None:
        if choice not in THEMES:
            raise ValueError(f"unknown theme {choice!r}: expected one of {', '.join(THEMES)}")
        self._choice = choice
        if remember:
            settings.put("view/theme", choice)
        self._apply()
        self.themeChanged.emit(choice)

    def _apply(self) -> None:
        # Native dialogs and the title bar follow Qt's scheme hint (Qt 6.8+); Unknown hands it
        # back to the system. The offscreen platform ignores it.
        setter = getattr(self._hints, "setColorScheme", None)
        if callable(setter):
            scheme = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(self._choice, Qt.ColorScheme.Unknown)
            setter(scheme)
        dark = self._choice == "dark" or (self._choice == "system" and self._hints.colorScheme() == Qt.ColorScheme.Dark)
        self._app.setPalette(dark_palette() if dark else light_palette(self._app))
        log.debug("theme %s: %s palette", self._choice, "dark" if dark else "light")

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self._apply()


def theme_manager(app: QApplication | None = None) -> ThemeManager:
    """The application's theme manager, made (with the remembered choice) on first use."""
    app = app or cast(QApplication, QApplication.instance())
    manager = app.property(APP_PROPERTY)
    if isinstance(manager, ThemeManager):
        return manager
    manager = ThemeManager(app)
    app.setProperty(APP_PROPERTY, manager)
    return manager


class ThemeMenu(QObject):
    """View ▸ Theme: three checkable actions in an exclusive group, bound to the theme manager."""

    def __init__(self, window: QMainWindow, manager: ThemeManager | None = None) -> None:
        super().__init__(window)
        self.manager = manager or theme_manager()
        self.menu = QMenu("&Theme", window)
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[Theme, QAction] = {}
        for theme in THEMES:
            action = QAction(_LABELS[theme], window)
            action.setCheckable(True)
            action.setData(theme)
            action.setStatusTip(f"Use the {theme} colours" if theme != "system" else "Light or dark as the system is")
            self.group.addAction(action)
            self.menu.addAction(action)
            self.actions[theme] = action
        self.actions[self.manager.choice].setChecked(True)
        self.group.triggered.connect(self._on_triggered)
        self.manager.themeChanged.connect(self._on_theme_changed)
        view = menu_named(window, "View")
        if view is not None:
            view.addSeparator()
            view.addMenu(self.menu)
        else:
            window.menuBar().addMenu(self.menu)

    @Slot(QAction)
    def _on_triggered(self, action: QAction) -> None:
        self.manager.set_choice(cast(Theme, action.data()))

    @Slot(str)
    def _on_theme_changed(self, theme: str) -> None:
        action = self.actions.get(cast(Theme, theme))
        if action is not None and not action.isChecked():
            action.setChecked(True)
