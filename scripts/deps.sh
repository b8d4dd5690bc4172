#!/bin/sh
# Check the Debian packages eaves needs and install only the missing ones.
# Used by `make run`, `make test` and `make bench`; safe to run again.
# EAVES_DEPS_EXTRA adds packages (make bench adds likwid).
set -eu

PKGS="build-essential pkg-config libhwloc-dev libpfm4-dev libcjson-dev gnuplot-nox libvulkan-dev glslc mesa-vulkan-drivers ${EAVES_DEPS_EXTRA:-}"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: dpkg-query not found: this script installs Debian/Ubuntu packages;" \
	     "install by hand: $PKGS" >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: installing missing packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: not root and no sudo; install as root: apt-get install$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q $missing >/dev/null 2>&1; then
	# A fresh machine often has no package lists yet.
	$SUDO apt-get update -q >/dev/null 2>&1 || true
	if ! $SUDO apt-get install -y -q $missing; then
		echo "deps: apt-get install failed for:$missing" >&2
		exit 1
	fi
fi
