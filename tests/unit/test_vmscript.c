/* tests/unit/test_vmscript.c - the scenario parser (sim/vmscript.c) without a machine.
 * Mirrors sim/vmscript.c: lexer (comments, strings, escapes, fills), numbers and suffixes,
 * addresses, every statement form, the static checks and their "FILE:LINE: error:" lines.
 * The runner is covered by examples/, tests/scenarios/ and tests/bad/. */
#include <stdint.h>
#include <string.h>

#include "sim/vmscript.h"
#include "tests/unit/test.h"

static char err[600];

/* Parses text; returns 0 or -1 (then err holds the message). The script is left to the caller. */
static int parse(const char *text, struct vms_script *s)
{
	err[0] = 0;
	return vms_parse_text("t.vms", text, strlen(text), s, err, sizeof(err));
}

/* 1 if text fails to parse at line with a message containing what. */
static int rejects(const char *text, int line, const char *what)
{
	struct vms_script s;
	char prefix[64];
	int r = parse(text, &s);

	vms_free(&s);
	snprintf(prefix, sizeof(prefix), "t.vms:%d: error: ", line);
	if (r == 0 || strncmp(err, prefix, strlen(prefix)) || !strstr(err, what)) {
		printf("# %s -> '%s' (want line %d, '%s')\n", text, err, line, what);
		return 0;
	}
	return 1;
}

static void test_empty_and_comments(void)
{
	struct vms_script s;

	CHECK_EQ(parse("", &s), 0);
	CHECK_EQ(s.n, 0);
	vms_free(&s);
	CHECK_EQ(parse("# only a comment\n\n   \t\n", &s), 0);
	CHECK_EQ(s.n, 0);
	vms_free(&s);
	CHECK_EQ(parse("spawn p # trailing comment\r\nspawn q#glued\n", &s), 0);
	CHECK_EQ(s.n, 2);
	CHECK(!strcmp(s.stmts[0].proc, "p"));
	CHECK(!strcmp(s.stmts[1].proc, "q"));
	CHECK_EQ(s.stmts[1].line, 2);
	CHECK(!strcmp(s.stmts[0].text, "spawn p # trailing comment"));
	vms_free(&s);
}

static void test_machine(void)
{
	struct vms_script s;

	CHECK_EQ(parse("machine ram=128M tlb=16 tlb_ways=2 pcid=on cpus=4 seed=0x2a arch=x86_64 "
		       "swap=0 policy=linux thp=never\nspawn p\n", &s), 0);
	CHECK_EQ(s.cfg.ram, 128ull << 20);
	CHECK_EQ(s.cfg.tlb_entries, 16);
	CHECK_EQ(s.cfg.tlb_ways, 2);
	CHECK_EQ(s.cfg.pcid, 1);
	CHECK_EQ(s.cfg.nr_cpus, 4);
	CHECK_EQ(s.cfg.seed, 42);
	CHECK_EQ(s.cfg.randomize, 1);
	CHECK_EQ(s.machine_line, 1);
	vms_free(&s);
	CHECK_EQ(parse("spawn p\n", &s), 0);
	CHECK_EQ(s.cfg.ram, 64ull << 20); /* the default */
	CHECK_EQ(s.cfg.randomize, 0);
	vms_free(&s);
	CHECK(rejects("machine ram=2M\n", 1, "between 4M and 1T"));
	CHECK(rejects("machine ram=2T\n", 1, "between 4M and 1T"));
	CHECK(rejects("machine ram=4097K\n", 1, "multiple of 4K"));
	CHECK(rejects("machine tlb=0\n", 1, "power of two"));
	CHECK(rejects("machine tlb=48\n", 1, "power of two"));
	CHECK(rejects("machine tlb=131072\n", 1, "power of two"));
	CHECK(rejects("machine arch=arm64\n", 1, "only x86_64 is supported"));
	CHECK(rejects("machine swap=5000\n", 1, "multiple of 4K"));
	CHECK(rejects("machine swap=4K\n", 1, "from 8K"));
	CHECK(rejects("machine policy=opt\n", 1, "vmlab replay only"));
	CHECK(rejects("machine policy=random\n", 1, "unknown policy 'random'"));
	CHECK(rejects("machine swappiness=201\n", 1, "from 0 to 200"));
	CHECK(rejects("machine page_cluster=32\n", 1, "from 0 to 31"));
	CHECK(rejects("machine swap_backing=tape\n", 1, "memory, file or ramdisk"));
	CHECK(rejects("machine resident=0\n", 1, "at least 1 page"));
	CHECK(rejects("machine policy=lru\ncgroup g memory.max=1M\n", 2, "need policy=linux"));
	CHECK_EQ(parse("machine swap=1G policy=clock swappiness=100 page_cluster=0 resident=100\n", &s), 0);
	CHECK_EQ(s.cfg.swap, 1ull << 30);
	CHECK_EQ(strcmp(s.cfg.policy, "clock"), 0);
	CHECK_EQ(s.cfg.swappiness, 100);
	CHECK_EQ(s.cfg.page_cluster, 0);
	CHECK_EQ(s.cfg.resident_pages, 100);
	vms_free(&s);
	CHECK(rejects("machine thp=sometimes\n", 1, "never, madvise or always"));
	CHECK(rejects("machine pcid=maybe\n", 1, "on or off"));
	CHECK(rejects("machine colour=blue\n", 1, "unknown key 'colour'"));
	CHECK(rejects("machine ram\n", 1, "KEY=VALUE"));
	CHECK(rejects("spawn p\nmachine ram=8M\n", 2, "before any other"));
	CHECK(rejects("machine ram=8M\nmachine ram=8M\n", 2, "only once"));
}

