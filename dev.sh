#!/usr/bin/env bash
# tcp-chat's two commands on a fresh Debian 13 or 12 / Raspberry Pi OS (trixie or bookworm)
# machine:
#   ./dev.sh run [OPTIONS]   install what is missing, build, open the window
#   ./dev.sh test            install what is missing, check formatting and lints, run every test
#   ./dev.sh check           the quick check for everyday work: formatting, lints and every
#                            test that needs no root, no network namespace and no Pi root
#   ./dev.sh bench [--quick] the performance tables, full machine and small Pi
#                            (docs/performance.md)
#   ./dev.sh soak [MINUTES]  two chats paired for a long time (default 10 minutes)
#   ./dev.sh deb [amd64|arm64|armhf] [trixie|bookworm]  a Debian package (Raspberry Pi
#                            OS: arm64 or armhf) for that Debian release (trixie: 13,
#                            today's Pi OS, the default; bookworm: 12), cross-built on a PC
#                            against that release's Qt; prints the package's path
#   ./dev.sh pi [arm64|armhf] [trixie|bookworm]  that package in a fresh Debian root of
#                            that architecture and release under qemu, paired with this
#                            machine; the engine's tests too
#   ./dev.sh engine [amd64|arm64|armhf] [trixie|bookworm]  the engine's tests built for
#                            that architecture and release (under qemu on a PC)
#   ./dev.sh crossed [amd64|arm64|armhf]  each release's package in a fresh root of the
#                            other release: it works there, or apt refuses it whole
#   ./dev.sh fresh [trixie|bookworm]  `run --version` and `test` as on a new machine of
#                            that release: a fresh root holding only the project's files
set -euo pipefail
# Command substitutions ($(build_deb ...)) stop at a failure too.
shopt -s inherit_errexit
cd "$(dirname "$0")"

# What building and running the window needs (docs/architecture.md).
# Save log's dialog needs Qt.labs.folderlistmodel: without it, opening the dialog crashes.
APP_PACKAGES=(
  g++ libgl-dev lld pkg-config
  qt6-base-dev qt6-declarative-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtqml-workerscript qml6-module-qtquick-dialogs
  qml6-module-qt-labs-folderlistmodel
  qt6-wayland
  qt6-l10n-tools
  fonts-nanum
)
# What the tests add: an X server to look at, real peers, network namespaces, and a
# screen reader's view of the window (a D-Bus session, AT-SPI and its Python binding).
TEST_PACKAGES=(xvfb xauth xdotool x11-xserver-utils imagemagick netcat-openbsd iproute2 procps
  dbus at-spi2-core python3-pyatspi weston desktop-file-utils tmux
  avahi-daemon python3-zeroconf tcpdump)

say() { printf 'dev.sh: %s\n' "$*" >&2; }

# The Debian release this machine runs (Raspberry Pi OS names the same).
this_suite() { (. /etc/os-release && echo "${VERSION_CODENAME:-}"); }

# What a package for SUITE carries in its version, as Debian's own updates do (+deb13).
suite_tag() {
  case "$1" in
    trixie) echo deb13 ;;
    bookworm) echo deb12 ;;
    *) return 1 ;;
  esac
}

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
  # One architecture's index may fail to download (a mirror mid-sync, seen for armhf's
  # security index): apt then goes on with the indexes it has, and the install below
  # says whether that was enough.
  "${sudo[@]}" apt-get update -qq || say "apt-get update failed for some index; going on with the rest"
  # No service starts from an install (avahi-daemon would announce this machine on its
  # real network): the tests start what they need inside their own namespaces.
  local policy=/usr/sbin/policy-rc.d added=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added=1
  fi
  local status=0
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  [ -z "$added" ] || "${sudo[@]}" rm -f "$policy"
  return "$status"
}

# Whether version $1 is $2 or newer.
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

