#!/bin/sh
# Integrity under memory pressure, as scenarios: three processes write four times more data
# than RAM holds (with fork and copy-on-write in between), then read every byte back, under
# every policy (linux; the exact lru, fifo and clock with a resident limit), the swap in host
# memory and in a temporary file, with every invariant checker after every statement.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
gen() { # $1: extra machine keys
	cat <<V
machine ram=16M swap=128M $1
spawn a
a: x = mmap 20M rw-p
a: store x 0x61*20M
a: store x+10M "in the middle"
a: fork b
b: store x+4K 0x62*8M               # copy-on-write: b's own copies
a: y = mmap 16M rw-p
a: store y 0x79*16M
spawn c
c: z = mmap 12M rw-p
c: store z 0x7a*12M
b: fork d
d: store x 0x64*4K
expect vmstat.pswpout > 4096
a: load x 4 == "aaaa"
a: load x+4K 4 == "aaaa"
a: load x+10M 13 == "in the middle"
a: load x+20M-4 4 == "aaaa"
b: load x 4 == "aaaa"
b: load x+4K 4 == "bbbb"
b: load x+8M 4 == "bbbb"
b: load x+10M 13 == "in the middle"
d: load x 4 == "dddd"
d: load x+4K 4 == "bbbb"
c: load z 4 == "zzzz"
c: load z+12M-4 4 == "zzzz"
a: load y+16M-4 4 == "yyyy"
d: load x+12M 4 == "aaaa"
V
}
for extra in "" "policy=lru resident=2000" "policy=fifo resident=2000" "policy=clock resident=2000" "swap_backing=file"; do
	gen "$extra" > "$t/p.vms"
	if ! "$V" run --check --quiet "$t/p.vms"; then
		echo "pressure scenario failed with: $extra"
		exit 1
	fi
done
# the temporary swap file is gone: nothing left behind
[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'vmlab-swap-*' 2>/dev/null)" ]
