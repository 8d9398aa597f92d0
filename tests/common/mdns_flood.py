#!/usr/bin/env python3
"""A hostile LAN for tests and benchmarks: made-up tcp-chat services on multicast DNS,
and a TCP peer that times the listener's answers meanwhile.

  mdns_flood.py many COUNT ADDRESS SOURCE PER_SECOND
      COUNT announcements of services of their own (flood0 ... floodN-1), each
      with its PTR, SRV, TXT and A record, claiming the address ADDRESS, sent from
      SOURCE (this host's address), PER_SECOND a second.
  mdns_flood.py changing MILLISECONDS ADDRESS SOURCE
      one service, its port changing every millisecond, for MILLISECONDS.
  mdns_flood.py room FIRST_ADDRESS SOURCE NAME...
      a room of machines: each NAME announced as a service of its own on port
      5001, 5002, ..., with an address of its own counting up from FIRST_ADDRESS,
      three times a second apart (as a responder announces), then quiet.
  mdns_flood.py ping HOST PORT SECONDS
      connects to HOST PORT, sends a line every 20 ms and reads the auto-reply, for
      SECONDS; prints "replies N worst_ms W" (a reply that never came: worst_ms 5000).

Each prints one line when done. Written from RFC 1035 (the message format) and
RFC 6762 (the cache-flush bit, port 5353).
"""
import socket
import struct
import sys
import time

MDNS = ("224.0.0.251", 5353)


def name(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def record(owner, rtype, rclass, ttl, rdata):
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def announcement(n, port, address, label=None):
    label = label or f"flood{n}".encode()
    service = name([b"_tcp-chat", b"_tcp", b"local"])
    instance = name([label, b"_tcp-chat", b"_tcp", b"local"])
    host = name([label, b"local"])
    flush = 0x8001  # class IN with the cache-flush bit
    answers = [
        record(service, 12, 1, 4500, instance),  # PTR
        record(instance, 33, flush, 120, struct.pack("!HHH", 0, 0, port) + host),  # SRV
        record(instance, 16, flush, 4500, b"\x05v=bad"),  # TXT
        record(host, 1, flush, 120, socket.inet_aton(address)),  # A
    ]
    # A response (QR), authoritative (AA), no questions.
    return struct.pack("!HHHHHH", 0, 0x8400, 0, len(answers), 0, 0) + b"".join(answers)


def sender(source):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 5353))  # mDNS answers come from port 5353
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(source))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    return s


def ping(host, port, seconds):
    c = socket.create_connection((host, port), timeout=5)
    c.settimeout(5)
    worst, replies, buffered = 0.0, 0, b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sent = time.monotonic()
        c.sendall(b"ping\n")
        try:
            while b"\n" not in buffered:
                more = c.recv(4096)
                if not more:
                    raise OSError("closed")
                buffered += more
        except OSError:
            worst = 5.0
            break
        buffered = buffered.split(b"\n", 1)[1]
        worst = max(worst, time.monotonic() - sent)
        replies += 1
        time.sleep(0.02)
    print(f"replies {replies} worst_ms {worst * 1000:.1f}", flush=True)


def main():
    mode = sys.argv[1]
    if mode == "ping":
        ping(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return
    if mode == "room":
        first, s = socket.inet_aton(sys.argv[2]), sender(sys.argv[3])
        base = struct.unpack("!I", first)[0]
        names = sys.argv[4:]
        for round_ in range(3):
            for n, label in enumerate(names):
                address = socket.inet_ntoa(struct.pack("!I", base + n))
                s.sendto(announcement(n, 5001 + n, address, label.encode()), MDNS)
            if round_ < 2:
                time.sleep(1)
        print(f"announced {len(names)}", flush=True)
        return
    amount, address, source = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    s = sender(source)
    started = time.monotonic()
    sent = 0
    if mode == "many":
        pace = 1 / float(sys.argv[5])
        for n in range(amount):
            s.sendto(announcement(n, 1 + n % 60000, address), MDNS)
            sent += 1
            ahead = started + sent * pace - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    else:
        end = started + amount / 1000
        port = 1
        while time.monotonic() < end:
            s.sendto(announcement(0, port, address), MDNS)
            port = port % 60000 + 1
            sent += 1
            time.sleep(0.001)
    print(f"sent {sent} in {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
