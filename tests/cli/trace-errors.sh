#!/bin/sh
# Malformed traces (docs/bad-input.md, "Traces"): every row gets exactly one line
# "TRACE:LINE: error: TEXT" (LINE: the line; for vmt the record number, 0 for the header and
# the file's framing) and exit status 2, from replay, convert and mrc alike.
V=$(realpath "$1"); set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fails=0

# expect FILE WANT [OPTIONS...]: replay, convert and mrc must each print one line containing
# WANT (which starts with FILE:LINE: error:) and exit 2 (only replay and mrc when CMDS says so:
# addresses outside user space are the replay's error, not the format's)
CMDS="replay convert mrc"
expect() {
	f=$1; want=$2; shift 2
	for cmd in $CMDS; do
		rc=0
		if [ $cmd = convert ]; then
			"$V" convert "$@" -o "$t/out.vmt" "$f" > /dev/null 2> "$t/err" || rc=$?
			[ ! -e "$t/out.vmt" ] || { echo "convert left $t/out.vmt behind"; fails=$((fails+1)); }
		else
			"$V" $cmd "$@" "$f" > /dev/null 2> "$t/err" || rc=$?
		fi
		if [ $rc -ne 2 ] || [ "$(wc -l < "$t/err")" -ne 1 ] || ! grep -qF -- "$want" "$t/err"; then
			echo "$cmd $*: want exit 2 and '$want', got $rc:"; cat "$t/err"
			fails=$((fails+1))
		fi
	done
}

# ---- text
printf 'R 0x1000\nX 0x2000\n' > "$t/op.txt"
expect "$t/op.txt" "op.txt:2: error: expected '[PID ]R|W ADDR'"
printf '# c\n\nW 0x12345678901234567\n' > "$t/addr.txt"
expect "$t/addr.txt" "addr.txt:3: error: bad address (hexadecimal, at most 16 digits)"
printf 'W 0x1000\nW 0x1000 junk\n' > "$t/tail.txt"
expect "$t/tail.txt" "tail.txt:2: error: unexpected text after the address"
printf '5000000000 W 0x1000\n' > "$t/pid.txt"
expect "$t/pid.txt" "pid.txt:1: error: bad PID (0 to 4294967295)"
printf 'W 0x10000000\nW 0x1\000000\n' > "$t/nul.txt"
expect "$t/nul.txt" "nul.txt:2: error: NUL byte in the trace"
awk 'BEGIN { printf "W 0x10000000\n# "; for (i = 0; i < 300000; i++) printf "x"; printf "\n" }' > "$t/long.txt"
expect "$t/long.txt" "long.txt:2: error: line too long (over 256 KiB)"
printf 'W 0x10000000\nW 0xffff888000000000\n' > "$t/kernel.txt"
CMDS="replay mrc"
expect "$t/kernel.txt" "kernel.txt:2: error: address outside user space (0xffff888000000000)"
printf ' S 7fffffffeff8,16\n' > "$t/top.txt" # TASK_SIZE_MAX is 0x7ffffffff000
expect "$t/top.txt" "top.txt:1: error: address outside user space (0x7fffffffeff8)"
CMDS="replay convert mrc"
awk 'BEGIN { for (i = 1; i <= 4097; i++) printf "%d W 10000000\n", i }' > "$t/pids.txt"
set +e; "$V" replay --ram 256M "$t/pids.txt" > /dev/null 2> "$t/err"; rc=$?; set -e
[ $rc -eq 2 ] && grep -qx "$t/pids.txt:4097: error: too many processes" "$t/err"
"$V" convert -o "$t/k.vmt" "$t/kernel.txt"     # the format can hold any address
printf 'W 0x7fffffffeff8\n' > "$t/end.txt"      # the last byte below it is fine
"$V" replay "$t/end.txt" > /dev/null
# ---- lackey
printf ' L 0x1000,8\n Q 0x1000,8\n' > "$t/lk1.txt"
expect "$t/lk1.txt" "lk1.txt:2: error: expected ' L ADDR,SIZE', ' S ADDR,SIZE', ' M ADDR,SIZE' or 'I  ADDR,SIZE'"
printf '==1== Lackey\nI  04017de0,3\n S zz,8\n' > "$t/lk2.txt"
expect "$t/lk2.txt" "lk2.txt:3: error: bad address (hexadecimal, then ',SIZE')"
printf 'I  04017de0,3\n L 0402a3c8,0\n' > "$t/lk3.txt"
expect "$t/lk3.txt" "lk3.txt:2: error: bad size (1 to 4096)"
printf 'I  04017de0,3\n M 0402a3c8,5000\n' > "$t/lk4.txt"
expect "$t/lk4.txt" "lk4.txt:2: error: bad size (1 to 4096)"
printf 'I  04017de0,3\n L 0402a3c8\n' > "$t/lk5.txt"
expect "$t/lk5.txt" "lk5.txt:2: error: bad address (hexadecimal, then ',SIZE')"

