/* tests/unit/test_exec.c - vmlab_exec through the public API: the initial stack (argc, argv,
 * envp, the auxiliary vector with real bytes behind its pointers), the program's and the
 * loader's headers in memory, bss zeroed, errors that leave the process as it was (ENOENT,
 * E2BIG), an empty argv, counters kept across exec, mlock of [vdso] and [vvar] (which locks
 * nothing), fork after exec, and a second exec.
 * Uses /bin/true and its libraries (every Debian machine has them); skips when absent. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "include/vmlab.h"
#include "test.h"

#define PROG "/bin/true"

static vmlab_t *m;
static int pid;
static Elf64_Ehdr eh;      /* /bin/true's header */
static Elf64_Phdr ph[64];  /* and program headers */

static int setup(void)
{
	vmlab_config_t cfg;
	FILE *f = fopen(PROG, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(&eh, sizeof(eh), 1, f) == 1 && eh.e_phnum <= 64 &&
	     !fseek(f, (long)eh.e_phoff, SEEK_SET) && fread(ph, sizeof(ph[0]), eh.e_phnum, f) == eh.e_phnum;
	fclose(f);
	if (!ok)
		return 0;
	vmlab_config_default(&cfg);
	cfg.check = 1;
	cfg.ram = 256ull << 20;
	vmlab_create(&cfg, &m);
	vmlab_spawn(m, &pid);
	return 1;
}

static uint64_t u64(uint64_t addr)
{
	uint64_t v = 0;

	vmlab_load(m, pid, addr, &v, 8, NULL);
	return v;
}

static int str_at(uint64_t addr, const char *want)
{
	char buf[256] = {0};
	size_t n = strlen(want) + 1;

	return n <= sizeof(buf) && !vmlab_load(m, pid, addr, buf, n, NULL) && !memcmp(buf, want, n);
}

static uint64_t load_bias(void)
{
	return eh.e_type == ET_DYN ? 0x555555554000ull : 0;
}

static void stack_and_auxv(void)
{
	const char *argv[] = {PROG, "one", "two words"}, *envp[] = {"A=1", "PATH=/bin"};
	uint64_t sp, a, v[64] = {0}, execfn = 0, platform = 0, rnd = 0, base = 0, vdso = 0;
	int i, n, found = 0;
	char magic[4];

	CHECK_EQ(vmlab_exec(m, pid, PROG, 3, argv, 2, envp), 0);
	CHECK(vmlab_alive(m, pid));
	CHECK(!strcmp(vmlab_exec_error(m), ""));
	sp = vmlab_stack_top(m, pid);
	CHECK((sp & 15) == 0);
	CHECK_EQ(u64(sp), 3); /* argc */
	for (i = 0; i < 3; i++)
		CHECK(str_at(u64(sp + 8 + 8 * (uint64_t)i), argv[i]));
	CHECK_EQ(u64(sp + 32), 0);
	CHECK(str_at(u64(sp + 40), "A=1"));
	CHECK(str_at(u64(sp + 48), "PATH=/bin"));
	CHECK_EQ(u64(sp + 56), 0);
	/* the auxiliary vector: pairs up to AT_NULL */
	for (a = sp + 64, n = 0; n < 64; a += 16, n++) {
		uint64_t type = u64(a), val = u64(a + 8);

		if (type == AT_NULL)
			break;
		if (type < 64)
			v[type] = val;
		found++;
	}
	CHECK(found >= 20);
	CHECK_EQ(v[AT_PAGESZ], 4096);
	CHECK_EQ(v[AT_PHENT], sizeof(Elf64_Phdr));
	CHECK_EQ(v[AT_PHNUM], eh.e_phnum);
	CHECK_EQ(v[AT_ENTRY], load_bias() + eh.e_entry);
	CHECK_EQ(v[AT_CLKTCK], 100);
	execfn = v[AT_EXECFN];
	platform = v[AT_PLATFORM];
	rnd = v[AT_RANDOM];
	base = v[AT_BASE];
	vdso = v[AT_SYSINFO_EHDR];
	CHECK(str_at(execfn, PROG));
	CHECK(str_at(platform, "x86_64"));
	CHECK(rnd > sp && rnd < execfn);
	/* AT_PHDR: the program headers as in the file; AT_BASE and AT_SYSINFO_EHDR: ELF images */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr p;

		CHECK_EQ(vmlab_load(m, pid, v[AT_PHDR] + (uint64_t)i * sizeof(p), &p, sizeof(p), NULL), 0);
		CHECK(!memcmp(&p, &ph[i], sizeof(p)));
	}
	CHECK(base != 0);
	CHECK_EQ(vmlab_load(m, pid, base, magic, 4, NULL), 0);
	CHECK(!memcmp(magic, ELFMAG, 4));
	CHECK_EQ(vmlab_load(m, pid, vdso, magic, 4, NULL), 0);
	CHECK(!memcmp(magic, ELFMAG, 4));
}

