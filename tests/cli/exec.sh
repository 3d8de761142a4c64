#!/bin/sh
# exec of real ELF programs, checked against the host kernel (files issue): a small C program,
# compiled now as a dynamic PIE, a dynamic non-PIE, a static and a static PIE program, runs
# under `setarch -R` (no randomization) with an empty environment and prints its own
# /proc/self/maps, the memory lines of /proc/self/status and the VmFlags of /proc/self/smaps,
# having touched nothing that maps memory (open/read/write into a static buffer). vmlab execs
# the same file with the same arguments: every maps line must be equal (addresses, permissions,
# offsets, device, inode, names, order), and so must VmPeak, VmSize, VmData, VmStk, VmExe,
# VmLib and the VmFlags of every mapping. Then: two processes that exec the same dynamic
# program share its libraries' pages (one copy in the page cache; smaps Pss is half of Rss).
#
# Skipped (exit 0, with a note) where the comparison cannot hold: no cc or setarch, setarch -R
# refused, a host kernel whose vDSO area is not 6.18's ([vvar] 16 KiB, [vvar_vclock] 8 KiB,
# [vdso] 8 KiB), or a C library other than glibc 2.36 for the dynamic programs.
V=$(realpath "$1"); set -e
command -v cc >/dev/null 2>&1 && command -v setarch >/dev/null 2>&1 || { echo "skip: no cc or setarch"; exit 0; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
cd "$t"
cat > prog.c <<'EOF'
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
static char buf[1 << 16];
static long slurp(const char *path, long n, const char *mark)
{
	int fd = open(path, O_RDONLY);
	long r;

	while ((r = read(fd, buf + n, sizeof(buf) - 64 - n)) > 0)
		n += r;
	close(fd);
	memcpy(buf + n, mark, strlen(mark));
	return n + (long)strlen(mark);
}
int main(void)
{
	long n = slurp("/proc/self/maps", 0, "--status--\n");

	n = slurp("/proc/self/status", n, "--smaps--\n");
	n = slurp("/proc/self/smaps", n, "");
	write(1, buf, n);
	return 0;
}
EOF
# what to compare: the maps lines, some status lines, the VmFlags of each mapping in order
views() { awk '/^--status--$/ { s = 1; next } /^--smaps--$/ { s = 2; next }
	       s == 0 { print }
	       s == 1 && /^Vm(Peak|Size|Data|Stk|Exe|Lib):/ { gsub(/[ \t]+/, " "); print }
	       s == 2 && /^VmFlags:/ { print }' "$1"; }
vdso_ok() {
	for n in vvar:16384 vvar_vclock:8192 vdso:8192; do
		r=$(grep " \[${n%:*}\]\$" "$1" | head -1 | cut -d' ' -f1)
		[ -n "$r" ] && [ $(( 0x${r#*-} - 0x${r%-*} )) -eq ${n#*:} ] || return 1
	done
}
glibc236=0
ldd --version 2>/dev/null | head -1 | grep -q ' 2\.36' && glibc236=1
compared=0
for v in dyn-pie: dyn-nopie:-no-pie static:-static static-pie:-static-pie; do
	name=${v%%:*}; flags=${v#*:}
	case $name in dyn*) [ $glibc236 = 1 ] || { echo "skip $name: not glibc 2.36"; continue; } ;; esac
	cc -O2 $flags -o "$name" prog.c 2>/dev/null || { echo "skip $name: cc $flags failed"; continue; }
	env -i setarch x86_64 -R "$t/$name" one "two words" > host.out 2>/dev/null ||
		{ echo "skip $name: setarch -R failed"; continue; }
	vdso_ok host.out || { echo "skip: the host kernel's vDSO area is not 6.18's"; exit 0; }
	printf 'spawn p\np: exec %s one "two words"\nshow maps p\necho "--status--"\nshow status p\necho "--smaps--"\nshow smaps p\n' \
		"$t/$name" > s.vms
	$V run --check s.vms > vm.out
	views host.out > host.v
	views vm.out > vm.v
	if ! cmp -s host.v vm.v; then
		echo "FAIL: $name: vmlab's view after exec differs from the host's (< host, > vmlab)"
		diff host.v vm.v | head -20
		exit 1
	fi
	echo "ok $name: $(grep -c '^[0-9a-f]*-' host.v) lines of maps, status and VmFlags equal"
	compared=$((compared + 1))
done
[ $compared -gt 0 ] || { echo "skip: nothing compared"; exit 0; }

# /bin/ls, stopped by gdb at its entry point (where ld.so hands over): the same maps except the
# [heap] its libraries' constructors malloc before that point (not modelled)
if [ $glibc236 = 1 ] && command -v gdb >/dev/null 2>&1; then
	cat > entry.gdb <<GDB
set pagination off
set startup-with-shell off
set disable-randomization on
unset environment
starti
python
import gdb, struct
pid = gdb.selected_inferior().pid
aux = open('/proc/%d/auxv' % pid, 'rb').read()
entry = [v for k, v in (struct.unpack('QQ', aux[i:i + 16]) for i in range(0, len(aux), 16)) if k == 9][0]
gdb.execute('tbreak *%d' % entry)
gdb.execute('continue')
open('$t/ls.host', 'w').write(open('/proc/%d/maps' % pid).read())
end
kill
GDB
	gdb -q -batch -x entry.gdb --args /bin/ls -l >/dev/null 2>&1 || true
	if [ -s ls.host ]; then
		printf 'spawn p\np: exec /bin/ls -l\nshow maps p\n' > ls.vms
		$V run --check ls.vms > ls.vm
		grep -v ' \[heap\]$' ls.host > ls.h || true
		cmp -s ls.h ls.vm || { echo "FAIL: /bin/ls at its entry point (< host, > vmlab)"; diff ls.h ls.vm | head; exit 1; }
		echo "ok /bin/ls: $(wc -l < ls.vm) lines of maps equal at the entry point"
	else
		echo "skip /bin/ls: gdb could not stop it at its entry point"
	fi
fi

# shared libraries: two processes exec the same dynamic program and read all of libc's text;
# the second one maps the first one's page-cache pages (Cached and Mapped stay as they were),
# so each smaps line of libc's text shows Rss = Shared_Clean and Pss = Rss / 2
[ -x dyn-pie ] || { echo "skip shared: no dynamic program"; exit 0; }
printf 'spawn p\np: exec %s\nshow maps p\n' "$t/dyn-pie" > m.vms
$V run m.vms > m.out
text=$(grep ' r-xp .*/libc\.so\.6$' m.out | cut -d' ' -f1)
start=0x${text%-*}; len=$(( 0x${text#*-} - start ))
cat > share.vms <<V
machine ram=256M
spawn a
spawn b
a: exec $t/dyn-pie
b: exec $t/dyn-pie
a: touch $start $len x
show meminfo
b: touch $start $len x
show meminfo
show smaps b
V
$V run --check share.vms > share.out
c1=$(awk '/^Cached:/ { print $2 }' share.out | sed -n 1p); c2=$(awk '/^Cached:/ { print $2 }' share.out | sed -n 2p)
m1=$(awk '/^Mapped:/ { print $2 }' share.out | sed -n 1p); m2=$(awk '/^Mapped:/ { print $2 }' share.out | sed -n 2p)
[ "$c1" = "$c2" ] && [ "$m1" = "$m2" ] ||
	{ echo "FAIL: the second process's libc text changed Cached $c1 -> $c2 kB, Mapped $m1 -> $m2 kB"; exit 1; }
kb=$(( len / 1024 ))
awk -v s="${text}" '$1 == s { on = 1; next } on && /^Rss:/ { rss = $2 } on && /^Pss:/ { pss = $2 }
     on && /^Shared_Clean:/ { sc = $2; print rss, pss, sc; exit }' share.out > pss.out
read rss pss sc < pss.out
[ "$rss" = "$kb" ] && [ "$sc" = "$kb" ] && [ "$pss" = "$(( kb / 2 ))" ] ||
	{ echo "FAIL: libc text in b: Rss $rss Pss $pss Shared_Clean $sc, want $kb $(( kb / 2 )) $kb"; exit 1; }
echo "ok shared: libc text ${kb} kB, Pss $pss kB in each process"
