/* tests/unit/test_proc.c - the /proc views of fs/proc/ through the public API.
 * No kernel twin. Checks the exact line formats Linux tools parse (maps: the name at column
 * 73, the [vsyscall] line last; smaps: field order and widths, Pss of shared pages; status and
 * meminfo: labels, order and "%8lu kB"; vmstat: every counter name exactly once; buddyinfo,
 * zoneinfo, slabinfo, vmallocinfo shapes) and that the single-value readers agree with the
 * text. Uses mm/internal.h only for the vmstat name tables.
 */
#include <errno.h>
#include <string.h>

#include "include/vmlab.h"
#include "mm/internal.h"
#include "tests/unit/test.h"

#define KB 1024ull

static vmlab_t *machine(void)
{
	vmlab_config_t cfg;
	vmlab_t *m = NULL;

	vmlab_config_default(&cfg);
	cfg.ram = 64ull << 20;
	cfg.check = 1;
	if (vmlab_create(&cfg, &m))
		return NULL;
	return m;
}

static char *show(vmlab_t *m, const char *what, int pid)
{
	char *s = NULL;

	if (vmlab_show(m, what, pid, &s))
		return NULL;
	return s;
}

/* The n-th line (0-based) of text copied into buf, or "" past the end. */
static const char *line_at(const char *text, int n, char *buf, size_t size)
{
	const char *p = text, *e;
	size_t len;

	while (n-- > 0 && p) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p) {
		buf[0] = 0;
		return buf;
	}
	e = strchr(p, '\n');
	len = e ? (size_t)(e - p) : strlen(p);
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = 0;
	return buf;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Lines starting with prefix. */
static int count_prefix(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	int c = 0;
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, prefix, n))
			c++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return c;
}

/* The value of "LABEL<spaces>N kB" (an smaps/meminfo line) in the block starting at text. */
static long long field(const char *text, const char *label)
{
	const char *p = strstr(text, label);

	return p ? strtoll(p + strlen(label), NULL, 10) : -1;
}

/* A "%-16s%8llu kB" line: label (with colon) padded to 16, value right-aligned in 8. */
static int is_kb_line(const char *l, const char *label)
{
	size_t n = strlen(label);
	int i;

	if (strlen(l) != 27 || strncmp(l, label, n) || strcmp(l + 24, " kB"))
		return 0;
	for (i = (int)n; i < 16; i++)
		if (l[i] != ' ')
			return 0;
	for (i = 16; i < 24 && l[i] == ' '; i++)
		;
	for (; i < 24; i++)
		if (l[i] < '0' || l[i] > '9')
			return 0;
	return 1;
}

struct layout {
	vmlab_t *m;
	int pid;
	uint64_t heap, buf, shm;
};

/* A process with a heap page, 64 KiB of anonymous memory and 16 KiB of shared memory. */
static int build(struct layout *l)
{
	uint64_t old;

	l->m = machine();
	if (!l->m || vmlab_spawn(l->m, &l->pid))
		return -1;
	if (vmlab_brk(l->m, l->pid, 0, &l->heap) || vmlab_brk(l->m, l->pid, 8192, &old))
		return -1;
	if (vmlab_mmap(l->m, l->pid, 0, 64 * KB, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
		       VMLAB_MAP_PRIVATE | VMLAB_MAP_ANONYMOUS, &l->buf))
		return -1;
	if (vmlab_mmap(l->m, l->pid, 0, 16 * KB, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
		       VMLAB_MAP_SHARED | VMLAB_MAP_ANONYMOUS, &l->shm))
		return -1;
	if (vmlab_touch(l->m, l->pid, l->heap, 4096, VMLAB_ACC_WRITE, NULL) ||
	    vmlab_touch(l->m, l->pid, l->buf, 64 * KB, VMLAB_ACC_WRITE, NULL) ||
	    vmlab_touch(l->m, l->pid, l->shm, 16 * KB, VMLAB_ACC_WRITE, NULL))
		return -1;
	return 0;
}

