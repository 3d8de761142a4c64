#!/bin/sh
# Same input and seed, same bytes; a different seed moves the layout.
V=$1; set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
$V run examples/tour.vms > "$t/a"; $V run examples/tour.vms > "$t/b"; cmp "$t/a" "$t/b"
$V run --seed 7 examples/tour.vms > "$t/c"; $V run --seed 7 examples/tour.vms > "$t/d"; cmp "$t/c" "$t/d"
$V run --seed 8 examples/tour.vms > "$t/e"
! cmp -s "$t/c" "$t/e"
! cmp -s "$t/a" "$t/c"
$V run --explain examples/cow-fork.vms > "$t/x1"; $V run --explain examples/cow-fork.vms > "$t/x2"; cmp "$t/x1" "$t/x2"
