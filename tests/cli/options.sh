#!/bin/sh
# Options of vmlab and vmlab run: bad values, missing arguments, --quiet, options after the file.
V=$1; set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fails() { # fails WANT_TEXT ARGS...: exit 2 and WANT_TEXT on stderr
	want=$1; shift
	set +e; "$V" "$@" >/dev/null 2>"$t/e"; rc=$?; set -e
	[ $rc -eq 2 ] || { echo "vmlab $*: exit $rc, want 2"; exit 1; }
	grep -qF -- "$want" "$t/e" || { echo "vmlab $*: want '$want'"; cat "$t/e"; exit 1; }
}
printf 'spawn p\np: x = mmap 4K rw-p\np: touch x 4K w\nshow maps p\np: store 0x1000 "x"\n' > "$t/s.vms"
fails "unknown option '--bogus'" --bogus
fails "unknown command 'frob'" frob
fails "usage: vmlab" 
fails "--seed needs a number" run --seed 123456789012345678901234567890 "$t/s.vms"
fails "--seed needs a number" run --seed -1 "$t/s.vms"
fails "--seed needs a number" run "$t/s.vms" --seed
fails "--writable needs a directory" run "$t/s.vms" --writable
fails "run takes one scenario file" run "$t/s.vms" "$t/s.vms"
fails "run needs a scenario file" run --check
$V -h | grep -q -- "--explain"
$V --help | grep -q -- "--writable DIR"
# options after the file; --quiet drops the views but keeps the kill message
$V run "$t/s.vms" --quiet --check > "$t/o"
[ "$(cat "$t/o")" = "p: killed by SIGSEGV (SEGV_MAPERR) at 0x1000" ]
$V run "$t/s.vms" | grep -q "rw-p 00000000 00:00 0"
# --explain --quiet narrates nothing
$V run --explain --quiet "$t/s.vms" > "$t/o"
! grep -q ">>>" "$t/o"
$V run --explain --seed 0x10 "$t/s.vms" | grep -q "^>>> 4: show maps p$"
# a FIFO is refused at once instead of waiting for a writer
if command -v mkfifo >/dev/null && command -v timeout >/dev/null; then
	mkfifo "$t/fifo.vms"
	set +e; timeout 10 "$V" run "$t/fifo.vms" 2>"$t/e"; rc=$?; set -e
	[ $rc -eq 2 ] && grep -q "not a regular file" "$t/e"
fi