static void test_maps_format(void)
{
	struct layout l;
	char *s, line[256], want[128];
	int i, n, named = 0, heap = 0, stack = 0, shm = 0;

	CHECK(build(&l) == 0);
	s = show(l.m, "maps", l.pid);
	CHECK(s != NULL);
	if (!s)
		return;
	n = count_lines(s);
	CHECK(n >= 5);
	for (i = 0; i < n; i++) {
		unsigned long long a, b, off, ino;
		unsigned maj, min;
		char perms[5];
		int used = 0;

		line_at(s, i, line, sizeof(line));
		CHECK(sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &a, &b, perms, &off, &maj, &min,
			     &ino, &used) == 7);
		CHECK(a < b);
		if ((int)strlen(line) > used) { /* a name: it starts at column 73 */
			named++;
			CHECK(used <= 73);
			CHECK(line[72] == ' ' && line[73] != ' ');
			heap += !strcmp(line + 73, "[heap]");
			stack += !strcmp(line + 73, "[stack]");
			if (!strcmp(line + 73, "/dev/zero (deleted)")) {
				shm++;
				CHECK(maj == 0 && min == 1 && ino > 0);
				CHECK(perms[3] == 's');
			}
		} else { /* anonymous: the line ends with the space after the inode */
			CHECK(line[strlen(line) - 1] == ' ');
			CHECK(!strcmp(line + strlen(line) - 18, " 00000000 00:00 0 "));
		}
	}
	CHECK_EQ(heap, 1);
	CHECK_EQ(stack, 1);
	CHECK_EQ(shm, 1);
	CHECK(named >= 4);
	/* the anonymous mapping, exactly */
	snprintf(want, sizeof(want), "%08llx-%08llx rw-p 00000000 00:00 0 ",
		 (unsigned long long)l.buf, (unsigned long long)(l.buf + 64 * KB));
	CHECK(strstr(s, want) != NULL);
	/* the gate VMA is the last line */
	line_at(s, n - 1, line, sizeof(line));
	CHECK(!strcmp(line, "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  "
			    "[vsyscall]"));
	free(s);
	vmlab_destroy(l.m);
}

static const char *const smaps_fields[] = {
	"Size:", "KernelPageSize:", "MMUPageSize:", "Rss:", "Pss:", "Pss_Dirty:", "Shared_Clean:",
	"Shared_Dirty:", "Private_Clean:", "Private_Dirty:", "Referenced:", "Anonymous:", "KSM:",
	"LazyFree:", "AnonHugePages:", "ShmemPmdMapped:", "FilePmdMapped:", "Shared_Hugetlb:",
	"Private_Hugetlb:", "Swap:", "SwapPss:", "Locked:", "THPeligible:", "VmFlags:",
};
#define NR_SMAPS_FIELDS (int)(sizeof(smaps_fields) / sizeof(smaps_fields[0]))

/* The smaps block of the VMA starting at addr (a pointer into s), or NULL. */
static const char *smaps_block(const char *s, uint64_t addr)
{
	char head[32];

	snprintf(head, sizeof(head), "%08llx-", (unsigned long long)addr);
	return strstr(s, head);
}

static void test_smaps_format(void)
{
	struct layout l;
	char *s, line[256];
	int i, n, blocks, bad = 0;

	CHECK(build(&l) == 0);
	s = show(l.m, "smaps", l.pid);
	CHECK(s != NULL);
	if (!s)
		return;
	n = count_lines(s);
	blocks = n / (NR_SMAPS_FIELDS + 1);
	CHECK_EQ(n % (NR_SMAPS_FIELDS + 1), 0);
	for (i = 0; i < n; i++) {
		int k = i % (NR_SMAPS_FIELDS + 1);
		const char *f;

		line_at(s, i, line, sizeof(line));
		if (k == 0)
			continue; /* the maps line */
		f = smaps_fields[k - 1];
		if (!strcmp(f, "Private_Hugetlb:"))
			bad += strcmp(line, "Private_Hugetlb:       0 kB") != 0;
		else if (!strcmp(f, "THPeligible:"))
			bad += strcmp(line, "THPeligible:           0") != 0;
		else if (!strcmp(f, "VmFlags:"))
			bad += strncmp(line, "VmFlags: ", 9) != 0 || line[strlen(line) - 1] != ' ';
		else
			bad += !is_kb_line(line, f);
		if (bad && !t_failed_checks)
			printf("# bad smaps line %d: '%s'\n", i, line);
	}
	CHECK_EQ(bad, 0);
	CHECK(count_prefix(s, "ffffffffff600000-ffffffffff601000 --xp") == 1);
	CHECK(strstr(s, "[vsyscall]\nSize:                  4 kB\n") != NULL);
	CHECK(blocks >= 5);
	{
		const char *b = smaps_block(s, l.buf);

		CHECK(b != NULL);
		if (b) {
			CHECK_EQ(field(b, "\nSize:"), 64);
			CHECK_EQ(field(b, "\nRss:"), 64);
			CHECK_EQ(field(b, "\nPss:"), 64);
			CHECK_EQ(field(b, "\nPrivate_Dirty:"), 64);
			CHECK_EQ(field(b, "\nAnonymous:"), 64);
			CHECK_EQ(field(b, "\nReferenced:"), 64);
			CHECK(strstr(b, "\nVmFlags: rd wr mr mw me ac \n") != NULL);
		}
		b = smaps_block(s, l.shm);
		CHECK(b != NULL);
		if (b) {
			CHECK_EQ(field(b, "\nRss:"), 16);
			CHECK_EQ(field(b, "\nAnonymous:"), 0); /* shmem pages are not PageAnon */
			CHECK(strstr(b, "\nVmFlags: rd wr sh mr mw me ms \n") != NULL);
		}
	}
	free(s);
	vmlab_destroy(l.m);
}