# A Rust as new as Cargo.toml's rust-version: Debian's own (1.63 on Debian 12, 1.85 on
# Debian 13) is older, so rustup's stable toolchain is installed in ~/.cargo when the
# cargo found is older (or there is none).
ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  local need have
  need=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)
  have=$(cargo --version 2>/dev/null | cut -d' ' -f2 || true)
  if [ -n "$have" ] && version_at_least "${have%%-*}" "$need"; then
    return 0
  fi
  say "tcp-chat needs Rust $need or newer (found: ${have:-none}): installing Rust's stable toolchain with rustup"
  if command -v rustup >/dev/null; then
    rustup toolchain install stable --profile minimal -c rustfmt,clippy
    rustup default stable
  else
    # rustup-init itself, checked against its published SHA-256 (the file the script at
    # sh.rustup.rs fetches, from the server that also serves the toolchains).
    install_missing curl ca-certificates
    local triple init url
    triple="$(uname -m)-unknown-linux-gnu"
    [ "$(dpkg --print-architecture)" != armhf ] || triple=armv7-unknown-linux-gnueabihf
    url="https://static.rust-lang.org/rustup/dist/$triple/rustup-init"
    init=$(mktemp -d)/rustup-init
    curl --proto '=https' --tlsv1.2 -sSf -o "$init" "$url"
    echo "$(curl --proto '=https' --tlsv1.2 -sSf "$url.sha256" | cut -d' ' -f1)  $init" | sha256sum -c --quiet
    chmod +x "$init"
    "$init" -y --profile minimal -c rustfmt,clippy
    rm -r "$(dirname "$init")"
  fi
  . "$HOME/.cargo/env"
}

# The Debian architecture, Rust target and GNU tool prefix of each package.
deb_target() {
  case "$1" in
    amd64) echo "x86_64-unknown-linux-gnu x86_64-linux-gnu" ;;
    arm64) echo "aarch64-unknown-linux-gnu aarch64-linux-gnu" ;;
    armhf) echo "armv7-unknown-linux-gnueabihf arm-linux-gnueabihf" ;;
    *) return 1 ;;
  esac
}

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)

# Installs what building for ARCH on this machine needs: for another architecture,
# Debian's cross compilers and that architecture's Qt (multiarch), and Rust for it
# (cross_rust).
# When that architecture's Qt can't be installed beside this machine's packages (its
# index on the mirror is broken, or this machine has newer security updates than the
# mirror has for it), Qt comes from a build root of that architecture instead
# (build_root): same compilers, same Qt release, nothing added to this machine's dpkg.
prepare_build() {
  local arch=$1 target prefix
  read -r target prefix < <(deb_target "$arch")
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    install_missing "${APP_PACKAGES[@]}" "gcc-$prefix" "g++-$prefix" dpkg-dev qemu-user-static binfmt-support
    if uses_build_root "$arch"; then
      build_root "$arch" >/dev/null # made before, when the multiarch Qt could not be had
    elif ! install_multiarch_qt "$arch"; then
      say "the $arch Qt can't be installed beside this machine's packages: building against an $arch root instead"
      build_root "$arch" >/dev/null
    fi
  else
    install_missing "${APP_PACKAGES[@]}" dpkg-dev
  fi
  ensure_rust
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    cross_rust "$arch" "$target"
  fi
}

# Rust for building for another architecture. rustup's target for it, where it has been
# added; else Debian's own Rust (rustc-web and cargo-web, with the standard library of
# ARCH), which both releases keep as new as their browsers need (1.96 in both), so that a
# machine that reaches Debian's mirror but not rustup's downloads builds for a Pi too.
cross_rust() {
  local arch=$1 target=$2 need p
  rustup target list --installed 2>/dev/null | grep -qx "$target" && return 0
  need=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)
  # rustc-web replaces Debian's rustc, cargo and rustup packages: none is removed here.
  for p in rustc cargo rustup; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      say "Debian's $p is installed, and rustc-web would replace it: adding rustup's $target instead"
      rustup target add "$target"
      return
    fi
  done
  if install_missing rustc-web cargo-web "libstd-rust-web-dev:$arch" &&
    version_at_least "$(debian_rust_version)" "$need"; then
    return 0
  fi
  say "Debian's Rust for $arch (rustc-web, libstd-rust-web-dev:$arch, $need or newer) can't be had here: adding rustup's $target"
  rustup target add "$target"
}

# The version of Debian's rustc (rustc-web), or nothing.
debian_rust_version() {
  [ -x /usr/bin/rustc ] && /usr/bin/rustc --version | cut -d' ' -f2
}

