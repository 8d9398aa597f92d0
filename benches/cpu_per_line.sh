#!/usr/bin/env bash
# tcp-chat's CPU a line of a flood, all its threads: the binary (offscreen, listening)
# takes LINES lines of 32 bytes from one peer; its CPU time (from /proc) over the flood
# and the second after it, divided by LINES. Extra arguments go to tcp-chat
# (--transcript FILE, for instance). docs/performance.md, "Where a flood's time went".
#   benches/cpu_per_line.sh [BINARY] [LINES] [tcp-chat options]
set -euo pipefail
binary=${1:-target/release/tcp-chat}
lines=${2:-1000000}
shift $(( $# < 2 ? $# : 2 ))
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
config=$(mktemp -d)
XDG_CONFIG_HOME=$config QT_QUICK_BACKEND=software "$binary" -platform offscreen --listen \
  --no-discovery --port "$port" "$@" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$config"' EXIT
for _ in $(seq 100); do
  /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null && break
  sleep 0.1
done
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
/usr/bin/python3 - "$port" "$lines" <<'PY'
import socket, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
threading.Thread(target=lambda: [None for _ in iter(lambda: s.recv(65536), b"")], daemon=True).start()
s.sendall(b"".join(b"flood line %20d\n" % i for i in range(n)))
s.shutdown(socket.SHUT_WR)
PY
sleep 1
after=$(ticks)
hz=$(getconf CLK_TCK)
echo "$(( (after - before) * 1000000000 / hz / lines )) ns of CPU a line ($lines lines)"