/* After fork both processes map the 16 pages: each has Pss = half, Shared_Dirty = all. */
static void test_smaps_pss_shared(void)
{
	struct layout l;
	char *s;
	int child;
	const char *b;

	CHECK(build(&l) == 0);
	CHECK(vmlab_fork(l.m, l.pid, &child) == 0);
	s = show(l.m, "smaps", child);
	b = s ? smaps_block(s, l.buf) : NULL;
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ(field(b, "\nRss:"), 64);
		CHECK_EQ(field(b, "\nPss:"), 32);
		CHECK_EQ(field(b, "\nPss_Dirty:"), 32);
		CHECK_EQ(field(b, "\nShared_Dirty:"), 64);
		CHECK_EQ(field(b, "\nPrivate_Dirty:"), 0);
	}
	free(s);
	/* the child writes 4 pages: they become private copies */
	CHECK(vmlab_touch(l.m, child, l.buf, 16 * KB, VMLAB_ACC_WRITE, NULL) == 0);
	s = show(l.m, "smaps", child);
	b = s ? smaps_block(s, l.buf) : NULL;
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ(field(b, "\nRss:"), 64);
		CHECK_EQ(field(b, "\nPss:"), 16 + 24);
		CHECK_EQ(field(b, "\nPrivate_Dirty:"), 16);
		CHECK_EQ(field(b, "\nShared_Dirty:"), 48);
	}
	free(s);
	s = show(l.m, "smaps", l.pid);
	b = s ? smaps_block(s, l.buf) : NULL;
	if (b)
		CHECK_EQ(field(b, "\nPss:"), 16 + 24); /* the parent's 4 originals are private now */
	free(s);
	vmlab_destroy(l.m);
}

static const char *const status_mem[] = {
	"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem",
	"VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages",
};
#define NR_STATUS_MEM (int)(sizeof(status_mem) / sizeof(status_mem[0]))

