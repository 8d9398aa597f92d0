#!/usr/bin/env bash
# tcp-chat's two commands on a fresh Debian 12 / Raspberry Pi OS (bookworm) machine:
#   ./dev.sh run [OPTIONS]   install what is missing, build, open the window
#   ./dev.sh test            install what is missing, check formatting and lints, run every test
#   ./dev.sh bench [--quick] the performance table (README, "Performance")
#   ./dev.sh soak [MINUTES]  two chats paired for a long time (default 10 minutes)
set -euo pipefail
cd "$(dirname "$0")"

# What building and running the window needs (BUILD-NOTES.md in the team's notes).
# Save log's dialog needs Qt.labs.folderlistmodel: without it, opening the dialog crashes.
APP_PACKAGES=(
  g++ libgl-dev lld pkg-config
  qt6-base-dev qt6-declarative-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtqml-workerscript qml6-module-qtquick-dialogs
  qml6-module-qt-labs-folderlistmodel
  fonts-nanum
)
# What the tests add: an X server to look at, real peers, network namespaces, and a
# screen reader's view of the window (a D-Bus session, AT-SPI and its Python binding).
TEST_PACKAGES=(xvfb xauth xdotool imagemagick netcat-openbsd iproute2 procps
  dbus at-spi2-core python3-pyatspi)

say() { printf 'dev.sh: %s\n' "$*" >&2; }

install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ! command -v python3 >/dev/null; then missing+=(python3); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if ! command -v cargo >/dev/null; then
    # Debian's own rustc (1.63) is too old for cxx-qt 0.10: use rustup's stable toolchain.
    say "installing Rust with rustup"
    install_missing curl ca-certificates
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    . "$HOME/.cargo/env"
  fi
}

case "${1:-}" in
  run)
    shift
    install_missing "${APP_PACKAGES[@]}"
    ensure_rust
    cargo build --release
    exec "${CARGO_TARGET_DIR:-target}/release/tcp-chat" "$@"
    ;;
  test)
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings
    cargo test
    ;;
  bench)
    shift
    # The course's original dialog runs beside tcp-chat in rows 8a-8c.
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}" python3-pyqt5
    ensure_rust
    cargo build --release
    cargo bench --bench perf -- "$@"
    ;;
  soak)
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    cargo bench --bench soak -- --minutes "${2:-10}"
    ;;
  *)
    echo "usage: ./dev.sh run [tcp-chat options] | ./dev.sh test | ./dev.sh bench [--quick] | ./dev.sh soak [MINUTES]" >&2
    exit 2
    ;;
esac
