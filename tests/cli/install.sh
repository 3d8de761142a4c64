#!/bin/sh
# make install puts the CLI, library, header and pkg-config file under DESTDIR/PREFIX, and a
# program built against the installed library runs.
V=$1; set -e
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
BUILD=$(dirname "$V")
# the sanitizer build is not an install target (its objects need the sanitizer runtime)
case "$BUILD" in *asan*) exit 0 ;; esac
make --no-print-directory -s BUILD="$BUILD" DESTDIR="$t" PREFIX=/usr install >/dev/null
[ -x "$t/usr/bin/vmlab" ] && [ -f "$t/usr/lib/libvmlab.a" ] && [ -f "$t/usr/include/vmlab.h" ]
grep -q "^prefix=/usr$" "$t/usr/lib/pkgconfig/vmlab.pc"
grep -q "^Libs: .*-lvmlab" "$t/usr/lib/pkgconfig/vmlab.pc"
cat > "$t/p.c" <<'C'
#include <vmlab.h>
#include <stdio.h>
int main(void)
{
	vmlab_config_t cfg;
	vmlab_t *m;
	uint64_t a;
	char s[3] = {0};
	int pid;

	vmlab_config_default(&cfg);
	if (vmlab_create(&cfg, &m) || vmlab_spawn(m, &pid))
		return 1;
	vmlab_mmap(m, pid, 0, 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	vmlab_store(m, pid, a, "hi", 2, NULL);
	vmlab_load(m, pid, a, s, 2, NULL);
	vmlab_destroy(m);
	return s[0] == 'h' && s[1] == 'i' ? 0 : 1;
}
C
cc -o "$t/p" "$t/p.c" -I"$t/usr/include" "$t/usr/lib/libvmlab.a" -lm -lpthread
"$t/p"
