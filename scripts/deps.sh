#!/bin/sh
# Installs the Debian packages vmlab needs when they are missing (apt-get only).
need=""
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v ar >/dev/null 2>&1 || need="$need binutils"
# zstd-compressed traces (replay, convert, record, mrc): the library and its header
[ -f /usr/include/zstd.h ] || need="$need libzstd-dev"
# `deps.sh fuzz`: clang and its libFuzzer runtime (make fuzz)
if [ "$1" = fuzz ]; then
	command -v clang >/dev/null 2>&1 || need="$need clang"
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
		need="$need libclang-rt-dev"
fi
[ -z "$need" ] && exit 0
echo "deps: installing$need" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $need >/dev/null
