#!/bin/sh
# File mappings and the page cache (files issue, first part): fault-around counts on a cached
# 64 MiB file, read-around bounding cold major faults, private writes that leave the file
# alone, shared writes that reach the host file only under --writable and only after msync,
# write-notify (the next writes fault again), SIGBUS past EOF, drop_caches, MAP_POPULATE.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cd "$t"
head -c 67108864 /dev/zero | tr '\0' 'A' > big
cp big big.orig
printf 'hello, page cache' > small          # 17 bytes: one page, the rest of it reads zero

cat > warm.vms <<'V'
machine ram=512M
spawn p
p: f = mmap 64M r--p file=big fixed=0x7f0000000000
p: touch f 64M r                     # cold: read-around + async readahead
expect p.majflt >= 1
expect p.majflt <= 64
expect meminfo.Cached == 64M
p: exit
spawn q
q: g = mmap 64M r--p file=big fixed=0x7f0000001000   # not 64 KiB aligned
q: touch g 64M r
expect q.minflt == 1025
expect q.majflt == 0
spawn r
r: h = mmap 64M r--p file=big fixed=0x7f0000000000
r: touch h 64M r
expect r.minflt == 1024
expect meminfo.Cached == 64M         # one copy for both processes
expect meminfo.Mapped == 64M
expect q.RssFile == 64M
expect r.RssFile == 64M
expect r.RssAnon == 0
show smaps r
V
$V run --check warm.vms > warm.out
# the file's VMA in r's smaps: every page mapped twice, so Shared_Clean is all of Rss and Pss half
awk '/ \/.*big$/ { on = 1; next } on && /^[0-9a-f]+-/ { on = 0 } on && /^(Rss|Pss|Shared_Clean|Private_Clean):/ { printf "%s %s ", $1, $2 }' \
	warm.out > warm.smaps
[ "$(cat warm.smaps)" = "Rss: 65536 Pss: 32768 Shared_Clean: 65536 Private_Clean: 0 " ] ||
	{ echo "FAIL: smaps of a file mapped by two processes: $(cat warm.smaps)"; exit 1; }

cat > private.vms <<'V'
machine ram=512M
spawn p
p: f = mmap 1M rw-p file=big
p: touch f 1M w                      # do_cow_fault: one fault a page, anonymous copies
expect p.minflt == 255               # the first read the file from the disk: a major fault
expect p.majflt == 1
expect meminfo.AnonPages == 1M
p: store f "changed"
p: load f 7 == "changed"
p: msync f 1M
spawn q
q: g = mmap 4K r--p file=big
q: load g 7 == "AAAAAAA"            # the page cache (and the file) never changed
V
$V run --check --writable . private.vms
cmp big big.orig

cat > shared.vms <<'V'
machine ram=512M
spawn p
p: f = mmap 64K rw-s file=big
p: touch f 64K w                     # do_shared_fault: 16 faults, the first one major
expect p.minflt == 15
expect p.majflt == 1
expect meminfo.Dirty == 64K
p: store f "written back"
p: msync f 64K                       # writeback: clean, write-protected again
expect meminfo.Dirty == 0
p: touch f 64K w                     # write-notify: one fault a page again
expect p.minflt == 31
expect meminfo.Dirty == 64K
V
$V run --check shared.vms            # without --writable: the simulated disk gets it, the host file not
cmp big big.orig
cat > overlay.vms <<'V'
machine ram=512M
spawn p
p: f = mmap 4K rw-s file=big
p: store f "kept"
p: msync f 4K
p: munmap f 4K
drop_caches                          # the clean page leaves the page cache
p: g = mmap 4K r--p file=big
p: load g 4 == "kept"                # re-read from the simulated disk: no byte lost
V
$V run --check overlay.vms
cmp big big.orig
$V run --check --writable . shared.vms
head -c 12 big | grep -q "written back"
cp big.orig big