# The cargo (and rustc) that build for TARGET: rustup's when it has the target, else
# Debian's (cross_rust installed it); printed as a command, a word a line.
cross_cargo() {
  if rustup target list --installed 2>/dev/null | grep -qx "$1"; then
    echo cargo
  else
    printf '%s\n' env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc /usr/bin/cargo
  fi
}

# Debian's Qt for ARCH beside this machine's (multiarch); on failure, dpkg is left as it was.
install_multiarch_qt() {
  local arch=$1 added= qt=("qmake6:$1") p
  for p in qt6-base-dev qt6-declarative-dev libgl-dev; do qt+=("$p:$arch"); done
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    say "adding the $arch architecture to dpkg"
    "${SUDO[@]}" dpkg --add-architecture "$arch"
    added=yes
  fi
  if ! (install_missing "${qt[@]}"); then
    [ -z "$added" ] || "${SUDO[@]}" dpkg --remove-architecture "$arch"
    return 1
  fi
}

ROOTS=/var/tmp/tcp-chat-roots
# What a build root holds besides debootstrap's minbase: Qt's headers and libraries of
# its architecture, and dpkg-shlibdeps to work out the package's Depends there.
BUILD_ROOT_PACKAGES=(qt6-base-dev qt6-declarative-dev libgl-dev libstdc++-12-dev dpkg-dev)

# A Debian 12 root of ARCH with Qt's development files, used as the compilers' sysroot
# (made once a machine, under qemu); prints its path.
build_root() {
  local arch=$1 root="$ROOTS/build-$arch"
  if [ "$(cat "$root/.tcp-chat-build-root" 2>/dev/null)" != "${BUILD_ROOT_PACKAGES[*]}" ]; then
    local fresh
    fresh=$(fresh_root "$arch")
    say "installing Qt's development files in a $arch build root (once a machine)"
    "${SUDO[@]}" chroot "$fresh" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends ${BUILD_ROOT_PACKAGES[*]} >/dev/null && apt-get clean" >&2
    "${SUDO[@]}" rm -rf "$root"
    "${SUDO[@]}" mv "$fresh" "$root"
    echo "${BUILD_ROOT_PACKAGES[*]}" | "${SUDO[@]}" tee "$root/.tcp-chat-build-root" >/dev/null
  fi
  echo "$root"
}

# Whether ARCH's Qt comes from a build root (prepare_build made one) rather than multiarch.
uses_build_root() {
  ! dpkg-query -W -f='${Status}' "qt6-base-dev:$1" 2>/dev/null | grep -q "install ok installed" &&
    [ -f "$ROOTS/build-$1/.tcp-chat-build-root" ]
}

