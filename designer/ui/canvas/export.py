"""The canvas as a picture for docs and slides: PNG (at twice the scale, sharp on slides) or SVG.

File ▸ Export diagram… and ``team-designer diagram TEAM.yaml OUT.svg|OUT.png`` both draw a
fresh scene of the design (the canvas's own items, so the picture is what the canvas shows)
without the selection or a run's highlight, on the current theme's background.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Callable, Literal

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgGenerator

from ...core.spec import TeamSpec
from ...core.teamfile import atomic_write
from ..theme import colors
from ..document.controller import DocumentController
from .scene import CanvasScene

log = logging.getLogger(__name__)

DiagramFormat = Literal["png", "svg"]
SUFFIXES: dict[str, DiagramFormat] = {".png": "png", ".svg": "svg"}
MARGIN = 24.0
#: Pixels per scene unit in a PNG: slides are shown on large, often high-density screens.
PNG_SCALE = 2.0


class DiagramError(Exception):
    """A diagram that cannot be made or written; the message is one line for the user."""


def format_for(path: str | os.PathLike[str]) -> DiagramFormat:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise DiagramError(f"{Path(path).name}: unknown picture format {suffix or '(no suffix)'!r}; "
                           "name the file .svg or .png")
    return SUFFIXES[suffix]


class DiagramScene:
    """A scene of one design, drawn by the canvas's items, with its controller kept alive."""

    def __init__(self, spec: TeamSpec, path: Path | None = None) -> None:
        self.controller = DocumentController()
        self.controller.set_design(spec, path)
        self.scene = CanvasScene(self.controller)

    def rect(self) -> QRectF:
        """Every item (nodes, arrows, labels) plus a margin, in scene coordinates."""
        return self.scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def _paint(self, painter: QPainter, size: QRectF, background: QColor) -> None:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(size, background)
        self.scene.render(painter, size, self.rect())

    def png(self, scale: float = PNG_SCALE) -> bytes:
        rect, dpi = self.rect(), _screen_dpi()
        image = QImage(math.ceil(rect.width() * scale), math.ceil(rect.height() * scale),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(scale)
        # Text was measured for the screen: draw it at the screen's resolution so it fits its boxes.
        image.setDotsPerMeterX(round(dpi / 0.0254))
        image.setDotsPerMeterY(round(dpi / 0.0254))
        painter = QPainter(image)
        try:
            self._paint(painter, QRectF(0, 0, rect.width(), rect.height()), colors(self.scene.palette()).canvas_background)
        finally:
            painter.end()
        return _encode(lambda buffer: QImageWriter(buffer, QByteArray(b"PNG")).write(image))

    def svg(self, title: str) -> bytes:
        rect = self.rect()
        generator = QSvgGenerator()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator.setOutputDevice(buffer)
        generator.setSize(QSize(math.ceil(rect.width()), math.ceil(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setResolution(round(_screen_dpi()))  # QSvgGenerator's 72 dpi would shrink the text
        generator.setTitle(title)
        generator.setDescription("Made with Team Designer")
        painter = QPainter(generator)
        try:
            self._paint(painter, QRectF(0, 0, rect.width(), rect.height()), colors(self.scene.palette()).canvas_background)
        finally:
            painter.end()
        return bytes(buffer.data().data())

    def write(self, path: str | os.PathLike[str], title: str) -> DiagramFormat:
        """Write the picture atomically; raises DiagramError (bad name, nothing to draw) or OSError."""
        fmt = format_for(path)
        if not self.controller.spec.agents:
            raise DiagramError("nothing to draw: the team has no agents yet")
        atomic_write(path, self.png() if fmt == "png" else self.svg(title))
        return fmt

    def close(self) -> None:
        self.scene.clear()
        self.scene.deleteLater()
        self.controller.deleteLater()


def _screen_dpi() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.logicalDotsPerInch() if screen is not None else 96.0


def _encode(save: Callable[[QBuffer], bool]) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not save(buffer):
        raise DiagramError("the picture could not be encoded")
    buffer.close()
    return bytes(data.data())


def export_diagram(spec: TeamSpec, path: str | os.PathLike[str], team_file: Path | None = None) -> DiagramFormat:
    diagram = DiagramScene(spec, team_file)
    try:
        return diagram.write(path, spec.name or "Team")
    finally:
        diagram.close()
