#!/usr/bin/env bash
# Installs the Debian packages hilbench needs, only those missing.
# Idempotent and quick when nothing is missing (one dpkg-query), so `make run`
# and `make test` call it every time. Usage: scripts/install-deps.sh [--check]
#   --check  list what is missing and exit 1 if anything is, install nothing
set -euo pipefail

packages=(
	build-essential       # host compiler, make
	pkg-config
	clang                 # the fuzz targets' compiler
	libclang-rt-14-dev    # libFuzzer's runtime (clang only recommends it)
	clang-format          # make lint, part of make test
	gcc-arm-none-eabi     # firmware toolchain
	libnewlib-arm-none-eabi
	qemu-system-arm       # emulated boards
	openocd               # real boards
	libserialport-dev
	libusb-1.0-0-dev
	libcjson-dev
	libcriterion-dev
	zlib1g-dev            # gzip-compressed test vectors (IDX)
	dataset-fashion-mnist # the shipped suite's data, read at run time
	python3               # e2e helpers
	python3-numpy         # the ArmNN golden check (with /usr/bin/python3)
	python3-pyarmnn
	libarmnn-cpuref-backend22 # ArmNN's reference backend: without it ArmNN runs nothing
	chromium              # the HTML report's e2e test renders it headless
	fonts-dejavu-core     # the report's font; fontconfig only picks it among alternatives
)

missing=()
for package in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "missing packages: ${missing[*]}"
	exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# --no-install-recommends: libnewlib-arm-none-eabi recommends a 1.5 GB C++ library.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
