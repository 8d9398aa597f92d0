#!/usr/bin/python3
"""Reads a tcp-chat window the way a screen reader does, over AT-SPI: prints the names
of the lines of the list called "Chat log" (in Korean "채팅 기록") in the window of
process PID (the lines the view holds), one a line, or nothing when that window is not
(yet) on the bus. A log line never holds a newline: the window shows control characters as escapes.

With --has NAME instead, prints NAME if something in that window is called NAME (a
dialog's title, a button) and nothing otherwise.

usage: screen_reader.py PID [--has NAME]"""
import sys

import pyatspi


def find_log(node):
    try:
        if node.getRoleName() == "list" and node.name in ("Chat log", "채팅 기록"):
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


def has(node, name):
    try:
        if node.name == name:
            return True
        children = [node.getChildAtIndex(i) for i in range(node.childCount)]
    except Exception:
        return False
    return any(child is not None and has(child, name) for child in children)


def main():
    pid = int(sys.argv[1])
    wanted = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--has" else None
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        try:
            if app is None or app.get_process_id() != pid:
                continue
        except Exception:
            continue
        if wanted is not None:
            if has(app, wanted):
                print(wanted)
            return
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