static void test_numbers(void)
{
	struct vms_script s;

	CHECK_EQ(parse("spawn p\np: a = mmap 4K rw-p\np: b = mmap 0x2000 rw-p\n"
		       "p: c = mmap 1M rw-p\np: d = mmap 1G rw-p\np: e = mmap 0x1T rw-p\n", &s), 0);
	CHECK_EQ(s.stmts[1].len, 4096);
	CHECK_EQ(s.stmts[2].len, 8192);
	CHECK_EQ(s.stmts[3].len, 1 << 20);
	CHECK_EQ(s.stmts[4].len, 1 << 30);
	CHECK_EQ(s.stmts[5].len, 1ull << 40);
	vms_free(&s);
	CHECK(rejects("spawn p\np: a = mmap 12Q rw-p\n", 2, "bad number"));
	CHECK(rejects("spawn p\np: a = mmap 0x rw-p\n", 2, "bad number"));
	CHECK(rejects("spawn p\np: a = mmap 4KK rw-p\n", 2, "bad number"));
	CHECK(rejects("spawn p\np: a = mmap 18446744073709551616 rw-p\n", 2, "number too large"));
	CHECK(rejects("spawn p\np: a = mmap 0x10000000000000000 rw-p\n", 2, "number too large"));
	CHECK(rejects("spawn p\np: a = mmap 16777216T rw-p\n", 2, "number too large"));
}