cat > eof.vms <<'V'
spawn p
p: f = mmap 8K r--p file=small
p: load f 17 == "hello, page cache"
p: load f+17 4 == 0x00*4             # the rest of the last page reads zero
p: load f+4K 1 -> SIGBUS             # a page wholly beyond EOF
V
$V run --check eof.vms

cat > drop.vms <<'V'
machine ram=512M
spawn p
p: f = mmap 1M r--p file=big fixed=0x7f0000000000
p: touch f 1M r
p: munmap f 1M
drop_caches
expect meminfo.Cached == 0
expect vmstat.drop_pagecache == 1
p: g = mmap 1M r--p file=big fixed=0x7f0000000000
p: touch g 1M r
expect p.majflt >= 2                 # read from the disk again
V
$V run --check drop.vms

cat > populate.vms <<'V'
machine ram=512M
spawn p
p: f = mmap 1M rw-p file=big populate  # a private writable file mapping is copied up front
expect p.majflt == 1
expect meminfo.AnonPages == 1M
p: touch f 1M w
expect p.minflt == 255
V
$V run --check populate.vms

cat > disk.vms <<'V'
machine ram=512M disk_latency=1000000 disk_bw=100M
spawn p
p: f = mmap 128K r--p file=big fixed=0x7f0000000000
expect clock.ns == 0
p: load f 1                          # one read-around request of 32 pages (128 KiB)
expect clock.us == 2250              # 1 ms latency + 128 KiB at 100 MiB/s (1.25 ms)
V
$V run --check disk.vms

cat > background.vms <<'V'
machine ram=64M
spawn p
p: f = mmap 32M rw-s file=big
p: touch f 32M w                     # 8192 dirty pages: far above 10% of dirtyable memory
expect meminfo.Dirty <= 6M             # the flusher ends at the background threshold (1508 pages)
expect vmstat.nr_written > 4000
expect vmstat.nr_dirtied == 8192
expect clock.us < 200000             # reads 90 ms; writes in 4 MiB chunks (one page at a time: 0.7 s)
V
$V run --check background.vms
cmp big big.orig                     # (not --writable: written to the simulated disk)
# the writer was throttled above the freerun ceiling (halfway between the background
# threshold and dirty_ratio), each time while the flusher wrote a 1024-page chunk
$V run --explain background.vms > background.out
grep -q 'balance_dirty_pages: .* above the freerun ceiling .* the flusher writes 1024 pages' background.out
awk '/balance_dirty_pages: / { if ($2 > $9 + 1) bad = 1; n++ } END { exit (n < 4 || bad) }' background.out ||
	{ echo "FAIL: throttling: $(grep -c balance_dirty_pages background.out) events"; exit 1; }

cat big big > big2                    # 128 MiB: twice the RAM below
cat > reclaim.vms <<'V'
machine ram=64M
spawn p
p: f = mmap 16M r--p file=big2
p: touch f 16M r
p: munmap f 16M
p: f = mmap 16M r--p file=big2 offset=16M
p: touch f 16M r
p: munmap f 16M
p: f = mmap 16M r--p file=big2 offset=32M
p: touch f 16M r
p: munmap f 16M
p: f = mmap 16M r--p file=big2 offset=48M
p: touch f 16M r
p: munmap f 16M
p: f = mmap 16M r--p file=big2 offset=64M
p: touch f 16M r
p: load f 4 == "AAAA"
expect vmstat.pgsteal_kswapd > 0     # kswapd freed clean, unmapped page cache
expect vmstat.pgsteal_file > 0
expect meminfo.Cached < 60M
V
$V run --check reclaim.vms > out
! grep -q "killed" out

cat > reclaim-mapped.vms <<'V'
machine ram=64M
spawn p
p: f = mmap 128M r--p file=big2      # one mapping, twice the RAM
p: touch f 128M r                    # kswapd unmaps and frees the coldest mapped pages
p: touch f 128M r                    # and again: the first half was reclaimed, re-read
expect p.majflt >= 2
expect vmstat.pgsteal_kswapd > 16384
expect meminfo.Mapped < 64M
p: load f 4 == "AAAA"
p: load f+64M 4 == "AAAA"
V
$V run --check reclaim-mapped.vms > out
! grep -q "killed" out

