#!/usr/bin/env bash
# tcp-chat's CPU a line of a flood, all its threads: the binary (offscreen, listening)
# takes LINES lines of 32 bytes from one peer; its CPU time (from /proc) over the flood
# and the second after it, divided by LINES, then the share of each thread still running
# at the end (the Qt thread is the one named tcp-chat; a reader ends with its peer, so
# the readers' share is what is left). Extra arguments go to tcp-chat (--transcript FILE,
# for instance). With PERF_DATA=FILE, `perf record` samples the binary meanwhile (2,000
# a second, with call graphs) into FILE: `perf report -i FILE --no-children --sort
# comm,sym`. docs/performance.md, "Where a flood's time went".
#   [PERF_DATA=FILE] benches/cpu_per_line.sh [BINARY] [LINES] [tcp-chat options]
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
# Each running thread's name/tid and ticks, a line each.
# A thread that ends meanwhile is left out.
thread_ticks() {
  for task in /proc/"$pid"/task/*; do
    { name=$(tr ' ' _ < "$task/comm") && used=$(awk '{print $14 + $15}' "$task/stat"); } \
      2>/dev/null || continue
    echo "$name/${task##*/} $used"
  done | LC_ALL=C sort -k1,1
}
recorder=
if [ -n "${PERF_DATA:-}" ]; then
  perf record -q -F 2000 -g -p "$pid" -o "$PERF_DATA" 2>/dev/null &
  recorder=$!
  sleep 0.5
fi
before=$(ticks)
threads_before=$(thread_ticks)
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
threads_after=$(thread_ticks)
if [ -n "$recorder" ]; then
  # perf may have ended already (not installed, or not allowed: its words are hidden).
  kill -INT "$recorder" 2>/dev/null || echo "perf record did not run: no $PERF_DATA" >&2
  wait "$recorder" || true
fi
hz=$(getconf CLK_TCK)
per_line() { echo $(( $1 * 1000000000 / hz / lines )); }
echo "$(per_line $(( after - before ))) ns of CPU a line ($lines lines)"
rest=$(( after - before ))
while read -r name used; do
  [ "$used" -gt 0 ] || continue
  echo "  $name: $(per_line "$used") ns a line"
  rest=$(( rest - used ))
done < <(LC_ALL=C join <(echo "$threads_before") <(echo "$threads_after") | awk '{print $1, $3 - $2}')
echo "  threads ended meanwhile (the reader): $(per_line "$rest") ns a line"
