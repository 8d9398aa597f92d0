#!/usr/bin/env python3
"""The course's console chat server (TCP_ChatServer.py), written again here with the
behaviour its slides show, so that the tests need nothing outside the project.

It listens on HOST PORT (127.0.0.1 12345, as the course has them) for one peer at a time
and prints `Listening for Connection :  HOST`, then `Waiting : ` and, once a peer is in,
`Connection form  (ADDRESS, PORT)` (the course's spelling). Then, for ever: it prints one
recv(1024) as a Python bytes literal and answers b'OK' (no newline). Like the course's, it
does not notice a peer that left: it prints b'' and fails on its next answer.

usage: TCP_ChatServer.py [HOST [PORT]]"""
import socket
import sys

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 12345

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind((host, port))
listener.listen(1)
print("Listening for Connection : ", host)
peer = None

while True:
    if peer is None:
        print("Waiting : ")
        peer, address = listener.accept()
        print("Connection form ", address)
    else:
        print(peer.recv(1024))
        peer.send(b"OK")