# readahead (mm/readahead.c): read-around keeps one window ahead of a sequential scan (one
# major fault, plus one minor fault for the first window's PG_readahead page); MADV_SEQUENTIAL
# starts a sequential window whose marks fall on fault-around blocks; MADV_RANDOM reads each
# page alone; WILLNEED reads at most max(io_pages, ra_pages) = 320 pages
for adv in normal:1025:1:179200 sequential:1024:1:179200 random:0:16384:1766391; do
	IFS=: read a minf majf us <<EOF2
$adv
EOF2
	cat > ra-$a.vms <<V
machine ram=512M
spawn p
p: f = mmap 64M r--p file=big fixed=0x7f0000000000
p: madvise f 64M $a
p: touch f 64M r
expect p.minflt == $minf
expect p.majflt == $majf
expect vmstat.pgmajfault == $majf
expect clock.us == $us
V
	$V run --check ra-$a.vms
done
# mmap_miss: strided faults that never hit a cached page stop read-around after 100 misses
{ echo "machine ram=512M"; echo "spawn p"; echo "p: f = mmap 64M r--p file=big fixed=0x7f0000000000"
  i=0; while [ $i -lt 200 ]; do echo "p: load f+$((i * 262144)) 1"; i=$((i + 1)); done
  echo "expect p.majflt == 200"
  echo "expect meminfo.Cached == 13200K        # 100 windows of 32 pages, then 100 single pages"
  echo "p: g = mmap 4M r--p file=big offset=60M"
  echo "p: madvise g 4M willneed"
  echo "expect meminfo.Cached == 14480K        # + 320 pages (1280 KiB, io_pages)"
} > ra-miss.vms
$V run --check ra-miss.vms

# MADV_DONTNEED on file mappings: a private mapping loses its copy-on-write copies and reads
# the file again; a shared mapping is only unmapped (the page cache keeps the change)
cat > dontneed.vms <<'V'
machine ram=128M
spawn p
p: f = mmap 64K rw-p file=big
p: store f "private change"
expect meminfo.AnonPages == 4K
p: madvise f 64K dontneed
expect meminfo.AnonPages == 0
p: load f 4 == "AAAA"
p: g = mmap 64K rw-s file=big
p: store g "shared"
p: madvise g 64K dontneed
p: load g 6 == "shared"
expect meminfo.Dirty == 4K
V
$V run --check dontneed.vms

# thp_get_unmapped_area (ext4): a top-down file mapping that covers 2 MiB of the file is
# 2 MiB aligned (address = offset modulo 2 MiB), a smaller one is not
cat > thp.vms <<'V'
spawn p
p: a = mmap 4M r--p file=big
p: b = mmap 4M r--p file=big offset=4K
p: c = mmap 1M r--p file=big
show maps p
V
$V run --check thp.vms > out
a=$(grep "r--p 00000000 .*big$" out | grep -v 7ffff7fff000 | cut -d- -f1)
b=$(grep "r--p 00001000 .*big$" out | cut -d- -f1)
[ $(( 0x$a % 0x200000 )) -eq 0 ] && [ $(( 0x$b % 0x200000 )) -eq 4096 ]
grep -q "^7ffff7[0-9a-f]*-7ffff7fff000 r--p 00000000 .*big$" out   # c: just below mmap_base

# errors: missing file, a directory, unaligned offset
printf 'spawn p\np: f = mmap 4K r--p file=nope\n' > e1.vms
set +e
$V run e1.vms 2>err; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "e1.vms:2: error: mmap: .*nope: ENOENT" err
printf 'spawn p\np: f = mmap 4K r--p file=big offset=100 -> EINVAL\np: f = mmap 4K r--p file=. -> ENODEV\n' > e2.vms
$V run e2.vms
