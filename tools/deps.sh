#!/usr/bin/env bash
# Makes sure the Debian packages a make target needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line and fails. Usage: tools/deps.sh build|run|test|debug|bench
#
# `tools/deps.sh fetch-busybox DIR` is the one download of the build: Debian's
# busybox-static package, fetched with `apt-get download` (nothing installed)
# into DIR, kept there as a cache, and unpacked (dpkg-deb -x) to
# DIR/busybox-static/; the initramfs takes DIR/busybox-static/bin/busybox
# (docs/busybox.md). The binary is never committed.
set -euo pipefail

fetch_busybox() {
  local dir="$1"
  mkdir -p "$dir"
  cd "$dir"
  local deb
  deb=$(ls busybox-static_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    # As root apt wants its _apt user to write here; the build directory is
    # ours, so download as root without that sandbox.
    local opts=()
    [ "$(id -u)" -eq 0 ] && opts=(-o APT::Sandbox::User=root)
    if ! apt-get download -qq "${opts[@]}" busybox-static >apt-download.log 2>&1; then
      if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        apt-get download -qq "${opts[@]}" busybox-static || { echo "deps: apt-get download busybox-static failed" >&2; exit 1; }
      else
        cat apt-download.log >&2
        echo "deps: apt-get download busybox-static failed; as root, 'apt-get update' first" >&2
        exit 1
      fi
    fi
    deb=$(ls busybox-static_*.deb | head -n 1)
  fi
  rm -rf busybox-static.tmp
  dpkg-deb -x "$deb" busybox-static.tmp
  [ -x busybox-static.tmp/bin/busybox ] || { echo "deps: $deb has no bin/busybox" >&2; exit 1; }
  rm -rf busybox-static
  mv busybox-static.tmp busybox-static
}

if [ "${1:-}" = fetch-busybox ]; then
  [ $# -eq 2 ] || { echo "usage: deps.sh fetch-busybox DIR" >&2; exit 2; }
  fetch_busybox "$2"
  exit 0
fi

# gcc + libc6-dev (glibc's libc.a) and musl-tools build the static user programs (tests/user, bench/user);
# libc6-dev also links the dynamic ones and pulls in libc6, whose ld.so and libc.so.6 the initramfs carries.
build_pkgs="clang lld cmake ninja-build make python3 console-setup-linux mtools gdisk gcc libc6-dev musl-tools"
run_pkgs="qemu-system-x86 qemu-system-gui ovmf"
test_pkgs="googletest libgtest-dev libclang-rt-14-dev zlib1g-dev gdb acpica-tools cpio linux-libc-dev"
debug_pkgs="gdb"
# busybox-static and cpio make the initramfs that boots Debian's Linux beside ours (tools/linux_reference.py).
bench_pkgs="libbenchmark-dev libmimalloc-dev busybox-static cpio"
# make test boots the same initramfs (the user programs inside Linux 6.1).
linux_ref_pkgs="busybox-static cpio"

want="$build_pkgs"
for goal in "$@"; do
  case "$goal" in
    build) ;;
    run) want="$want $run_pkgs" ;;
    test) want="$want $run_pkgs $test_pkgs $linux_ref_pkgs" ;;
    debug) want="$want $run_pkgs $debug_pkgs" ;;
    bench) want="$want $run_pkgs $bench_pkgs $test_pkgs" ;;
    *) echo "deps.sh: unknown goal '$goal'" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in $want; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists once if they are missing or a package is unknown.
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/deps-apt.log 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" || { echo "deps: apt-get install failed" >&2; exit 1; }
  fi
else
  echo "Missing Debian packages. Install them with:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