static void memory_contents(void)
{
	const Elf64_Phdr *last = NULL;
	uint64_t bias = load_bias(), i;
	Elf64_Ehdr mem;
	uint8_t b;
	int k;

	/* the first page maps the file: its ELF header */
	CHECK_EQ(vmlab_load(m, pid, bias + (ph[0].p_vaddr & ~4095ull), &mem, sizeof(mem), NULL), 0);
	CHECK(!memcmp(&mem, &eh, sizeof(eh)));
	/* the bss past p_filesz reads zero, up to p_memsz */
	for (k = 0; k < eh.e_phnum; k++)
		if (ph[k].p_type == PT_LOAD)
			last = &ph[k];
	CHECK(last != NULL);
	for (i = last ? last->p_filesz : 0; last && i < last->p_memsz; i += 61) {
		CHECK_EQ(vmlab_load(m, pid, bias + last->p_vaddr + i, &b, 1, NULL), 0);
		CHECK_EQ(b, 0);
	}
}

static void errors_keep_the_process(void)
{
	const char *argv[] = {"x"};
	char *big = malloc(200000);
	const char *bigv[] = {big};
	uint64_t addr;
	char buf[6];
	int c;

	CHECK_EQ(vmlab_mmap(m, pid, 0, 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
			    VMLAB_MAP_PRIVATE, &addr), 0);
	CHECK_EQ(vmlab_store(m, pid, addr, "still", 6, NULL), 0);
	CHECK_EQ(vmlab_exec(m, pid, "/nonexistent/prog", 1, argv, 0, NULL), -ENOENT);
	CHECK(strstr(vmlab_exec_error(m), "No such file or directory") != NULL);
	CHECK_EQ(vmlab_exec(m, pid, "/", 1, argv, 0, NULL), -EACCES);
	CHECK_EQ(vmlab_exec(m, pid, NULL, 1, argv, 0, NULL), -EFAULT);
	CHECK_EQ(vmlab_exec(m, pid, PROG, -1, argv, 0, NULL), -EFAULT);
	CHECK_EQ(vmlab_exec(m, 9999, PROG, 1, argv, 0, NULL), -ESRCH);
	CHECK_EQ(vmlab_exec(NULL, pid, PROG, 1, argv, 0, NULL), -ESRCH);
	memset(big, 'a', 199999);
	big[199999] = 0; /* one string above MAX_ARG_STRLEN (128 KiB) */
	CHECK_EQ(vmlab_exec(m, pid, PROG, 1, bigv, 0, NULL), -E2BIG);
	big[120000] = 0; /* 120 KB strings, 20 of them: above a quarter of the stack limit */
	{
		const char *many[20];

		for (c = 0; c < 20; c++)
			many[c] = big;
		CHECK_EQ(vmlab_exec(m, pid, PROG, 20, many, 0, NULL), -E2BIG);
	}
	free(big);
	CHECK(vmlab_alive(m, pid));
	CHECK_EQ(vmlab_load(m, pid, addr, buf, 6, NULL), 0);
	CHECK(!strcmp(buf, "still"));
}

static void empty_argv_and_counters(void)
{
	uint64_t before, after, sp;

	vmlab_touch(m, pid, vmlab_stack_top(m, pid) - 8192, 8192, VMLAB_ACC_WRITE, NULL);
	vmlab_task_stat(m, pid, "minflt", &before);
	CHECK_EQ(vmlab_exec(m, pid, PROG, 0, NULL, 0, NULL), 0);
	vmlab_task_stat(m, pid, "minflt", &after);
	CHECK(after >= before); /* exec keeps the task's counters (only fork resets them) */
	sp = vmlab_stack_top(m, pid);
	CHECK_EQ(u64(sp), 1); /* an empty argv becomes {""} */
	CHECK(str_at(u64(sp + 8), ""));
	CHECK_EQ(u64(sp + 16), 0);
}

/* The [vdso] and [vvar] mappings are VM_SPECIAL: mlock succeeds over them but locks nothing
 * (their pages are the kernel's, never on an LRU list). */