static void test_status(void)
{
	struct layout l;
	char *s, line[128];
	int i, first = -1, n;
	uint64_t v, rss;

	CHECK(build(&l) == 0);
	s = show(l.m, "status", l.pid);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(!strncmp(s, "Name:\t", 6));
	n = count_lines(s);
	for (i = 0; i < n && first < 0; i++)
		if (!strncmp(line_at(s, i, line, sizeof(line)), "VmPeak:\t", 8))
			first = i;
	CHECK(first > 0);
	CHECK(!strcmp(line_at(s, first - 1, line, sizeof(line)), "Kthread:\t0"));
	for (i = 0; i < NR_STATUS_MEM && first > 0; i++) {
		char want[32];
		size_t k;

		line_at(s, first + i, line, sizeof(line));
		snprintf(want, sizeof(want), "%s:\t", status_mem[i]);
		k = strlen(want);
		CHECK(!strncmp(line, want, k));
		CHECK(strlen(line) == k + 8 + 3 && !strcmp(line + k + 8, " kB"));
		CHECK(vmlab_task_stat(l.m, l.pid, status_mem[i], &v) == 0);
		CHECK_EQ(v, strtoull(line + k, NULL, 10) * KB);
	}
	CHECK(!strcmp(line_at(s, first + NR_STATUS_MEM, line, sizeof(line)), "CoreDumping:\t0"));
	CHECK(strstr(s, "\nGroups:\t \nNStgid:\t") != NULL);
	CHECK(strstr(s, "\nThreads:\t1\nSigQ:\t0/") != NULL);
	/* RSS: 1 heap + 16 anon + 4 shmem pages */
	CHECK(vmlab_task_stat(l.m, l.pid, "VmRSS", &v) == 0);
	CHECK_EQ(v, 21 * 4 * KB);
	CHECK(vmlab_task_stat(l.m, l.pid, "rss", &rss) == 0);
	CHECK_EQ(rss, v);
	CHECK(vmlab_task_stat(l.m, l.pid, "RssShmem", &v) == 0);
	CHECK_EQ(v, 16 * KB);
	CHECK(vmlab_task_stat(l.m, l.pid, "vmsize", &v) == 0);
	CHECK(vmlab_task_stat(l.m, l.pid, "VmSize", &rss) == 0);
	CHECK_EQ(v, rss);
	CHECK_EQ(vmlab_task_stat(l.m, l.pid, "Name", &v), -ENOENT);
	CHECK_EQ(vmlab_task_stat(l.m, l.pid, "VmNothing", &v), -ENOENT);
	free(s);
	vmlab_destroy(l.m);
}

static const char *const meminfo_labels[] = {
	"MemTotal:", "MemFree:", "MemAvailable:", "Buffers:", "Cached:", "SwapCached:", "Active:",
	"Inactive:", "Active(anon):", "Inactive(anon):", "Active(file):", "Inactive(file):",
	"Unevictable:", "Mlocked:", "SwapTotal:", "SwapFree:", "Dirty:", "Writeback:",
	"AnonPages:", "Mapped:", "Shmem:", "KReclaimable:", "Slab:", "SReclaimable:", "SUnreclaim:",
	"KernelStack:", "PageTables:", "SecPageTables:", "NFS_Unstable:", "Bounce:",
	"WritebackTmp:", "CommitLimit:", "Committed_AS:", "VmallocTotal:", "VmallocUsed:",
	"VmallocChunk:", "Percpu:", "HardwareCorrupted:", "AnonHugePages:", "ShmemHugePages:",
	"ShmemPmdMapped:", "FileHugePages:", "FilePmdMapped:", "Balloon:", "HugePages_Total:",
	"HugePages_Free:", "HugePages_Rsvd:", "HugePages_Surp:", "Hugepagesize:", "Hugetlb:",
	"DirectMap4k:", "DirectMap2M:", "DirectMap1G:",
};
#define NR_MEMINFO (int)(sizeof(meminfo_labels) / sizeof(meminfo_labels[0]))

static void test_meminfo(void)
{
	struct layout l;
	char *s, line[128];
	int i;
	uint64_t v, total, free_, anon;

	CHECK(build(&l) == 0);
	s = show(l.m, "meminfo", l.pid);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ(count_lines(s), NR_MEMINFO);
	for (i = 0; i < NR_MEMINFO; i++) {
		const char *lab = meminfo_labels[i];

		line_at(s, i, line, sizeof(line));
		if (!strcmp(lab, "HardwareCorrupted:"))
			CHECK(!strcmp(line, "HardwareCorrupted:     0 kB"));
		else if (!strncmp(lab, "HugePages_", 10))
			CHECK(strlen(line) == 19 + 5 && !strncmp(line, lab, strlen(lab)));
		else if (!strcmp(lab, "VmallocTotal:"))
			CHECK(!strcmp(line, "VmallocTotal:   34359738367 kB"));
		else if (!is_kb_line(line, lab)) {
			printf("# bad meminfo line: '%s'\n", line);
			CHECK(0);
		}
	}
	CHECK(vmlab_meminfo(l.m, "MemTotal", &total) == 0);
	CHECK(vmlab_meminfo(l.m, "MemFree", &free_) == 0);
	CHECK(total > free_ && total <= 64ull << 20);
	CHECK(vmlab_meminfo(l.m, "AnonPages", &anon) == 0);
	CHECK_EQ(anon, 17 * 4 * KB); /* heap + buf; shmem is not AnonPages */
	CHECK(vmlab_meminfo(l.m, "Shmem", &v) == 0);
	CHECK_EQ(v, 16 * KB);
	CHECK(vmlab_meminfo(l.m, "Active(anon)", &v) == 0);
	CHECK(vmlab_meminfo(l.m, "Inactive(anon)", &anon) == 0);
	CHECK_EQ(v + anon, 21 * 4 * KB); /* shmem pages are on the anon LRU */
	CHECK(vmlab_meminfo(l.m, "HugePages_Total", &v) == 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vmlab_meminfo(l.m, "MemNothing", &v), -ENOENT);
	CHECK_EQ(vmlab_meminfo(l.m, "Active", &v), 0); /* not confused with Active(anon) */
	free(s);
	vmlab_destroy(l.m);
}

