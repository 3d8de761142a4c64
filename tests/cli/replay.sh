#!/bin/sh
# vmlab replay: text and lackey traces, implicit mappings, several processes, --strict, --json,
# standard input, the access rules of lackey records (spans, M), --resident/--policy/--swap
# (swap by itself, pswpout and pswpin counted, an area too small, bad values), no progress lines off
# a terminal, a lackey trace recorded at test time. Malformed traces: trace-errors.sh.
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
# --resident, --policy and --swap go to the machine (tests/unit/test_replay_exact.c checks the
# exact policies against textbook ones). Without --swap a resident limit gets a RAM disk: every
# eviction of a written page is a pswpout, each return a major fault and a pswpin.
$V replay --resident 100 --policy lru "$t/w.txt" > "$t/o"
grep -qx "pgfault 2000" "$t/o" && grep -qx "pswpout 1000" "$t/o" && grep -qx "pswpin 1000" "$t/o"
grep -qx "pgmajfault 1000" "$t/o" && grep -qx "oom_kill 0" "$t/o"
for p in fifo clock linux; do
	$V replay --resident 100 --policy $p "$t/w.txt" | grep -qx "pgfault 2000"
done
# Belady keeps pages 0-98 and 999 for the second pass (the rest have no next use by then)
$V replay --resident 100 --policy opt "$t/w.txt" | grep -qx "pgfault 1900"
$V replay --resident 1000 --policy lru --swap 64M "$t/w.txt" > "$t/o"
grep -qx "pgfault 1000" "$t/o" && grep -qx "pswpout 0" "$t/o"
# the swap area too small: the OOM killer, counted (and the process comes back for the rest)
$V replay --resident 100 --policy lru --swap 256K "$t/w.txt" > "$t/o"
! grep -qx "oom_kill 0" "$t/o"
set +e; $V replay --policy nosuch "$t/w.txt" > "$t/o" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && [ ! -s "$t/o" ] && grep -q "^vmlab: --policy nosuch: unknown policy (linux|" "$t/e"
set +e; $V replay --swap 5000 "$t/w.txt" > "$t/o" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "the machine rejects --swap 5000 (a bad value)" "$t/e"
set +e; $V replay --resident 0 "$t/w.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "needs a number of pages" "$t/e"
set +e; $V replay --policy "$t/w.txt" 2>"$t/e"; rc=$?; set -e
[ $rc -eq 2 ]
# standard input, and the same counters as from the file; nothing on stderr off a terminal
$V replay - < "$t/w.txt" > "$t/o2" 2> "$t/e"
$V replay --quiet "$t/w.txt" | cmp - "$t/o2"
[ ! -s "$t/e" ]
# lackey records: an access across a page boundary touches both pages; M loads, then stores,
# every page it spans; I is a fetch (implicit mappings are read-write-execute)
printf ' M 0x30000ffc,8\n' > "$t/m.txt"
$V replay "$t/m.txt" > "$t/o"
grep -qx "accesses 4" "$t/o"
grep -qx "pgfault 4" "$t/o"   # two read faults (zero page), two write faults
printf 'I  0x30000000,4\n S 0x30000000,8\n L 0x30000004,4\n' > "$t/i.txt"
$V replay "$t/i.txt" | grep -qx "accesses 3"
$V replay --json "$t/i.txt" | grep -q '^{"accesses": 3, "pgfault": 2, "pgmajfault": 0, .*"oom_kill": 0}$'
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
# progress: on a terminal, for runs longer than a second (script(1) gives the run a terminal;
# the trace arrives through a pipe with a pause in it); never with --quiet
if command -v script > /dev/null 2>&1; then
	feed="(cat '$t/w.txt'; sleep 1.2; cat '$t/w.txt')"
	script -qc "sh -c \"$feed | $V replay - > /dev/null\"" /dev/null > "$t/tty" 2>&1 || true
	grep -q "replay: 0.0M accesses, .* M/s" "$t/tty"
	script -qc "sh -c \"$feed | $V replay --quiet - > /dev/null\"" /dev/null > "$t/tty" 2>&1 || true
	! grep -q "accesses" "$t/tty"
else
	echo "skip: no script(1) to give the progress test a terminal"
fi
