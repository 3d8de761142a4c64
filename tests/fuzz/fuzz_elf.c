/* tests/fuzz/fuzz_elf.c - libFuzzer harness for exec: the ELF parser (fs/binfmt_elf.c), the
 * kernel's loader and the ld.so model (sim/ldso.c). Each input is written to a program file
 * in a temporary folder (made once, removed at exit), and a process of a fresh 64 MiB machine
 * with every invariant checker on execs it, then exits. The exec may succeed or fail with an
 * errno; nothing may crash, leak, hang, trip a sanitizer or break an invariant. A fresh
 * machine each time, because a machine keeps what it read of a file (by device and inode)
 * and the file is rewritten for every input. The interpreter and libraries an input names
 * are looked up on the host as ld.so would (read only).
 * Seed corpus: tests/fuzz/corpus/elf, written by tests/bad/elf/make.py (the crafted bad
 * files and two small valid programs). Built and run by `make fuzz-elf`. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/vmlab.h"

static char dir[] = "/tmp/vmlab-fuzz-elf-XXXXXX";
static char prog[64];

static void cleanup(void)
{
	unlink(prog);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = {"prog", "an argument"};
	static const char *const envp[] = {"PATH=/bin", "HOME=/"};
	vmlab_config_t cfg;
	vmlab_t *m;
	char err[256];
	int fd, pid;

	if (!prog[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(prog, sizeof(prog), "%s/prog", dir);
		atexit(cleanup);
	}
	fd = open(prog, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	vmlab_config_default(&cfg);
	cfg.ram = 64ull << 20;
	cfg.check = 1;
	if (vmlab_create(&cfg, &m))
		abort();
	if (vmlab_spawn(m, &pid))
		abort();
	(void)vmlab_exec(m, pid, prog, 2, argv, 2, envp);
	if (vmlab_check(m, err, sizeof(err))) {
		fprintf(stderr, "fuzz_elf: invariant broken after exec: %s\n", err);
		abort();
	}
	vmlab_exit(m, pid); /* (the process may be gone already: exec ran out of memory) */
	if (vmlab_check(m, err, sizeof(err))) {
		fprintf(stderr, "fuzz_elf: invariant broken after exit: %s\n", err);
		abort();
	}
	vmlab_destroy(m);
	return 0;
}
