#!/bin/sh
# vmlab mrc: the CSV (every size, --points, --sizes, --max), a non-increasing curve ending at
# the compulsory misses, SHARDS sampling, the SVG (same bytes twice, removed on failure), and
# the parts that need the replacement policies: the LRU curve equals separate exact-LRU
# replays at several sizes, and sweeps of the other policies (tests/unit/test_mrc.c checks the
# curve against a textbook LRU).
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# writes over 400 pages, a hot set of 40
# (Weyl sequences: the same numbers in every awk)
awk 'BEGIN { for (i = 0; i < 20000; i++) { u = i * 0.6180339887; u -= int(u); h = i * 0.7548776662; h -= int(h);
	p = (h < 0.7) ? int(u * 40) : int(u * 400); printf "W %x\n", 268435456 + p * 4096 } }' > "$t/w.txt"
[ "$(sort -u "$t/w.txt" | wc -l)" -eq 400 ]
$V convert -o "$t/w.vmt" "$t/w.txt"
$V mrc "$t/w.vmt" > "$t/all.csv"
head -1 "$t/all.csv" | grep -qx "pages,misses,miss_ratio"
[ "$(wc -l < "$t/all.csv")" -eq 401 ]              # every size from 1 to the 400 pages
tail -1 "$t/all.csv" | grep -qx "400,400,0.020000" # all resident: compulsory misses only
awk -F, 'NR > 2 && ($2 > prev || $3 > prevr) { exit 1 } NR > 1 { prev = $2; prevr = $3 }' "$t/all.csv"
$V mrc "$t/w.txt" | cmp - "$t/all.csv"                    # any format: the same curve
$V mrc - < "$t/w.vmt" | cmp - "$t/all.csv"
$V mrc --points 4 "$t/w.vmt" | cut -d, -f1 | tr '\n' ' ' | grep -qx "pages 100 200 300 400 "
$V mrc --sizes 40,10,1000 "$t/w.vmt" > "$t/s.csv"
grep -q "^40," "$t/s.csv" && [ "$(sed -n 3p "$t/s.csv" | cut -d, -f1)" = 10 ]
grep -qx "1000,400,0.020000" "$t/s.csv"
[ "$(grep -c "^40,$(grep '^40,' "$t/all.csv" | cut -d, -f2)," "$t/s.csv")" -eq 1 ]
$V mrc --points 2 --max 100 "$t/w.vmt" | cut -d, -f1 | tr '\n' ' ' | grep -qx "pages 50 100 "
# SHARDS: sampling everything is the exact curve; 50% gives a curve over estimated sizes
$V mrc --sample 1 "$t/w.vmt" | cmp - "$t/all.csv"
$V mrc --sample 0.5 --points 10 "$t/w.vmt" > "$t/half.csv"
[ "$(wc -l < "$t/half.csv")" -eq 11 ]
# the SVG: the same bytes every time, a complete document
$V mrc --svg "$t/a.svg" "$t/w.vmt" > /dev/null
$V mrc --svg "$t/b.svg" "$t/w.vmt" > /dev/null
cmp "$t/a.svg" "$t/b.svg"
head -c 5 "$t/a.svg" | grep -q "<svg " && tail -1 "$t/a.svg" | grep -qx "</svg>"
grep -q "<polyline" "$t/a.svg"
# errors: a bad option value, a bad trace (and no SVG left behind)
for o in "--sample 0" "--sample 2" "--sample x" "--points 0" "--sizes 1,,2" "--sizes ,"; do
	set +e; $V mrc $o "$t/w.vmt" > /dev/null 2> "$t/e"; rc=$?; set -e
	[ $rc -eq 2 ] && [ "$(wc -l < "$t/e")" -eq 1 ]
done
printf 'W 0x10000000\nbad\n' > "$t/bad.txt"
set +e; $V mrc --svg "$t/bad.svg" "$t/bad.txt" > /dev/null 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "bad.txt:2: error:" "$t/e" && [ ! -e "$t/bad.svg" ]
set +e; $V mrc --sample 0.5 --policy fifo "$t/w.vmt" > /dev/null 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "sample is for the one-pass LRU curve only" "$t/e"

# ---- with the replacement policies
# mrc's LRU curve equals separate exact-LRU replays at several sizes
for n in 1 5 40 41 100 399 400 500; do
	want=$(grep "^$n," "$t/all.csv" | cut -d, -f2)
	[ -n "$want" ] || want=400
	got=$($V replay --resident $n --policy lru "$t/w.vmt" | sed -n 's/^pgfault //p')
	[ "$got" = "$want" ] || { echo "size $n: replay pgfault $got, mrc $want"; exit 1; }
done
# the sweep (one replay a size, on threads) gives the same numbers for LRU
$V mrc --sweep --sizes 1,5,40,41,100,399,400 "$t/w.vmt" > "$t/sweep.csv"
$V mrc --sizes 1,5,40,41,100,399,400 "$t/w.vmt" | cmp - "$t/sweep.csv"
# and for the other policies, each size equals its own replay, on 1 or 2 threads
for p in fifo clock opt; do
	$V mrc --policy $p --threads 2 --sizes 5,40,100 "$t/w.vmt" > "$t/$p.csv"
	$V mrc --policy $p --threads 1 --sizes 5,40,100 "$t/w.vmt" | cmp - "$t/$p.csv"
	for n in 5 40 100; do
		got=$($V replay --resident $n --policy $p "$t/w.vmt" | sed -n 's/^pgfault //p')
		grep -q "^$n,$got," "$t/$p.csv"
	done
done
