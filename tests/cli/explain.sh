#!/bin/sh
# --explain narrates the address split, TLB, each table entry, the handler and why.
V=$1; set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
printf 'spawn p\np: x = mmap 8K rw-p\np: load x 1\np: store x "a"\np: store x+1 "b"\n' > "$t/s.vms"
$V run --explain "$t/s.vms" > "$t/o"
grep -q '^>>> 3: p: load x 1' "$t/o"
grep -q 'TLB miss: walk from CR3; 0x7ffff7ffd000 = PGD 255 | PUD 511 | PMD 447 | PTE 509 | offset 0x000' "$t/o"
grep -q 'PGD\[255\] in frame 0x[0-9a-f]* = 0x[0-9a-f]\{16\} (P RW US A D) -> frame' "$t/o"
grep -q 'do_anonymous_page: first read of an anonymous page: map the shared zero page' "$t/o"
grep -q 'do_wp_page: write to the zero page' "$t/o"
grep -q 'alloc frame 0x[0-9a-f]* order 0' "$t/o"
grep -q 'TLB hit: page 0x7ffff7ffd' "$t/o"
# swap: the swap PTE is decoded, the swap-in handler named, reclaim and readahead narrated
printf 'machine ram=32M swap=64M\nspawn p\np: a = mmap 40M rw-p\np: store a 0x41*40M\np: load a 4 == "AAAA"\n' > "$t/w.vms"
$V run --explain "$t/w.vms" > "$t/o"
grep -q 'not present: swap entry type 0 offset [0-9]*, exclusive' "$t/o"
grep -q 'do_swap_page: the page was swapped out: read it back from the swap device (major fault)' "$t/o"
grep -q 'kswapd: reclaimed [0-9]* pages' "$t/o"
grep -q 'reclaim: frame 0x[0-9a-f]* freed (anonymous/shmem page)' "$t/o"
