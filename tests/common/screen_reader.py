#!/usr/bin/python3
"""Reads a tcp-chat window the way a screen reader does, over AT-SPI: prints the names
of the lines of the list called "Chat log" in the window of process PID (the lines the
view holds), one a line, or nothing when that window is not (yet) on the bus. A log
line never holds a newline: the window shows control characters as escapes.

usage: screen_reader.py PID"""
import sys

import pyatspi


def find_log(node):
    try:
        if node.getRoleName() == "list" and node.name == "Chat log":
            return node
        children = [node.getChildAtIndex(i) for i in range(node.childCount)]
    except Exception:
        return None
    for child in children:
        if child is not None:
            found = find_log(child)
            if found is not None:
                return found
    return None


def main():
    pid = int(sys.argv[1])
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        try:
            if app is None or app.get_process_id() != pid:
                continue
        except Exception:
            continue
        log = find_log(app)
        if log is None:
            continue
        lines = []
        for j in range(log.childCount):
            line = log.getChildAtIndex(j)
            if line is not None and line.getRoleName() != "scroll bar":
                lines.append(line.name)
        for line in lines:
            print(line)
        return


main()