static void mlock_special(void)
{
	const char *names[] = {"[vdso]", "[vvar]"};
	char *maps = NULL, *smaps = NULL;
	unsigned i;

	vmlab_show(m, "maps", pid, &maps);
	for (i = 0; maps && i < 2; i++) {
		char *line = strstr(maps, names[i]), *bol;
		unsigned long long start = 0, end = 0;
		uint8_t byte;

		CHECK(line != NULL);
		if (!line)
			continue;
		for (bol = line; bol > maps && bol[-1] != '\n'; bol--)
			;
		CHECK_EQ(sscanf(bol, "%llx-%llx", &start, &end), 2);
		CHECK_EQ(vmlab_load(m, pid, start, &byte, 1, NULL), 0); /* mapped before the mlock */
		CHECK_EQ(vmlab_mlock(m, pid, start, end - start), 0);
		CHECK_EQ(vmlab_check(m, NULL, 0), 0);
	}
	vmlab_show(m, "smaps", pid, &smaps);
	CHECK(smaps && !strstr(smaps, " lo "));           /* no VMA got VM_LOCKED */
	CHECK(smaps && !strstr(smaps, "\nLocked:              4 kB")); /* nor a locked page */
	free(maps);
	free(smaps);
}

static void fork_after_exec(void)
{
	char *a = NULL, *b = NULL;
	int child = 0;

	CHECK_EQ(vmlab_fork(m, pid, &child), 0);
	vmlab_show(m, "maps", pid, &a);
	vmlab_show(m, "maps", child, &b);
	CHECK(a && b && !strcmp(a, b));
	CHECK(a && strstr(a, "[vdso]") && strstr(a, "libc.so.6"));
	free(a);
	free(b);
	CHECK_EQ(vmlab_exit(m, child), 0);
	CHECK_EQ(vmlab_exit(m, pid), 0);
	CHECK_EQ(vmlab_check(m, NULL, 0), 0);
	vmlab_destroy(m);
}

/* Random damage to the headers of a real program (its first 4 KiB, where the ELF header,
 * program headers, PT_INTERP and often the dynamic section are): every exec must either
 * work or fail with an errno, never crash, and leave every invariant holding. */
static void fuzz_headers(void)
{
	static uint8_t orig[1 << 16], buf[1 << 16];
	char dir[] = "/tmp/vmlab-test-exec-XXXXXX", path[64];
	vmlab_config_t cfg;
	uint64_t rng = 42;
	size_t n;
	FILE *f = fopen(PROG, "rb");
	int i;

	if (!f || !mkdtemp(dir)) {
		if (f)
			fclose(f);
		return;
	}
	n = fread(orig, 1, sizeof(orig), f);
	fclose(f);
	vmlab_config_default(&cfg);
	cfg.ram = 128ull << 20;
	cfg.check = 1;
	vmlab_create(&cfg, &m);
	for (i = 0; i < 300; i++) {
		const char *argv[] = {"fuzz"};
		int k, flips = 1 + i % 8, err, p, ok;
		char why[256];
		FILE *o;

		/* a new file each time: the machine's page cache keeps what it read of a file */
		snprintf(path, sizeof(path), "%s/%d", dir, i);
		memcpy(buf, orig, n);
		for (k = 0; k < flips; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			buf[(rng >> 33) % (n < 4096 ? n : 4096)] ^= (uint8_t)(1u << ((rng >> 20) & 7));
		}
		o = fopen(path, "wb");
		if (!o)
			break;
		fwrite(buf, 1, i % 50 == 49 ? (size_t)(rng >> 40) % n : n, o); /* sometimes truncated */
		fclose(o);
		chmod(path, 0755);
		vmlab_spawn(m, &p);
		err = vmlab_exec(m, p, path, 1, argv, 0, NULL);
		ok = err == 0 || err == -ENOEXEC || err == -EINVAL || err == -ENOENT || err == -ELIBBAD ||
		     err == -EIO || err == -EPERM || err == -ENOMEM || err == -EACCES ||
		     err == -ENAMETOOLONG || err == -EEXIST || err == -EFAULT;
		CHECK(ok);
		CHECK(err || vmlab_alive(m, p));
		CHECK(!err || strlen(vmlab_exec_error(m)) > 0);
		CHECK_EQ(vmlab_check(m, why, sizeof(why)), 0);
		if (vmlab_alive(m, p))
			vmlab_exit(m, p);
	}
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "%s/%d", dir, i);
		unlink(path);
	}
	rmdir(dir);
	CHECK_EQ(vmlab_check(m, NULL, 0), 0);
	vmlab_destroy(m);
}

int main(void)
{
	if (!setup()) {
		printf("ok - skipped (no %s)\n", PROG);
		return 0;
	}
	RUN(stack_and_auxv);
	RUN(memory_contents);
	RUN(errors_keep_the_process);
	RUN(empty_argv_and_counters);
	RUN(mlock_special);
	RUN(fork_after_exec);
	RUN(fuzz_headers);
	TEST_EXIT();
}
