#!/usr/bin/python3
"""Reads a tcp-chat window the way a screen reader does, over AT-SPI: prints the names
of the lines of the list called "Chat log" (in Korean "채팅 기록") in the window of
process PID (the lines the view holds), one a line, or nothing when that window is not
(yet) on the bus. A log line never holds a newline: the window shows control characters
as escapes.

With --list NAME, the same for the list called NAME ("Nearby chats").
With --has NAME instead, prints NAME if something in that window is called NAME (a
dialog's title, a button) and nothing otherwise.
With --text NAME, prints the text held by the first showing thing called NAME (a text
field), and nothing when there is none.
With --checked NAME, prints "true" or "false": whether the first showing thing called
NAME (a check box) is checked, and nothing when there is none.
With --where-field NAME, the same for the first showing text field with no name of its
own inside the showing thing called NAME (a dialog's file name field).
With --where NAME, prints the window-relative centre "X Y" of the first control (not a
label) called NAME that is showing, and nothing when there is none.

Exits with 3 when no window of process PID is on the accessibility bus (yet), so that
"nothing there" is never mistaken for "not on the bus"; with 4 when a node of the window
could not be read (it went away during the walk: read again); with any other failure,
Python's own non-zero status and traceback.

usage: screen_reader.py PID [--list NAME | --has NAME | --text NAME | --checked NAME |
                            --where NAME |
                            --where-field NAME]"""
import sys

import pyatspi

LOG_NAMES = ("Chat log", "채팅 기록")


class Changed(Exception):
    """A node of the window could not be read: it went away while the tree was walked
    (a list's rows come and go as it scrolls). The walk is not "found nothing": the
    reader exits with 4, and the caller reads again."""


def find(node, test):
    try:
        if test(node):
            return node
        children = [node.getChildAtIndex(i) for i in range(node.childCount)]
    except Exception as e:
        raise Changed(f"a node could not be read: {e}") from e
    for child in children:
        if child is not None:
            found = find(child, test)
            if found is not None:
                return found
    return None


def showing(node):
    return node.getState().contains(pyatspi.STATE_SHOWING)


def main():
    pid = int(sys.argv[1])
    option = sys.argv[2] if len(sys.argv) > 3 else None
    name = sys.argv[3] if option else None
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        try:
            if app is None or app.get_process_id() != pid:
                continue
        except Exception:
            continue
        if option == "--has":
            if find(app, lambda n: n.name == name) is not None:
                print(name)
            return
        if option == "--checked":
            node = find(app, lambda n: n.name == name and showing(n))
            if node is not None:
                checked = node.getState().contains(pyatspi.STATE_CHECKED)
                print("true" if checked else "false")
            return
        if option == "--text":
            node = find(app, lambda n: n.name == name and showing(n))
            if node is not None:
                print(node.queryText().getText(0, -1))
            return
        if option in ("--where", "--where-field"):
            # A control, not the label beside it that says the same word ("Port").
            node = find(
                app,
                lambda n: n.name == name and showing(n) and n.getRoleName() != "label",
            )
            if node is not None and option == "--where-field":
                node = find(
                    node,
                    lambda n: n.getRoleName() == "text" and not n.name and showing(n),
                )
            if node is not None:
                frame = find(app, lambda n: n.getRoleName() == "frame")
                fx, fy, _, _ = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
                x, y, w, h = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
                print(f"{x - fx + w // 2} {y - fy + h // 2}")
            return
        names = (name,) if option == "--list" else LOG_NAMES
        log = find(app, lambda n: n.getRoleName() == "list" and n.name in names)
        if log is None:
            continue
        lines = []
        try:
            for j in range(log.childCount):
                line = log.getChildAtIndex(j)
                if line is not None and line.getRoleName() != "scroll bar":
                    lines.append(line.name)
        except Exception as e:
            raise Changed(f"a line of the list could not be read: {e}") from e
        for line in lines:
            print(line)
        return
    if option == "--list":
        # The window is on the bus, and the list is not there (a hidden list): no entries.
        if any(app_of(desktop, pid)):
            return
    sys.exit(3)


def app_of(desktop, pid):
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        try:
            if app is not None and app.get_process_id() == pid:
                yield app
        except Exception:
            continue


try:
    main()
except Changed as e:
    print(f"screen_reader.py: {e}", file=sys.stderr)
    sys.exit(4)