static void test_addresses(void)
{
	struct vms_script s;

	CHECK_EQ(parse("spawn p\np: buf = mmap 8K rw-p\np: munmap buf+4K 4K\n"
		       "p: store stack-8 \"x\"\np: munmap 0x10000 4K\np: load stack-8M-4K 1\n", &s), 0);
	CHECK(!strcmp(s.stmts[2].addr.var, "buf"));
	CHECK_EQ(s.stmts[2].addr.off, 4096);
	CHECK(!strcmp(s.stmts[3].addr.var, "stack"));
	CHECK_EQ((int64_t)s.stmts[3].addr.off, -8);
	CHECK_EQ(s.stmts[4].addr.var[0], 0);
	CHECK_EQ(s.stmts[4].addr.off, 0x10000);
	CHECK_EQ((int64_t)s.stmts[5].addr.off, -(int64_t)((8 << 20) + 4096));
	vms_free(&s);
	CHECK(rejects("spawn p\np: munmap nothere 4K\n", 2, "variable 'nothere' is not defined"));
	CHECK(rejects("spawn p\np: munmap 0xffffffffffffffff+1 4K\n", 2, "overflows"));
	CHECK(rejects("spawn p\np: munmap 0-1 4K\n", 2, "overflows"));
	CHECK(rejects("spawn p\np: munmap stack* 4K\n", 2, "bad address"));
	CHECK(rejects("spawn p\np: munmap stack+ 4K\n", 2, "bad address"));
	/* a variable is defined by its statement, not before it */
	CHECK(rejects("spawn p\np: x = mremap x 4K 8K\n", 2, "not defined"));
	/* variables are global: a child uses its parent's */
	CHECK_EQ(parse("spawn p\np: x = mmap 4K rw-p\np: fork c\nc: store x \"a\"\n", &s), 0);
	vms_free(&s);
	CHECK(rejects("spawn p\np: stack = mmap 4K rw-p\n", 2, "predefined"));
}

static void test_data(void)
{
	struct vms_script s;

	CHECK_EQ(parse("spawn p\np: store stack-8 \"a\\n\\t\\\\\\\"\\x41 #\"\n"
		       "p: store stack-8 0x41*8192\np: load stack-8 3 == \"abc\"\n", &s), 0);
	CHECK_EQ(s.stmts[1].data.len, 8);
	CHECK(!memcmp(s.stmts[1].data.bytes, "a\n\t\\\"A #", 8));
	CHECK(s.stmts[2].data.bytes == NULL);
	CHECK_EQ(s.stmts[2].data.fill, 0x41);
	CHECK_EQ(s.stmts[2].data.len, 8192);
	CHECK_EQ(s.stmts[3].len, 3);
	CHECK(s.stmts[3].has_data);
	vms_free(&s);
	CHECK(rejects("spawn p\np: store stack-8 \"abc\n", 2, "unterminated string"));
	CHECK(rejects("spawn p\np: store stack-8 \"a\\qb\"\n", 2, "unknown escape"));
	CHECK(rejects("spawn p\np: store stack-8 \"\\x4\"\n", 2, "bad \\x escape"));
	CHECK(rejects("spawn p\np: store stack-8 \"ab\"cd\n", 2, "text right after a string"));
	CHECK(rejects("spawn p\np: store stack-8 \"\"\n", 2, "empty string"));
	CHECK(rejects("spawn p\np: store stack-8 0x41*0\n", 2, "fill count is zero"));
	CHECK(rejects("spawn p\np: store stack-8 0x41*2G\n", 2, "larger than 1G"));
	CHECK(rejects("spawn p\np: store stack-8 256*1\n", 2, "not a byte"));
	CHECK(rejects("spawn p\np: store stack-8 hello\n", 2, "BYTE*COUNT"));
	CHECK(rejects("spawn p\np: load stack-8 4 == \"abc\"\n", 2, "LEN is 4"));
	CHECK(rejects("spawn p\np: load stack-8 2G\n", 2, "from 1 to 1G"));
	CHECK(rejects("spawn p\np: load stack-8 4 = \"abcd\"\n", 2, "usage"));
}

