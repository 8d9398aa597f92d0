#!/usr/bin/python3
"""Browses for tcp-chat listeners with python-zeroconf (Debian's python3-zeroconf), an
mDNS/DNS-SD implementation written elsewhere, over IPv4 and IPv6. Prints one line an
event, tab-separated, as it comes:

    ready
    add  NAME  PORT  ADDRESS,ADDRESS,...  v=VERSION  SERVER
    remove  NAME

usage: mdns_browse.py [SERVICE_TYPE]   (ends when stdin closes)"""
import sys

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

SERVICE = sys.argv[1] if len(sys.argv) > 1 else "_tcp-chat._tcp.local."


class Listener(ServiceListener):
    def add_service(self, zc, kind, name):
        info = zc.get_service_info(kind, name, 3000)
        if info is None:
            print(f"unresolved\t{name}", flush=True)
            return
        addresses = ",".join(sorted(info.parsed_scoped_addresses()))
        version = (info.properties or {}).get(b"v", b"").decode()
        print(f"add\t{name}\t{info.port}\t{addresses}\tv={version}\t{info.server}", flush=True)

    def update_service(self, zc, kind, name):
        self.add_service(zc, kind, name)

    def remove_service(self, zc, kind, name):
        print(f"remove\t{name}", flush=True)


zc = Zeroconf(ip_version=IPVersion.All)
ServiceBrowser(zc, SERVICE, Listener())
print("ready", flush=True)
sys.stdin.read()
zc.close()
