#!/bin/sh
# vmlab against the real kernel: tests/host/faults.c runs the same access patterns on the
# host and prints the minor faults each costs (getrusage); a scenario built from those
# numbers must hold in vmlab (expect NAME.minflt == HOST). A host kernel that cannot run a
# pattern (no cc, MAP_FIXED_NOREPLACE refused) skips it.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
command -v cc >/dev/null 2>&1 || { echo "host.sh: no cc, skipped"; exit 0; }
cc -O1 -o "$t/faults" tests/host/faults.c
head -c 67108864 /dev/zero | tr '\0' 'B' > "$t/big"
"$t/faults" "$t/big" > "$t/host"
cat "$t/host"
h() { awk -v k="$1" '$1 == k { print $2 }' "$t/host"; }
{
	echo "machine ram=512M"
	echo "spawn a"
	echo "a: x = mmap 64M rw-p"
	echo "a: touch x 64M w"
	echo "expect a.minflt == $(h anon_write)"
	echo "a: exit"
	echo "spawn b"
	echo "b: x = mmap 64M rw-p"
	echo "b: touch x 64M r"
	echo "b: touch x 64M w"
	echo "expect b.minflt == $(h anon_read_then_write)"
	echo "b: exit"
	echo "spawn c"
	echo "c: x = mmap 64M rw-p populate"
	echo "expect c.minflt == $(h populate_in_mmap)"
	echo "c: exit"
	echo "spawn d"
	echo "d: y = mmap 16M rw-p"
	echo "d: touch y 16M w"
	echo "d: fork e"
	echo "e: touch y 16M r"
	echo "expect e.minflt == $(h fork_child_reads)"
	echo "e: touch y 16M w"
	echo "expect e.minflt == $(( $(h fork_child_reads) + $(h fork_child_writes) ))"
	echo "e: exit"
	echo "d: touch y 16M w"
	echo "expect d.minflt == $(( 4096 + $(h fork_parent_writes_after_child_exit) ))"
	if [ -n "$(h shmem_child_reads_aligned)" ]; then
		echo "d: s = mmap 256K rw-s fixed=0x7f0000000000"
		echo "d: touch s 256K w"
		echo "d: fork f"
		echo "f: touch s 256K r"
		echo "expect f.minflt == $(h shmem_child_reads_aligned)"
	fi
	if [ -n "$(h file_cached_read_aligned)" ]; then
		echo "spawn g"                   # the first pass brings the file into the page cache
		echo "g: z = mmap 64M r--p file=$t/big fixed=0x7e0000000000"
		echo "g: touch z 64M r"
		echo "g: exit"
		echo "spawn k"                   # the second pass, counted alone as on the host
		echo "k: z = mmap 64M r--p file=$t/big fixed=0x7e0000000000"
		echo "k: touch z 64M r"
		echo "expect k.minflt == $(h file_cached_read_aligned)"
	fi
} > "$t/same.vms"
"$V" run --check "$t/same.vms"