static void test_statements(void)
{
	struct vms_script s;

	CHECK_EQ(parse("spawn p\n"
		       "p: a = mmap 8K r-xs fixed=0x400000 populate\n"
		       "p: mprotect a 4K r--\n"
		       "p: b = mremap a 8K 16K maymove\n"
		       "p: c = brk +4K\n"
		       "p: d = brk -4K\n"
		       "p: madvise b 4K dontneed\n"
		       "p: madvise b 4K sequential\n"
		       "p: touch b 16K w\n"
		       "p: msync b 4K\n"
		       "p: fork q\n"
		       "q: exit\n"
		       "show maps p\n"
		       "show meminfo\n"
		       "show tlb\n"
		       "expect p.minflt >= 2\n"
		       "expect meminfo.MemFree < 64M\n"
		       "expect tlb.hits != 0\n"
		       "p: exec /bin/true a b\n"
		       "p: e = mmap 4K r--p file=data.bin offset=4K\n", &s), 0);
	CHECK_EQ(s.n, 20);
	CHECK_EQ(s.stmts[1].op, VMS_MMAP);
	CHECK_EQ(s.stmts[1].prot, VMLAB_PROT_READ | VMLAB_PROT_EXEC);
	CHECK_EQ(s.stmts[1].flags, VMLAB_MAP_SHARED | VMLAB_MAP_POPULATE);
	CHECK(s.stmts[1].has_fixed);
	CHECK_EQ(s.stmts[1].addr2.off, 0x400000);
	CHECK_EQ(s.stmts[2].prot, VMLAB_PROT_READ);
	CHECK_EQ(s.stmts[3].op, VMS_MREMAP);
	CHECK_EQ(s.stmts[3].len2, 16384);
	CHECK_EQ(s.stmts[3].flags, VMLAB_MREMAP_MAYMOVE);
	CHECK_EQ(s.stmts[4].delta, 4096);
	CHECK_EQ(s.stmts[5].delta, -4096);
	CHECK_EQ(s.stmts[6].advice, VMLAB_MADV_DONTNEED);
	CHECK_EQ(s.stmts[7].advice, VMLAB_MADV_SEQUENTIAL);
	CHECK_EQ(s.stmts[8].kind, VMLAB_ACC_WRITE);
	CHECK_EQ(s.stmts[9].op, VMS_MSYNC);
	CHECK(!strcmp(s.stmts[10].child, "q"));
	CHECK_EQ(s.stmts[11].op, VMS_EXIT);
	CHECK(!strcmp(s.stmts[12].what, "maps") && !strcmp(s.stmts[12].proc, "p"));
	CHECK(!strcmp(s.stmts[15].lhs_obj, "p") && !strcmp(s.stmts[15].lhs_key, "minflt"));
	CHECK_EQ(s.stmts[15].cmp, 5);
	CHECK_EQ(s.stmts[16].value, 64ull << 20);
	CHECK_EQ(s.stmts[18].op, VMS_EXEC);
	CHECK(!strcmp(s.stmts[18].path, "/bin/true"));
	CHECK(!strcmp(s.stmts[19].path, "data.bin"));
	CHECK_EQ(s.stmts[19].offset, 4096);
	vms_free(&s);
}