# Runs a cargo command for ARCH: on another architecture with the cross tools, Qt's
# cross qmake, and qemu to run what it builds (tests).
cargo_for() {
  local arch=$1 target prefix
  shift
  read -r target prefix < <(deb_target "$arch")
  if [ "$arch" = "$(dpkg --print-architecture)" ]; then
    cargo "$@"
    return
  fi
  # cxx-qt passes -fuse-ld=lld when lld is on PATH; a cross gcc then looks for
  # PREFIX-ld.lld.
  local tools
  tools="$(realpath -m "${CARGO_TARGET_DIR:-target}")/cross-tools/$arch"
  mkdir -p "$tools"
  ln -sf "$(command -v ld.lld)" "$tools/$prefix-ld.lld"
  local env_target=${target//-/_} qemu qmake="/usr/bin/$prefix-qmake6" sysroot=() runner cargo
  mapfile -t cargo < <(cross_cargo "$target")
  qemu=$(qemu_name "$arch")
  runner="qemu-$qemu-static"
  if uses_build_root "$arch"; then
    local root="$ROOTS/build-$arch"
    # Qt's paths in the build root, its build tools (moc, qmlcachegen: the same Qt
    # release) from this machine; qt-build-utils runs qmake with an empty environment.
    cat >"$tools/qt6.conf" <<CONF
[Paths]
Prefix=$root/usr
ArchData=lib/$prefix/qt6
Headers=include/$prefix/qt6
Libraries=lib/$prefix
Plugins=lib/$prefix/qt6/plugins
Qml2Imports=lib/$prefix/qt6/qml
Data=share/qt6
HostPrefix=/usr
HostBinaries=lib/qt6/bin
HostLibraryExecutables=lib/qt6/libexec
HostData=lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/qt6
HostLibraries=lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
CONF
    printf '#!/bin/sh\nexec /usr/lib/qt6/bin/qmake "$@" -qtconf %s\n' "$tools/qt6.conf" >"$tools/qmake6"
    # cargo-deb's Depends: dpkg-shlibdeps run in the build root, where the libraries'
    # packages are known.
    cat >"$tools/dpkg-shlibdeps" <<SHLIBDEPS
#!/bin/sh
set -e
for last; do :; done
${SUDO[*]} rm -rf "$root/tmp/shlibdeps"
${SUDO[*]} mkdir -p "$root/tmp/shlibdeps/debian"
${SUDO[*]} touch "$root/tmp/shlibdeps/debian/control"
${SUDO[*]} cp "\$last" "$root/tmp/shlibdeps/"
exec ${SUDO[*]} chroot "$root" sh -c "cd /tmp/shlibdeps && dpkg-shlibdeps -xlibgcc -O \$(basename "\$last")"
SHLIBDEPS
    chmod +x "$tools/qmake6" "$tools/dpkg-shlibdeps"
    qmake="$tools/qmake6"
    sysroot=("CFLAGS_$env_target=--sysroot=$root" "CXXFLAGS_$env_target=--sysroot=$root"
      "CARGO_TARGET_${env_target^^}_RUSTFLAGS=-C link-arg=--sysroot=$root")
    # What is built runs with the root's loader and libraries.
    runner="qemu-$qemu-static -L $root"
  fi
  env PATH="$tools:$PATH" \
    QMAKE="$qmake" "${sysroot[@]}" \
    "CARGO_TARGET_${env_target^^}_LINKER=$prefix-gcc" \
    "CARGO_TARGET_${env_target^^}_RUNNER=$runner" \
    "CC_$env_target=$prefix-gcc" "CXX_$env_target=$prefix-g++" "AR_$env_target=$prefix-ar" \
    PKG_CONFIG_ALLOW_CROSS=1 \
    "${cargo[@]}" "$@" --target "$target"
}

qemu_name() {
  case "$1" in arm64) echo aarch64 ;; armhf) echo arm ;; *) echo x86_64 ;; esac
}

# Builds the release binary for ARCH and SUITE (cross-building on another machine; in a
# root of SUITE when this machine runs another release), packs it, and prints the
# package's path. The version says the release: 0.1.0-1+deb13 is for Debian 13.
build_deb() {
  local arch=$1 suite=${2:-$(this_suite)} tag
  tag=$(suite_tag "$suite")
  if [ "$suite" != "$(this_suite)" ]; then
    in_suite_root "$suite" deb "$arch" "$suite"
    return
  fi
  prepare_build "$arch"
  command -v cargo-deb >/dev/null || cargo install --locked cargo-deb@3.8.0
  cargo_for "$arch" build --release
  cargo_for "$arch" deb --no-build --deb-revision "1+$tag" \
    --output "${CARGO_TARGET_DIR:-target}/debian" | tail -n 1
}

