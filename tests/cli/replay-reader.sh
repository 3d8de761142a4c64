#!/bin/sh
# vmlab replay decodes on a thread of its own (sim/trace_ring.c): the same bytes out as
# decoding inline (VMLAB_REPLAY_READER=inline, docs/replay.md) for text, lackey, vmt, zstd,
# standard input and a pipe, several PIDs, the exact policies and --strict; the same one-line
# error and exit 2 for a malformed record after many good ones and for a failing simulation;
# and a failing simulation does not wait for a pipe whose writer has gone quiet.
V=$(realpath "$1"); set -e
t=$(mktemp -d); bg=
trap '[ -z "$bg" ] || kill $bg 2>/dev/null; rm -rf "$t"' EXIT
fails=0
# same NAME ARGS...: replay ARGS inline and threaded (and as chosen by default): the same
# stdout, stderr and exit status
same() {
	name=$1; shift
	for how in inline thread default; do
		rc=0
		if [ $how = default ]; then
			"$V" replay "$@" > "$t/out.$how" 2> "$t/err.$how" || rc=$?
		else
			VMLAB_REPLAY_READER=$how "$V" replay "$@" > "$t/out.$how" 2> "$t/err.$how" || rc=$?
		fi
		echo $rc > "$t/rc.$how"
	done
	for how in thread default; do
		if ! cmp -s "$t/out.inline" "$t/out.$how" || ! cmp -s "$t/err.inline" "$t/err.$how" ||
		   ! cmp -s "$t/rc.inline" "$t/rc.$how"; then
			echo "$name: $how differs from inline:"; cat "$t/out.$how" "$t/err.$how" "$t/rc.$how"
			fails=$((fails+1))
		fi
	done
}
# same as same(), the trace on standard input (a file, then a pipe)
same_stdin() {
	name=$1; f=$2; shift 2
	VMLAB_REPLAY_READER=inline "$V" replay "$@" - < "$f" > "$t/in.inline" 2>&1 || true
	VMLAB_REPLAY_READER=thread "$V" replay "$@" - < "$f" > "$t/in.thread" 2>&1 || true
	cat "$f" | VMLAB_REPLAY_READER=thread "$V" replay "$@" - > "$t/in.pipe" 2>&1 || true
	if ! cmp -s "$t/in.inline" "$t/in.thread" || ! cmp -s "$t/in.inline" "$t/in.pipe"; then
		echo "$name (stdin): differs"; cat "$t/in.inline" "$t/in.thread" "$t/in.pipe"
		fails=$((fails+1))
	fi
}

# 60k text lines: three PIDs in runs, hot and cold pages, SIGSEGVs below mmap_min_addr, a
# few accesses in the last page below TASK_SIZE_MAX
awk 'BEGIN { srand(7); pid = 1;
	for (i = 0; i < 60000; i++) {
		if (i % 5000 == 0) pid = 1 + int(rand() * 3);
		r = rand();
		if (r < 0.005) a = int(rand() * 65536);
		else if (r < 0.006) a = 140737488351232 - 1 - int(rand() * 4096);
		else if (r < 0.7) a = 268435456 + int(rand() * 200) * 4096 + int(rand() * 4096);
		else a = 268435456 + int(rand() * 8000) * 4096;
		printf "%d %s %x\n", pid, (rand() < 0.3) ? "W" : "R", a } }' > "$t/a.txt"
# 40k lackey lines: sizes, accesses across pages, M, fetches
awk 'BEGIN { srand(9); split("L S M", op, " ");
	for (i = 0; i < 40000; i++) {
		a = 268435456 + int(rand() * 3000) * 64;
		if (rand() < 0.3) printf "I  %x,%d\n", a, 1 + int(rand() * 8);
		else printf " %s %x,%d\n", op[1 + int(rand() * 3)], a, 1 + int(rand() * 100) } }' > "$t/a.lk"
"$V" convert -o "$t/a.vmt" "$t/a.txt"
"$V" convert -o "$t/a.vmt.zst" "$t/a.txt"
"$V" convert --to text -o "$t/a.txt.zst" "$t/a.txt"
"$V" convert --to lackey -o "$t/lk.vmt" "$t/a.lk" 2>/dev/null || "$V" convert -o "$t/lk.vmt" "$t/a.lk"

for f in a.txt a.lk a.vmt a.vmt.zst a.txt.zst lk.vmt; do
	same "$f" --json "$t/$f"
	same "$f small" --json --ram 16M "$t/$f"                       # reclaim, the OOM killer
	same "$f lru" --json --resident 500 --policy lru "$t/$f"
	same "$f strict" --strict "$t/$f"
done
same "a.vmt opt" --json --resident 300 --policy opt "$t/a.vmt"
same "a.txt fifo" --json --resident 300 --policy fifo --tlb 16 "$t/a.txt"
same_stdin a.txt "$t/a.txt" --json
same_stdin a.vmt.zst "$t/a.vmt.zst" --json --resident 500 --policy clock
same_stdin a.lk "$t/a.lk" --json
grep -q '"processes": 3' "$t/out.inline" || grep -q '"processes": 3' "$t/in.inline" || true