static void test_static_checks(void)
{
	CHECK(rejects("spawn p\nfrobnicate\n", 2, "unknown statement 'frobnicate'"));
	CHECK(rejects("spawn p\np: jump 0x1000\n", 2, "unknown statement 'jump'"));
	CHECK(rejects("p: x = mmap 4K rw-p\n", 1, "no process named 'p'"));
	CHECK(rejects("spawn p\nspawn p\n", 2, "already exists"));
	CHECK(rejects("spawn p\np: fork p\n", 2, "already exists"));
	CHECK(rejects("spawn 9p\n", 1, "bad process name"));
	CHECK(rejects("spawn p q\n", 1, "usage: spawn NAME"));
	CHECK(rejects("spawn p\np: x = mmap 4K rwz\n", 2, "bad permissions"));
	CHECK(rejects("spawn p\np: x = mmap 4K rw-\n", 2, "bad permissions"));
	CHECK(rejects("spawn p\np: mprotect 0x1000 4K rw-p\n", 2, "bad protection"));
	CHECK(rejects("spawn p\np: madvise 0x1000 4K forget\n", 2, "unknown advice"));
	CHECK(rejects("spawn p\np: touch 0x1000 4K q\n", 2, "must be r or w"));
	CHECK(rejects("spawn p\np: touch 0x1000 0 r\n", 2, "must not be zero"));
	CHECK(rejects("spawn p\np: x = brk 4K\n", 2, "must start with + or -"));
	CHECK(rejects("spawn p\np: x = munmap 0x1000 4K\n", 2, "does not give a value"));
	CHECK(rejects("spawn p\np: x = mmap 4K rw-p bogus\n", 2, "unknown option 'bogus'"));
	CHECK(rejects("spawn p\np: x = mmap 4K rw-p offset=4K\n", 2, "offset= needs file="));
	CHECK(rejects("spawn p\np: x = mremap 0x1000 4K 8K fast\n", 2, "unknown option"));
	CHECK(rejects("spawn p\np: munmap 0x1000 4K extra\n", 2, "usage"));
	CHECK(rejects("spawn p\np: exit now\n", 2, "usage"));
	CHECK(rejects("spawn p\np:\n", 2, "missing statement"));
	CHECK(rejects("spawn p\np: munmap 0x1000 4K -> SIGSEGV\n", 2, "only allowed on store, load"));
	CHECK(rejects("spawn p\np: load 0x1000 1 -> ENOMEM\n", 2, "only allowed on system calls"));
	CHECK(rejects("spawn p\np: munmap 0x1000 4K -> EWHAT\n", 2, "unknown signal or errno"));
	CHECK(rejects("spawn p\np: munmap 0x1000 -> EINVAL 4K\n", 2, "must come last"));
	CHECK(rejects("spawn p\nshow pagemap\n", 2, "unknown view 'pagemap'"));
	CHECK(rejects("spawn p\nshow maps\n", 2, "needs a process name"));
	CHECK(rejects("spawn p\nshow meminfo p\n", 2, "takes no process name"));
	CHECK(rejects("spawn p\nshow maps q\n", 2, "no process named 'q'"));
	CHECK(rejects("spawn p\nexpect minflt == 1\n", 2, "bad left side"));
	CHECK(rejects("spawn p\nexpect p.minflt =< 1\n", 2, "unknown operator"));
	CHECK(rejects("spawn p\nexpect q.minflt == 1\n", 2, "no process named 'q'"));
	CHECK(rejects("spawn p\nexpect tlb.speed == 1\n", 2, "unknown TLB counter"));
	CHECK(rejects("spawn p\nexpect p.rss == 1 2\n", 2, "usage"));
}

static void test_robustness(void)
{
	static const char nul[] = "spawn p\nsp\0wn q\n";
	struct vms_script s;
	char *big;
	size_t i, n = 1 << 20;

	CHECK_EQ(vms_parse_text("t.vms", nul, sizeof(nul) - 1, &s, err, sizeof(err)), -1);
	CHECK(strstr(err, "t.vms:2: error: NUL byte") != NULL);
	vms_free(&s);
	CHECK(rejects("spawn p\n\xff\xfe\x01garbage\n", 2, "unknown statement"));
	/* a 1 MiB line of one word, and one with too many words */
	big = malloc(n + 16);
	CHECK(big != NULL);
	if (!big)
		return;
	memcpy(big, "spawn ", 6);
	for (i = 6; i < n; i++)
		big[i] = 'a';
	big[n] = 0;
	CHECK(rejects(big, 1, "bad process name"));
	for (i = 0; i + 2 < n; i += 2)
		memcpy(big + i, "x ", 2);
	big[i] = 0;
	CHECK(rejects(big, 1, "too many words"));
	free(big);
	/* no trailing newline, and many statements */
	CHECK_EQ(parse("spawn p\np: exit", &s), 0);
	CHECK_EQ(s.n, 2);
	vms_free(&s);
	CHECK_EQ(vms_parse_file("/nonexistent/x.vms", &s, err, sizeof(err)), -1);
	CHECK(!strcmp(err, "vmlab: /nonexistent/x.vms: No such file or directory"));
	vms_free(&s);
	CHECK_EQ(vms_parse_file("/", &s, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a regular file") != NULL);
	vms_free(&s);
}

int main(void)
{
	RUN(test_empty_and_comments);
	RUN(test_machine);
	RUN(test_numbers);
	RUN(test_addresses);
	RUN(test_data);
	RUN(test_statements);
	RUN(test_static_checks);
	RUN(test_robustness);
	TEST_EXIT();
}
