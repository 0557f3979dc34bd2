"""The mouse wheel changes a spin box or a combo box only when that field has the focus.

Scrolling a panel with the wheel used to change every field the pointer passed over (Max
messages went from 20 to 16 while scrolling the Team panel). The usual Qt recipe: such fields
take focus by click or Tab only (StrongFocus, not WheelFocus, so the wheel does not focus them
first), and an event filter passes a wheel event on to the scroll area around an unfocused one.

Fields created later (a provider combo in a table row, a condition combo of a graph edge) are
guarded when Qt polishes them: the filter hears ChildPolished on every container it watches.
"""

from __future__ import annotations

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

#: The fields whose value the wheel steps through.
GUARDED = (QAbstractSpinBox, QComboBox)
_MARK = "_td_wheel_guard"


class WheelGuard(QObject):
    """One filter for the panels of a window; :meth:`install` makes one and watches the panels."""

    @classmethod
    def install(cls, parent: QObject, *roots: QWidget) -> WheelGuard:
        """A guard owned by ``parent`` (the window) watching ``roots`` and all they hold."""
        guard = cls(parent)
        for root in roots:
            guard.watch(root)
        return guard

    def watch(self, widget: QWidget) -> None:
        """Guard ``widget`` and everything in it; containers are watched for fields added later."""
        if widget.property(_MARK):
            return
        widget.setProperty(_MARK, True)
        widget.installEventFilter(self)
        if isinstance(widget, GUARDED):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return  # its own parts (a spin box's line edit, a combo's popup) are not fields
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            self.watch(child)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(watched, GUARDED) and not watched.hasFocus():
                # Not this field's: ignored, so QApplication offers it to the parents (the
                # panel's scroll area scrolls), and the field never sees it.
                event.ignore()
                return True
            return False
        if kind == QEvent.Type.ChildPolished and not isinstance(watched, GUARDED):
            assert isinstance(event, QChildEvent)
            child = event.child()
            if isinstance(child, QWidget):
                self.watch(child)
        return False
