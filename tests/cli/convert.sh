#!/bin/sh
# vmlab convert: every format round-trips to the same replay counters (text with several
# processes, lackey with spans, M and fetches; each raw and .zst); lackey and vmt keep every
# field (byte-identical back); standard input and output; the output rules (only the -o file,
# removed when the conversion fails; never the input; binary not to a terminal).
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT

# a text trace of three processes (no lackey: lackey has one process)
awk 'BEGIN { s = 7; for (i = 0; i < 30000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
	p = 1 + s % 3; a = 268435456 + (s % 5000) * 4096 + s % 4096;
	printf "%s%s %x\n", (p == 1 ? "" : p " "), (s % 7 < 3 ? "R" : "W"), a } }' > "$t/p.txt"
# a lackey trace: fetches, loads, stores, modifies, some across page boundaries
awk 'BEGIN { print "==42== Lackey"; s = 3; for (i = 0; i < 30000; i++) { s = (s * 1103515245 + 12345) % 2147483648;
	a = 268435456 + (s % 3000) * 4096 + (s % 4096); k = s % 4; z = (s % 5 == 0) ? 16 : 8;
	if (k == 0) printf "I  %08x,%d\n", a, 3; else printf " %s %08x,%d\n", (k == 1 ? "L" : k == 2 ? "S" : "M"), a, z }
	print "==42== done" }' > "$t/l.txt"

for src in p l; do
	$V replay "$t/$src.txt" > "$t/$src.want"
	tos="text vmt"; [ $src = l ] && tos="text vmt lackey"
	for to in $tos; do
		for z in "" .zst; do
			out="$t/$src.$to$z"
			$V convert --to $to -o "$out" "$t/$src.txt"
			$V replay "$out" | cmp - "$t/$src.want"
			# and on again from there: to every other format
			for to2 in $tos; do
				$V convert --to $to2 "$out" | $V replay - | cmp - "$t/$src.want"
			done
		done
	done
done
# lossless: lackey -> vmt -> lackey is the input without valgrind's lines; text -> vmt ->
# text is the text as the writer spells it
grep -v '^==' "$t/l.txt" > "$t/l.plain"
$V convert --to lackey "$t/l.vmt.zst" | cmp - "$t/l.plain"
$V convert --to lackey "$t/l.lackey" | cmp - "$t/l.plain"
$V convert --to text "$t/p.vmt" | cmp - "$t/p.text"
# compressed output by name, or --zstd; found by its magic
$V convert --zstd "$t/p.txt" > "$t/p.any"
[ "$(od -An -tx1 -N4 "$t/p.any" | tr -d ' ')" = 28b52ffd ]
$V replay "$t/p.any" | cmp - "$t/p.want"
[ "$(od -An -c -N4 "$t/p.vmt" | tr -d ' ')" = '211VMT' ]
# standard input
$V convert --to vmt - < "$t/p.txt" | cmp - "$t/p.vmt"
# the output is the input: refused, the input untouched
cp "$t/p.txt" "$t/same.txt"
set +e; $V convert --to text -o "$t/same.txt" "$t/same.txt" 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "is the input" "$t/e" && cmp "$t/same.txt" "$t/p.txt"
# lackey has one process: a failed conversion, and the partial output is gone
set +e; $V convert --to lackey -o "$t/x.lackey" "$t/p.txt" 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && [ ! -e "$t/x.lackey" ]
grep -q "x.lackey: lackey traces have one process: a record of PID [23] cannot be written" "$t/e"
# bad options
set +e; $V convert --to bogus "$t/p.txt" 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q -- "--to needs text, lackey or vmt" "$t/e"
set +e; $V convert 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "convert needs a trace file" "$t/e"
set +e; $V convert -o 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q -- "-o needs a file name" "$t/e"