# ---- vmt: the header (record 0), blocks (at their first record), records, the end marker
H='\211VMT\r\n\032\n\001\000\000\000\000\000\000\000'   # magic, version 1, reserved
END1='\000\001\000\000\000\000\000\000\000'              # end marker: 1 record
printf 'not vmt at all' > "$t/magic.vmt"
expect "$t/magic.vmt" "magic.vmt:0: error: not a vmt trace (bad magic)" --format vmt
printf '\211VMX\r\n\032\n\001\000\000\000\000\000\000\000' > "$t/magic2.vmt"
expect "$t/magic2.vmt" "magic2.vmt:0: error: not a vmt trace (bad magic)"
printf '\211VMT\r\n\032\n\001\000' > "$t/short.vmt"
expect "$t/short.vmt" "short.vmt:0: error: truncated vmt header"
printf '\211VMT\r\n\032\n\002\000\000\000\000\000\000\000' > "$t/version.vmt"
expect "$t/version.vmt" "version.vmt:0: error: vmt version 2 is not supported (this vmlab reads version 1)"
printf '\211VMT\r\n\032\n\001\000\000\001\000\000\000\000' > "$t/reserved.vmt"
expect "$t/reserved.vmt" "reserved.vmt:0: error: reserved header byte 11 is not zero"
printf "$H" > "$t/noend.vmt"
expect "$t/noend.vmt" "noend.vmt:1: error: truncated: the trace ends without its end marker"
# one good record: a write at 0x10000000 (zigzag delta 0x20000000, 4 bytes)
REC='\001\004\024\000\000\000\040'
printf "$H$REC$END1" > "$t/good.vmt"
"$V" replay "$t/good.vmt" | grep -qx "pgfault 1"
printf "$H$REC" > "$t/noend2.vmt"
expect "$t/noend2.vmt" "noend2.vmt:2: error: truncated: the trace ends without its end marker"
printf "$H\210\047\001" > "$t/bigblock.vmt"        # 5000 records in a block
expect "$t/bigblock.vmt" "bigblock.vmt:1: error: byte 16: bad block header"
printf "$H\002\012\024\024\000" > "$t/cutblock.vmt" # 2 records, 10 data bytes, cut
expect "$t/cutblock.vmt" "cutblock.vmt:1: error: byte 16: truncated block (2 records)"
printf "$H\001\000\014$END1" > "$t/tag.vmt"          # a delta of 12 bytes
expect "$t/tag.vmt" "tag.vmt:1: error: byte 18: bad tag 0x0c"
printf "$H\001\001\100\000$END1" > "$t/size0.vmt"    # size 0
expect "$t/size0.vmt" "size0.vmt:1: error: byte 18: bad size 0 (1 to 4096)"
printf "$H\001\002\100\200\100$END1" > "$t/size.vmt" # size 8192
expect "$t/size.vmt" "size.vmt:1: error: byte 18: bad size 8192 (1 to 4096)"
printf "$H\001\003\100\200\200\001$END1" > "$t/varint.vmt"
expect "$t/varint.vmt" "varint.vmt:1: error: byte 18: bad varint (too long)"
printf "$H\001\005\200\377\377\377\377\177$END1" > "$t/pid.vmt"
expect "$t/pid.vmt" "pid.vmt:1: error: byte 18: bad PID 34359738367"
printf "$H\001\000\101$END1" > "$t/past.vmt"         # a 1-byte delta in no data
expect "$t/past.vmt" "past.vmt:1: error: byte 18: the record runs past its block's data"
printf "$H\001\005\024\000\000\000\040\000$END1" > "$t/extra.vmt"
expect "$t/extra.vmt" "extra.vmt:1: error: byte 23: the block has 1 data bytes its records do not use"
printf "$H$REC\000\005\000\000\000\000\000\000\000" > "$t/count.vmt"
expect "$t/count.vmt" "count.vmt:2: error: byte 23: the end marker counts 5 records, the trace has 1"
printf "$H$REC\000\001\000\000" > "$t/cutend.vmt"
expect "$t/cutend.vmt" "cutend.vmt:2: error: byte 23: truncated end marker"
printf "$H$REC$END1\001" > "$t/after.vmt"
expect "$t/after.vmt" "after.vmt:1: error: byte 32: data after the end marker"
printf "$H\001\004\024\000\000\000\020$END1" > "$t/low.vmt"  # 0x08000000: fine
"$V" replay "$t/low.vmt" > /dev/null

# ---- zstd
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "W %x\n", 268435456 + (i % 3000) * 4096 }' > "$t/z.txt"
zst() { "$V" convert --to "$2" -o "$t/$3" "$1"; }
zst "$t/z.txt" text z.txt.zst
zst "$t/z.txt" vmt z.vmt.zst
"$V" replay "$t/z.txt.zst" > "$t/a"; "$V" replay "$t/z.vmt.zst" > "$t/b"; "$V" replay "$t/z.txt" > "$t/c"
cmp "$t/a" "$t/c"; cmp "$t/b" "$t/c"
n=$(wc -c < "$t/z.vmt.zst")
head -c $((n / 2)) "$t/z.vmt.zst" > "$t/cut.vmt.zst"
expect "$t/cut.vmt.zst" "cut.vmt.zst:" 
grep -q "error: zstd: truncated (the file ends inside a compressed frame)" "$t/err"
# a flipped byte in the middle: the decompressor (or the frame checksum) says so
{ head -c $((n / 2)) "$t/z.vmt.zst"; printf '\377'; tail -c +$((n / 2 + 2)) "$t/z.vmt.zst"; } > "$t/bad.vmt.zst"
expect "$t/bad.vmt.zst" "bad.vmt.zst:"
grep -q "error: zstd: " "$t/err"
cp "$t/z.txt" "$t/plain.txt.zst"
expect "$t/plain.txt.zst" "plain.txt.zst:0: error: not zstd-compressed data (the name ends in .zst)"
# compressed without the suffix: found by its magic
cp "$t/z.txt.zst" "$t/z-noext"
"$V" replay "$t/z-noext" | cmp - "$t/c"

# ---- files and options
set +e
"$V" replay "$t/missing.txt" 2> "$t/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -qx "vmlab: $t/missing.txt: No such file or directory" "$t/err"
set +e
"$V" replay "$t" 2> "$t/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -qx "vmlab: $t: not a regular file" "$t/err"
set +e
"$V" replay --format bogus "$t/z.txt" 2> "$t/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "needs auto, text, lackey or vmt" "$t/err"
[ $fails -eq 0 ]
