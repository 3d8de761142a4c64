#!/bin/sh
# vmlab replay (first part): text and lackey traces, implicit mappings, --strict, --json,
# malformed traces (TRACE:LINE: error: ..., exit 2), a lackey trace recorded at test time.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# 1000 writes to 1000 distinct pages: 1000 first-touch faults; then 1000 reads: no fault
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "W 0x%x\n", 268435456 + i * 4096;
             for (i = 0; i < 1000; i++) printf "R %x\n", 268435456 + i * 4096 + 8 }' > "$t/w.txt"
$V replay "$t/w.txt" > "$t/o"
grep -qx "accesses 2000" "$t/o"
grep -qx "pgfault 1000" "$t/o"
grep -qx "implicit_mappings 2" "$t/o"   # two 2 MiB regions
# two processes by PID, each its own address space
printf '1 W 0x1000\n2 W 0x1000\n1 R 0x1000\n' | sed 's/0x1000/0x20000000/' > "$t/p.txt"
$V replay --json "$t/p.txt" | grep -q '"processes": 2'
$V replay --json "$t/p.txt" | grep -q '"pgfault": 2,'
# --strict: nothing is mapped, every access is a SIGSEGV
$V replay --strict "$t/w.txt" | grep -qx "sigsegv 2000"
# malformed traces
printf 'R 0x1000\nX 0x2000\n' > "$t/bad1.txt"
set +e
$V replay "$t/bad1.txt" 2>"$t/e"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "bad1.txt:2: error: expected '\[PID \]R|W ADDR'" "$t/e"
printf 'W 0x12345678901234567\n' > "$t/bad2.txt"
set +e; $V replay "$t/bad2.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "bad2.txt:1: error: bad address" "$t/e"
printf 'W 0xffff888000000000\n' > "$t/bad3.txt"
set +e; $V replay "$t/bad3.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "outside user space" "$t/e"
printf ' L 0x1000,8\n Q 0x1000,8\n' > "$t/bad4.txt"
set +e; $V replay "$t/bad4.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "bad4.txt:2: error:" "$t/e"
set +e; $V replay "$t/missing.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "missing.txt: No such file or directory" "$t/e"
set +e; $V replay --resident 100 "$t/w.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "not supported in this version" "$t/e"
# a lackey trace of a real program, recorded now (an access across a page boundary counts
# both pages)
printf ' S 0x30000ffc,8\n' > "$t/span.txt"
$V replay "$t/span.txt" | grep -qx "pgfault 2"
if command -v valgrind >/dev/null 2>&1; then
	valgrind --tool=lackey --trace-mem=yes --log-file="$t/lackey.txt" /bin/true
	$V replay "$t/lackey.txt" > "$t/o"
	n=$(sed -n 's/^accesses //p' "$t/o")
	[ "$n" -gt 10000 ]
	grep -qx "sigsegv 0" "$t/o"
fi