# Runs `./dev.sh ARGS...` in a root of SUITE of this machine's architecture, as on a
# machine of that release: its compilers, its Qt (and the multiarch Qt of the Pi's
# architectures, all of one release), its dpkg-shlibdeps for the Depends. The root is
# made once a machine; the project, Rust (rustup's toolchain, cargo's caches) and a
# target folder of that release's own are lent to it, in a mount namespace of its own
# that ends with the command. A path the command prints in its target folder is printed
# as this machine sees it.
in_suite_root() {
  local suite=$1 root="$ROOTS/$suite-build" target cargo_home rustup_home
  shift
  if [ ! -f "$root/.tcp-chat-suite-root" ]; then
    local fresh
    fresh=$(fresh_root "$(dpkg --print-architecture)" "$suite")
    "${SUDO[@]}" rm -rf "$root"
    "${SUDO[@]}" mv "$fresh" "$root"
    "${SUDO[@]}" touch "$root/.tcp-chat-suite-root"
  fi
  ensure_rust
  target="$(realpath -m "${CARGO_TARGET_DIR:-target}")/suite-$suite"
  cargo_home=$(realpath "${CARGO_HOME:-$HOME/.cargo}")
  rustup_home=$(realpath "${RUSTUP_HOME:-$HOME/.rustup}")
  mkdir -p "$target"
  "${SUDO[@]}" mkdir -p "$root/src" "$root/target" "$root/root/.cargo" "$root/root/.rustup"
  "${SUDO[@]}" cp /etc/resolv.conf "$root/etc/resolv.conf"
  # The certificate authorities this machine trusts (a network that inspects TLS trusts
  # its own), for cargo's downloads there: the root's own list has none of them.
  local ca=TCP_CHAT_HOST_CA=none
  if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    "${SUDO[@]}" cp /etc/ssl/certs/ca-certificates.crt "$root/etc/tcp-chat-host-ca.crt"
    ca=CARGO_HTTP_CAINFO=/etc/tcp-chat-host-ca.crt
  fi
  say "in a Debian $suite root: ./dev.sh $*"
  "${SUDO[@]}" unshare --mount --propagation private sh -ec '
    root=$1 src=$2 target=$3 cargo_home=$4 rustup_home=$5 ca=$6
    shift 6
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind "$src" "$root/src"
    mount --bind "$target" "$root/target"
    mount --bind "$cargo_home" "$root/root/.cargo"
    mount --bind "$rustup_home" "$root/root/.rustup"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
      PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      "$ca" CARGO_TARGET_DIR=/target bash -c "cd /src && exec ./dev.sh \"\$@\"" dev.sh "$@"
  ' in-suite-root "$root" "$PWD" "$target" "$cargo_home" "$rustup_home" "$ca" "$@" |
    sed -u "s#^/target/#$target/#"
}

# A fresh Debian root of ARCH and SUITE (this machine's release by default), nothing
# added (debootstrap's minbase, kept as a tarball in /var/tmp so that it is made once a
# machine), run through qemu; prints its path.
fresh_root() {
  local arch=$1 suite=${2:-$(this_suite)} qemu
  qemu=$(qemu_name "$arch")
  install_missing debootstrap qemu-user-static binfmt-support
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    "${SUDO[@]}" mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  [ "$arch" = "$(dpkg --print-architecture)" ] || "${SUDO[@]}" update-binfmts --enable "qemu-$qemu" >&2 || true
  local cache="$ROOTS/$suite-$arch.tar" root="$ROOTS/$suite-$arch"
  "${SUDO[@]}" mkdir -p "$ROOTS"
  if [ ! -f "$cache" ]; then
    say "making a Debian $suite $arch root with debootstrap (once a machine)"
    local made="$ROOTS/debootstrap-$suite-$arch"
    "${SUDO[@]}" rm -rf "$made"
    "${SUDO[@]}" debootstrap --arch="$arch" --variant=minbase "$suite" "$made" http://deb.debian.org/debian >&2
    "${SUDO[@]}" tar -C "$made" -cf "$cache.part" .
    "${SUDO[@]}" mv "$cache.part" "$cache"
    "${SUDO[@]}" rm -rf "$made"
  fi
  if mountpoint -q "$root/proc"; then "${SUDO[@]}" umount "$root/proc"; fi
  "${SUDO[@]}" rm -rf "$root"
  "${SUDO[@]}" mkdir -p "$root"
  "${SUDO[@]}" tar -C "$root" -xf "$cache"
  "${SUDO[@]}" cp /etc/resolv.conf "$root/etc/resolv.conf"
  echo "$root"
}

# The package for ARCH and SUITE installed in a fresh root of that architecture and
# release, and paired with this machine's tcp-chat (tests/emulated.rs).
emulated_test() {
  local arch=$1 suite=$2 deb root
  deb=$(build_deb "$arch" "$suite")
  root=$(fresh_root "$arch" "$suite")
  TCP_CHAT_EMULATED_DEB="$(realpath "$deb")" TCP_CHAT_EMULATED_ROOT="$root" \
    cargo test --features watch-rows --test emulated -- --nocapture
}