/* Each name of the mm/vmstat.c tables is a line of /proc/vmstat, exactly once. */
static int once(const char *s, const char *name)
{
	char prefix[80];

	snprintf(prefix, sizeof(prefix), "%.64s ", name);
	return count_prefix(s, prefix) == 1;
}

static void test_vmstat(void)
{
	struct layout l;
	char *s, line[128];
	int i, n, bad = 0;
	uint64_t v, before;

	CHECK(build(&l) == 0);
	s = show(l.m, "vmstat", l.pid);
	CHECK(s != NULL);
	if (!s)
		return;
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		bad += !zone_stat_names[i] || !once(s, zone_stat_names[i]);
	for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		bad += !node_stat_names[i] || !once(s, node_stat_names[i]);
	for (i = 0; i < NR_VM_EVENT_ITEMS; i++)
		bad += !vm_event_names[i] || !once(s, vm_event_names[i]);
	CHECK_EQ(bad, 0);
	/* every line is "name value", no name twice */
	n = count_lines(s);
	for (i = 0; i < n; i++) {
		char name[64];
		unsigned long long val;

		line_at(s, i, line, sizeof(line));
		bad += sscanf(line, "%63s %llu", name, &val) != 2 || !once(s, name);
	}
	CHECK_EQ(bad, 0);
	CHECK(!strncmp(s, "nr_free_pages ", 14));
	CHECK(strstr(s, "\nnr_dirty_threshold ") && strstr(s, "\nnr_dirty_background_threshold "));
	CHECK(!strcmp(line_at(s, n - 1, line, sizeof(line)), "direct_map_level3_collapses 0"));
	CHECK(vmlab_vmstat(l.m, "compact_stall", &v) == 0 && v == 0);
	CHECK(vmlab_vmstat(l.m, "nr_anon_pages", &v) == 0);
	CHECK_EQ(v, 17);
	CHECK(vmlab_vmstat(l.m, "nr_shmem", &v) == 0);
	CHECK_EQ(v, 4);
	CHECK(vmlab_vmstat(l.m, "pgfault", &before) == 0);
	CHECK(vmlab_touch(l.m, l.pid, l.buf + 64 * KB - 4096, 4096, VMLAB_ACC_READ, NULL) == 0);
	CHECK(vmlab_vmstat(l.m, "pgfault", &v) == 0);
	CHECK_EQ(v, before); /* already mapped: no fault */
	CHECK_EQ(vmlab_vmstat(l.m, "nr_free", &v), -ENOENT);
	free(s);
	vmlab_destroy(l.m);
}

