#!/usr/bin/env python3
"""The course's console chat client (TCP_ChatClient.py), written again here with the
behaviour its slides show, so that the tests need nothing outside the project.

It connects to HOST PORT (127.0.0.1 12345, as the course has them) and prints
`Connect to  HOST`. Then, for ever: it asks `Message to Server : `, sends what was typed
as UTF-8 with no newline, and prints one recv(1024) of what comes back as a Python bytes
literal (b'Server OK\\n'). It ends, as the course's does, with a traceback when its input
ends.

usage: TCP_ChatClient.py [HOST [PORT]]"""
import socket
import sys

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 12345

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((host, port))
print("Connect to ", host)

while True:
    typed = input("Message to Server : ")
    sock.send(typed.encode("utf-8"))
    print(sock.recv(1024))