# malformed after many good records: the same message, and only after they were replayed
# (the message is the inline one: the record's line)
awk 'BEGIN { for (i = 0; i < 15000; i++) printf "W %x\n", 268435456 + (i % 700) * 4096;
             print "R 0x1000 junk" }' > "$t/late.txt"
same late.txt "$t/late.txt"
grep -qx "$t/late.txt:15001: error: unexpected text after the address" "$t/err.thread"
[ "$(cat "$t/rc.thread")" = 2 ] && [ ! -s "$t/out.thread" ]
same_stdin late.txt "$t/late.txt"
grep -qx -- "-:15001: error: unexpected text after the address" "$t/in.pipe"
# vmt cut short inside a block, after 4096-record blocks
"$V" convert -o "$t/big.vmt" "$t/a.txt"
size=$(wc -c < "$t/big.vmt")
head -c $((size - 2000)) "$t/big.vmt" > "$t/cut.vmt"
same cut.vmt "$t/cut.vmt"
grep -q "cut.vmt:[0-9]*: error: byte [0-9]*: truncated block" "$t/err.thread"
# an address outside user space after 20k good ones: the simulation's check
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "W %x\n", 268435456 + (i % 50) * 4096;
             print "W ffff888000000000" }' > "$t/kern.txt"
same kern.txt "$t/kern.txt"
grep -qx "$t/kern.txt:20001: error: address outside user space (0xffff888000000000)" "$t/err.thread"
"$V" convert -o "$t/kern.vmt" "$t/kern.txt"
same kern.vmt "$t/kern.vmt"
grep -qx "$t/kern.vmt:20001: error: address outside user space (0xffff888000000000)" "$t/err.thread"
# a failing simulation: too many processes (PID 1 and 4095 more fill the table), after 12k good records
awk 'BEGIN { for (i = 0; i < 12000; i++) printf "W %x\n", 268435456 + (i % 50) * 4096;
             for (i = 1; i <= 4097; i++) printf "%d W 10000000\n", 1000 + i }' > "$t/pids.txt"
same pids.txt --ram 256M "$t/pids.txt"
grep -qx "$t/pids.txt:16096: error: too many processes" "$t/err.thread"
# ... and with the writer of its pipe still there but silent after a few more batches: the
# error comes at once, the reader thread waiting for more is stopped (the timeout turns a hang
# into a failure). (A batch is replayed once it is full, inline or not: the silence must come
# after the batch holding the error.)
awk 'BEGIN { for (i = 0; i < 3000; i++) print "W 10000000" }' >> "$t/pids.txt"
mkfifo "$t/fifo"
( cat "$t/pids.txt"; exec sleep 60 ) > "$t/fifo" &
bg=$!
rc=0
VMLAB_REPLAY_READER=thread timeout 20 "$V" replay --ram 256M "$t/fifo" > /dev/null 2> "$t/e" || rc=$?
[ $rc -eq 2 ] || { echo "fifo: exit $rc, want 2 (124: it hung)"; fails=$((fails+1)); }
grep -qx "$t/fifo:16096: error: too many processes" "$t/e"
( cat "$t/pids.txt"; exec sleep 60 ) > "$t/fifo" &
kill $bg 2>/dev/null || true; bg=$!
rc=0
VMLAB_REPLAY_READER=thread timeout 20 "$V" replay --ram 256M - < "$t/fifo" > /dev/null 2> "$t/e" || rc=$?
[ $rc -eq 2 ] || { echo "stdin fifo: exit $rc, want 2 (124: it hung)"; fails=$((fails+1)); }
grep -qx -- "-:16096: error: too many processes" "$t/e"
kill $bg 2>/dev/null || true; bg=
# the same in the second batch, with three batches in all before the silence: the reader must
# hand each batch of a pipe over at once, not wait for more to come
awk 'BEGIN { for (i = 0; i < 1500; i++) printf "W %x\n", 268435456 + i * 4096;
             print "W ffff888000000000";
             for (i = 0; i < 1600; i++) printf "W %x\n", 268435456 + i * 4096 }' > "$t/early.txt"
( cat "$t/early.txt"; exec sleep 60 ) > "$t/fifo" &
bg=$!
rc=0
VMLAB_REPLAY_READER=thread timeout 20 "$V" replay - < "$t/fifo" > /dev/null 2> "$t/e" || rc=$?
[ $rc -eq 2 ] || { echo "early error behind a fifo: exit $rc, want 2 (124: it hung)"; fails=$((fails+1)); }
grep -qx -- "-:1501: error: address outside user space (0xffff888000000000)" "$t/e"
kill $bg 2>/dev/null || true; bg=

[ $fails -eq 0 ]
