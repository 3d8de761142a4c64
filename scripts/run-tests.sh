#!/bin/sh
# Runs every test of vmlab against the build in $1 and ends with "N passed, N failed".
#  - unit tests: $1/tests/test_* print "ok - NAME" / "not ok - NAME" lines (tests/unit/test.h)
#  - scenarios: examples/*.vms and tests/scenarios/*.vms run with --check and must exit 0;
#    when FILE.vms.out exists, stdout must equal it byte for byte
#  - malformed scenarios: tests/bad/*.vms start with "# expect-error: LINE: TEXT"; the run
#    must exit 2 and print "FILE:LINE: error: ...TEXT..." on stderr
#  - shell tests: tests/cli/*.sh get the vmlab binary as $1 and must exit 0
# Parts a test skips (a unit test's "# skip: ..." line, a shell test's "skip: ..." line) are
# shown as SKIP lines, so that they stay visible.
BUILD=${1:-build}
VMLAB="$BUILD/vmlab"
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok()   { pass=$((pass+1)); }
bad()  { fail=$((fail+1)); echo "FAIL: $*"; }

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" > "$tmp/unit.out" 2>&1; rc=$?
	p=$(grep -c '^ok ' "$tmp/unit.out"); f=$(grep -c '^not ok ' "$tmp/unit.out")
	pass=$((pass+p)); fail=$((fail+f))
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then bad "$t exited $rc"; tail -5 "$tmp/unit.out"; fi
	[ "$f" -ne 0 ] && grep '^not ok\|^#' "$tmp/unit.out" | head -20
	sed -n "s|^# skip: |SKIP: $t: |p" "$tmp/unit.out"
done

for s in examples/*.vms tests/scenarios/*.vms; do
	[ -f "$s" ] || continue
	"$VMLAB" run --check "$s" > "$tmp/out" 2> "$tmp/err"; rc=$?
	if [ $rc -ne 0 ]; then bad "$s exited $rc"; head -5 "$tmp/err"; continue; fi
	if [ -f "$s.out" ] && ! cmp -s "$s.out" "$tmp/out"; then
		bad "$s: output differs from $s.out"; diff "$s.out" "$tmp/out" | head -10; continue
	fi
	ok
done

for s in tests/bad/*.vms; do
	[ -f "$s" ] || continue
	want=$(sed -n '1s/^# expect-error: *//p' "$s")
	line=${want%%:*}; text=${want#*: }
	"$VMLAB" run "$s" > "$tmp/out" 2> "$tmp/err"; rc=$?
	if [ $rc -ne 2 ]; then bad "$s: exit $rc, want 2"; head -3 "$tmp/err"; continue; fi
	if [ "$(wc -l < "$tmp/err")" -ne 1 ]; then bad "$s: want one line on stderr"; cat "$tmp/err"; continue; fi
	if ! grep -qF "$s:$line: error: " "$tmp/err" || ! grep -qF -- "$text" "$tmp/err"; then
		bad "$s: want '$s:$line: error: ...$text...'"; cat "$tmp/err"; continue
	fi
	ok
done

for c in tests/cli/*.sh; do
	[ -f "$c" ] || continue
	if sh "$c" "$VMLAB" > "$tmp/out" 2>&1; then ok; else bad "$c"; tail -5 "$tmp/out"; fi
	sed -n "s|^skip: |SKIP: $c: |p" "$tmp/out"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
