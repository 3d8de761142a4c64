#!/bin/sh
# Resource exhaustion gives a defined, reported result and loses nothing already stored:
#  - RAM and swap full: the OOM killer (tests/scenarios/swap-full-oom.vms);
#  - the host disk under a file-backed swap area full: swap writes fail, the pages stay in
#    memory, and when nothing else can go the OOM killer picks the biggest process; the
#    others keep their bytes and the temporary swap file is gone afterwards;
#  - host address space short for the simulated RAM: a one-line error, exit 2.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'umount "$t/small" 2>/dev/null || true; rm -rf "$t"' EXIT
cat > "$t/full.vms" <<'V'
machine ram=16M swap=64M swap_backing=file
spawn keep
keep: k = mmap 1M rw-p
keep: store k 0x6b*1M
spawn p
p: a = mmap 40M rw-p
p: store a 0x61*40M
keep: load k 4 == "kkkk"
V
mkdir "$t/small"
if mount -t tmpfs -o size=1m tmpfs "$t/small" 2>/dev/null; then
	TMPDIR="$t/small" "$V" run --check --explain "$t/full.vms" > "$t/out"
	grep -q '^p: killed by SIGKILL (out of memory)$' "$t/out"
	grep -q 'Write-error on swap-device' "$t/out"
	[ -z "$(ls -A "$t/small")" ]
	umount "$t/small"
else
	echo "skip: cannot mount a small tmpfs here (the disk-full case needs it)"
fi
if grep -q __asan_init "$V"; then
	echo "skip: an ASan build cannot run under ulimit -v (its shadow memory needs terabytes)"
	exit 0
fi
printf 'machine ram=1G\nspawn p\n' > "$t/big.vms"
set +e
(ulimit -v 400000; "$V" run "$t/big.vms") 2> "$t/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'big.vms:1: error: machine: cannot create it: Cannot allocate memory' "$t/err"