static void test_buddyinfo(void)
{
	struct layout l;
	char *s, line[256];
	int i, n;
	uint64_t pages = 0, memfree;

	CHECK(build(&l) == 0);
	s = show(l.m, "buddyinfo", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	n = count_lines(s);
	CHECK(n >= 2);
	CHECK(!strncmp(s, "Node 0, zone      DMA ", 22));
	for (i = 0; i < n; i++) {
		char zone[16];
		int o, used = 0;

		line_at(s, i, line, sizeof(line));
		CHECK(strlen(line) == 22 + 11 * 7);
		CHECK(sscanf(line, "Node 0, zone %15s %n", zone, &used) == 1);
		for (o = 0; o < 11; o++) {
			const char *f = line + 22 + o * 7;

			CHECK(f[6] == ' ');
			pages += strtoull(f, NULL, 10) << o;
		}
	}
	/* the buddy lists hold exactly the free pages (per-CPU lists are not free) */
	CHECK(vmlab_meminfo(l.m, "MemFree", &memfree) == 0);
	CHECK_EQ(pages * 4096, memfree);
	free(s);
	vmlab_destroy(l.m);
}

static const char slab_head[] =
	"slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> "
	"<objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
	"<active_slabs> <num_slabs> <sharedavail>\n";

static void test_zoneinfo_slabinfo(void)
{
	struct layout l;
	char *s, line[256];
	int i, n;

	CHECK(build(&l) == 0);
	s = show(l.m, "zoneinfo", 0);
	CHECK(s != NULL);
	if (s) {
		const char *head = "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon ";

		CHECK(!strncmp(s, head, strlen(head)));
		CHECK(count_prefix(s, "Node 0, zone ") == 4);
		CHECK(strstr(s, "Node 0, zone  Movable\n  pages free     0\n") != NULL);
		CHECK(count_prefix(s, "        protection: (") == 4);
		CHECK(count_prefix(s, "  per-node stats") == 1);
		free(s);
	}
	s = show(l.m, "slabinfo", 0);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(!strncmp(s, slab_head, strlen(slab_head)));
	n = count_lines(s);
	CHECK(n > 10);
	for (i = 2; i < n; i++) {
		char name[32];
		unsigned long a, o, sz, per, pages, s1, s2, s3, t1, t2, t3;

		line_at(s, i, line, sizeof(line));
		CHECK(sscanf(line, "%31s %lu %lu %lu %lu %lu : tunables %lu %lu %lu : slabdata %lu %lu %lu",
			     name, &a, &o, &sz, &per, &pages, &t1, &t2, &t3, &s1, &s2, &s3) == 12);
		CHECK(a <= o && s1 == s2 && s3 == 0 && o == s2 * per);
	}
	/* kmem_cache is created first, so Linux lists it last */
	CHECK(!strncmp(line_at(s, n - 1, line, sizeof(line)), "kmem_cache ", 11));
	free(s);
	/* two areas through the kernel-internal vmalloc: 3 pages + guard, 1 page + guard */
	CHECK(vmalloc(l.m, 3 * 4096, "test_vmalloc_a") != 0);
	CHECK(vmalloc(l.m, 100, "test_vmalloc_b") != 0);
	s = show(l.m, "vmallocinfo", 0);
	CHECK(s != NULL);
	if (s) {
		CHECK(strstr(s, "   16384 test_vmalloc_a pages=3 vmalloc\n") != NULL);
		CHECK(strstr(s, "    8192 test_vmalloc_b pages=1 vmalloc\n") != NULL);
		n = count_lines(s);
		for (i = 0; i < n; i++) {
			unsigned long long a, b, size;

			line_at(s, i, line, sizeof(line));
			CHECK(sscanf(line, "0x%16llx-0x%16llx %7llu", &a, &b, &size) == 3);
			CHECK(b - a == size && strstr(line, " vmalloc"));
		}
		free(s);
	}
	{
		uint64_t used;

		CHECK(vmlab_meminfo(l.m, "VmallocUsed", &used) == 0);
		CHECK(used >= 4 * 4096);
	}
	vmlab_destroy(l.m);
}

static void test_show_errors(void)
{
	struct layout l;
	char *s = (char *)1;
	int child;

	CHECK(build(&l) == 0);
	CHECK_EQ(vmlab_show(l.m, "pagemap", l.pid, &s), -ENOENT);
	CHECK(s == NULL);
	CHECK_EQ(vmlab_show(l.m, "maps", 999, &s), -ESRCH);
	CHECK(vmlab_fork(l.m, l.pid, &child) == 0);
	CHECK(vmlab_exit(l.m, child) == 0);
	CHECK_EQ(vmlab_show(l.m, "status", child, &s), -ESRCH);
	CHECK_EQ(vmlab_show(l.m, "smaps", child, &s), -ESRCH);
	/* the global views ignore pid */
	CHECK_EQ(vmlab_show(l.m, "meminfo", 999, &s), 0);
	free(s);
	vmlab_destroy(l.m);
}

int main(void)
{
	RUN(test_maps_format);
	RUN(test_smaps_format);
	RUN(test_smaps_pss_shared);
	RUN(test_status);
	RUN(test_meminfo);
	RUN(test_vmstat);
	RUN(test_buddyinfo);
	RUN(test_zoneinfo_slabinfo);
	RUN(test_show_errors);
	TEST_EXIT();
}
