"""Toolbar icons that stay visible in the dark theme.

Qt's standard icons (Fusion's arrows, play and stop) are drawn in black, which vanishes on a
dark toolbar: darker than the disabled ones, a user saw. While the palette is dark, an icon
whose drawn pixels are mostly dark is recoloured in the palette's button text colour (its
shape kept); colourful icons (folder, disk) are left as they are. Light brings the originals back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QToolBar

_SIZES = (16, 22, 24, 32)
#: An icon whose opaque pixels are darker than this on average is "a black icon".
_DARK_ICON = 0.35
_ORIGINAL = "designer_original_icon"


def mean_lightness(image: QImage) -> float:
    """The average lightness (0..1) of the image's visible pixels; 1.0 when none are."""
    total, count = 0.0, 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.alpha() > 64:
                total += colour.lightnessF()
                count += 1
    return total / count if count else 1.0


def tinted(icon: QIcon, colour: QColor) -> QIcon:
    """The icon in ``colour`` if it is a dark one, else the icon itself."""
    sample = icon.pixmap(16, 16).toImage()  # judged once, small: this runs at start in the dark theme
    if sample.isNull() or mean_lightness(sample) >= _DARK_ICON:
        return icon
    out = QIcon()
    for size in _SIZES:
        image = icon.pixmap(size, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(image.rect(), colour)
        painter.end()
        out.addPixmap(QPixmap.fromImage(image))
    return out


class ToolbarIconTint(QObject):
    """Re-tints a toolbar's icons whenever its palette changes (a theme switch, the system's)."""

    def __init__(self, toolbar: QToolBar) -> None:
        super().__init__(toolbar)
        self._toolbar = toolbar
        toolbar.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        palette = self._toolbar.palette()
        dark = palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
        for action in self._toolbar.actions():
            original = action.property(_ORIGINAL)
            if not isinstance(original, QIcon):
                if action.icon().isNull():
                    continue
                original = action.icon()
                action.setProperty(_ORIGINAL, original)
            action.setIcon(tinted(original, palette.color(QPalette.ColorRole.ButtonText)) if dark else original)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._toolbar and event.type() == QEvent.Type.PaletteChange:
            self.apply()
        return False


__all__ = ["ToolbarIconTint", "mean_lightness", "tinted"]