# Each release's package for ARCH in a fresh root of the other release, as a teacher who
# copied the wrong file would install it: it works there or apt refuses it whole
# (tests/emulated.rs says which, as docs/raspberry-pi.md does).
crossed_test() {
  local arch=$1 made other deb root
  for made in bookworm trixie; do
    other=trixie
    [ "$made" = bookworm ] || other=bookworm
    deb=$(build_deb "$arch" "$made")
    root=$(fresh_root "$arch" "$other")
    TCP_CHAT_CROSSED_DEB="$(realpath "$deb")" TCP_CHAT_CROSSED_ROOT="$root" \
      cargo test --features watch-rows --test emulated -- --ignored --exact --nocapture \
      a_package_on_the_other_debian_release_works_or_is_refused_whole
  done
}

# The engine's own tests built for ARCH against SUITE (in a root of SUITE when this
# machine runs another release), run under qemu on a PC.
engine_tests() {
  local arch=$1 suite=${2:-$(this_suite)}
  if [ "$suite" != "$(this_suite)" ]; then
    in_suite_root "$suite" engine "$arch" "$suite"
    return
  fi
  prepare_build "$arch"
  cargo_for "$arch" test --release --lib --test engine
}

# README's two commands as a new user runs them, on a fresh machine of SUITE: a fresh root
# of that release (debootstrap's minbase, this machine's architecture) holding the
# project's files and nothing else, where `./dev.sh run --version` and then `./dev.sh test`
# install what they need, download Rust and the crates, and build from nothing. Prints
# how long each took.
fresh_machine() {
  local suite=$1 root
  root=$(fresh_root "$(dpkg --print-architecture)" "$suite")
  "${SUDO[@]}" mkdir -p "$root/root/tcp-chat"
  # The project's files as they are in this work tree, without what git ignores.
  git ls-files -z | tar --null -T - -cf - | "${SUDO[@]}" tar -x -C "$root/root/tcp-chat"
  # This machine's network, as for its resolver (fresh_root): the certificate authorities
  # it trusts beyond Debian's own (a network that inspects TLS), for curl and cargo there.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    "${SUDO[@]}" mkdir -p "$root/usr/local/share/ca-certificates"
    "${SUDO[@]}" cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  fi
  say "in a fresh Debian $suite root ($root): ./dev.sh run --version, then ./dev.sh test"
  "${SUDO[@]}" unshare --mount --propagation private sh -ec '
    root=$1
    # The root is a mount of its own (`ip netns exec` remounts / as a slave), with the
    # machine'"'"'s /sys under it, cgroups included (tests limit a process'"'"'s threads).
    mount --bind "$root" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/tmp"
    mount -t tmpfs tmpfs "$root/run"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -ec "
        cd /root/tcp-chat
        start=\$(date +%s)
        ./dev.sh run --version
        built=\$(date +%s)
        ./dev.sh test
        done=\$(date +%s)
        echo \"dev.sh: on a fresh Debian $2: ./dev.sh run --version took \$((built - start)) s, ./dev.sh test \$((done - built)) s\""
  ' fresh-machine "$root" "$suite"
}

# The release of the Pi packages made and proven when none is named.
DEFAULT_SUITE=trixie

suite_arg() {
  suite_tag "$1" >/dev/null || { echo "dev.sh: no such release: $1 (trixie or bookworm)" >&2; exit 2; }
  echo "$1"
}

