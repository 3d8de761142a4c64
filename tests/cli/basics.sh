#!/bin/sh
# CLI basics: help, version, unknown command/option, missing file, exit statuses.
V=$1; set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
$V help | grep -q "vmlab run"
$V --version | grep -q "^vmlab "
if $V frobnicate 2>"$t/e"; then exit 1; fi; grep -q "unknown command" "$t/e"
if $V run --bogus x.vms 2>"$t/e"; then exit 1; fi; grep -q "unknown option" "$t/e"
set +e
$V run "$t/missing.vms" 2>"$t/e"; rc=$?
set -e
[ $rc -eq 2 ]; grep -q "missing.vms: No such file or directory" "$t/e"
$V run "$t" 2>"$t/e" && exit 1
grep -q "not a regular file" "$t/e"
# an expect that fails: exit 1 with FILE:LINE: expect failed
printf 'spawn p\np: x = mmap 4K rw-p\np: touch x 4K w\nexpect p.minflt == 7\n' > "$t/f.vms"
set +e
$V run "$t/f.vms" 2>"$t/e"; rc=$?
set -e
[ $rc -eq 1 ]; grep -q "f.vms:4: expect failed: p.minflt == 7 (got 1)" "$t/e"
# a load == that fails
printf 'spawn p\np: store stack-8 "ab"\np: load stack-8 2 == "ac"\n' > "$t/g.vms"
set +e
$V run "$t/g.vms" 2>"$t/e"; rc=$?
set -e
[ $rc -eq 1 ]; grep -q "g.vms:3: expect failed: load" "$t/e"
# -> ERRNO that does not happen is an expect failure
printf 'spawn p\np: x = mmap 4K rw-p -> ENOMEM\n' > "$t/h.vms"
set +e
$V run "$t/h.vms" 2>"$t/e"; rc=$?
set -e
[ $rc -eq 1 ]; grep -q "mmap -> ENOMEM (got success)" "$t/e"
# a kill message names the signal and address
printf 'spawn p\np: store 0x10000 "x"\n' > "$t/k.vms"
$V run "$t/k.vms" | grep -q "p: killed by SIGSEGV (SEGV_MAPERR) at 0x10000"
