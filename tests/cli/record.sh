#!/bin/sh
# vmlab record: runs a real program under valgrind's lackey, streams its output through a pipe
# into a trace (vmt by default) that replays; the program's own output goes to stderr when the
# trace goes to stdout; a missing program or valgrind is a clear error and no file is written.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
set +e; $V record -o "$t/x.vmt" -- "$t/no-such-program" 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "record: $t/no-such-program: command not found" "$t/e" && [ ! -e "$t/x.vmt" ]
set +e; $V record -o "$t/x.vmt" 2> "$t/e"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "record needs a program" "$t/e" && [ ! -e "$t/x.vmt" ]
if ! command -v valgrind > /dev/null 2>&1; then
	echo "skip: valgrind not installed (apt-get install valgrind)"
	exit 0
fi
# a small real program, recorded now, replays
$V record --quiet -o "$t/true.vmt" -- /bin/true
[ "$(od -An -c -N4 "$t/true.vmt" | tr -d ' ')" = '211VMT' ]
$V replay "$t/true.vmt" > "$t/o"
n=$(sed -n 's/^accesses //p' "$t/o")
[ "$n" -gt 10000 ]
grep -qx "sigsegv 0" "$t/o"
# to standard output (not a terminal here): the program's output moves to stderr
$V record -- /bin/echo hello from echo > "$t/echo.vmt" 2> "$t/e"
grep -qx "hello from echo" "$t/e"
$V replay "$t/echo.vmt" | grep -qx "sigsegv 0"
# another format, compressed by name; a failing program still leaves its trace
$V record --to text -o "$t/false.txt.zst" -- /bin/false 2> "$t/e"
grep -q "record: /bin/false exited with status 1 (the trace is complete)" "$t/e"
$V replay "$t/false.txt.zst" | grep -qx "sigsegv 0"