case "${1:-}" in
  deb)
    arch="${2:-$(dpkg --print-architecture)}"
    deb_target "$arch" >/dev/null || { echo "usage: ./dev.sh deb [amd64|arm64|armhf] [trixie|bookworm]" >&2; exit 2; }
    suite=$(suite_arg "${3:-$DEFAULT_SUITE}")
    build_deb "$arch" "$suite"
    ;;
  engine)
    arch="${2:-$(dpkg --print-architecture)}"
    deb_target "$arch" >/dev/null || { echo "usage: ./dev.sh engine [amd64|arm64|armhf] [trixie|bookworm]" >&2; exit 2; }
    suite=$(suite_arg "${3:-$(this_suite)}")
    engine_tests "$arch" "$suite"
    ;;
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
    # The tests read English, whatever this machine's language; those about Korean set
    # their own.
    export LANG=C.UTF-8
    unset LANGUAGE LC_ALL LC_MESSAGES
    cargo fmt --check
    cargo clippy --all-targets --features watch-rows -- -D warnings
    # The Raspberry Pi package for today's Raspberry Pi OS (Debian 13), for
    # tests/emulated.rs: installed in a fresh root of the Pi's architecture and release,
    # and paired with this machine's tcp-chat (under qemu on a PC; on a Pi, natively).
    # The bookworm proof is `./dev.sh pi arm64 bookworm`.
    pi_arch=arm64
    case "$(dpkg --print-architecture)" in arm64 | armhf) pi_arch=$(dpkg --print-architecture) ;; esac
    deb=$(build_deb "$pi_arch" "$DEFAULT_SUITE")
    root=$(fresh_root "$pi_arch" "$DEFAULT_SUITE")
    # --no-fail-fast: one failing test binary does not hide the others' failures.
    TCP_CHAT_EMULATED_DEB="$(realpath "$deb")" TCP_CHAT_EMULATED_ROOT="$root" cargo test --features watch-rows --no-fail-fast
    # The engine's own tests, built for the Pi against that release (and run under qemu
    # on a PC).
    engine_tests "$pi_arch" "$DEFAULT_SUITE"
    ;;
  check)
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    export LANG=C.UTF-8
    unset LANGUAGE LC_ALL LC_MESSAGES CI
    cargo fmt --check
    cargo clippy --all-targets --features watch-rows -- -D warnings
    # Left out: the Pi package in a fresh root (emulated), the two-host tests (lan,
    # discovery: network namespaces) and the long memory attacks (hostile, resources).
    # A test here that needs root for part of its work says so and skips that part.
    cargo test --features watch-rows --no-fail-fast --lib --bins --test docs --test engine --test backend \
      --test window --test translations --test interop --test pipes --test no_display \
      --test terminal --test desktop --test wayland
    ;;
  crossed)
    arch="${2:-arm64}"
    deb_target "$arch" >/dev/null || { echo "usage: ./dev.sh crossed [amd64|arm64|armhf]" >&2; exit 2; }
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    crossed_test "$arch"
    ;;
  fresh)
    fresh_machine "$(suite_arg "${2:-$DEFAULT_SUITE}")"
    ;;
  pi)
    # ./dev.sh pi armhf: what `test` does for arm64, for a Pi's 32-bit OS;
    # ./dev.sh pi arm64 bookworm: for last year's Raspberry Pi OS.
    arch="${2:-arm64}"
    deb_target "$arch" >/dev/null || { echo "usage: ./dev.sh pi [arm64|armhf] [trixie|bookworm]" >&2; exit 2; }
    suite=$(suite_arg "${3:-$DEFAULT_SUITE}")
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    emulated_test "$arch" "$suite"
    engine_tests "$arch" "$suite"
    ;;
  bench)
    shift
    # The course's original dialog runs beside tcp-chat in rows 8a-8c.
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}" python3-pyqt5
    ensure_rust
    cargo build --release
    # Both tables run; a missed target in either fails the command.
    status=0
    cargo bench --features watch-rows --bench perf -- "$@" || status=$?
    # The same binary rows on a small Pi, simulated (cgroup limits, root).
    cargo bench --features watch-rows --bench perf -- --small-pi "$@" || status=$?
    # Rows 12a-12b: discovery on two test hosts (network namespaces, root).
    cargo bench --features watch-rows --bench discovery || status=$?
    exit "$status"
    ;;
  soak)
    install_missing "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ensure_rust
    cargo bench --features watch-rows --bench soak -- --minutes "${2:-10}"
    ;;
  *)
    echo "usage: ./dev.sh run [tcp-chat options] | ./dev.sh test | ./dev.sh check | ./dev.sh bench [--quick] | ./dev.sh soak [MINUTES] | ./dev.sh deb [amd64|arm64|armhf] [trixie|bookworm] | ./dev.sh pi [arm64|armhf] [trixie|bookworm] | ./dev.sh engine [amd64|arm64|armhf] [trixie|bookworm] | ./dev.sh crossed [amd64|arm64|armhf] | ./dev.sh fresh [trixie|bookworm]" >&2
    exit 2
    ;;
esac
