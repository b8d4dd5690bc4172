#!/bin/sh
# Packages for the aarch64 build and its tests under qemu-user: Debian's cross
# compiler, the arm64 builds of eaves' libraries (multiarch) and qemu-user.
# Used by `make test-aarch64` (and by `make test` in CI). Safe to run again.
set -eu
PKGS="gcc-aarch64-linux-gnu qemu-user libc6:arm64 libhwloc-dev:arm64 libcjson-dev:arm64 libpfm4-dev:arm64"
# `deps-cross.sh riscv64`: the riscv64 kernel tests (no multiarch libraries:
# Debian 12 has no riscv64 release; clang-16 for the RVV intrinsics)
[ "${1:-}" = riscv64 ] && PKGS="clang-16 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-user"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps-cross: need root or sudo for:$missing" >&2; exit 1; }
	SUDO=sudo
fi
echo "deps-cross: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if [ "${1:-}" != riscv64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -q >/dev/null 2>&1 || true
$SUDO apt-get install -y -q $missing >/dev/null || { echo "deps-cross: apt-get install failed for:$missing" >&2; exit 1; }
