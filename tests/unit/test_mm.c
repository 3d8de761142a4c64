/* tests/unit/test_mm.c - page tables, the walker, the TLB, VMAs, faults, fork.
 * VMA tests draw the address space before and after, as tools/testing/vma does. */
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "test.h"

static struct vmlab *boot(uint64_t ram, int pcid)
{
	vmlab_config_t cfg;
	struct vmlab *m;

	vmlab_config_default(&cfg);
	cfg.ram = ram;
	cfg.check = 1;
	cfg.pcid = pcid;
	if (vmlab_create(&cfg, &m))
		return NULL;
	return m;
}

/* Draws the VMAs of pid as "[start-end perms]..." relative to base, in pages. */
static const char *draw(struct vmlab *m, int pid, uint64_t base)
{
	static char buf[512];
	struct mm_struct *mm = find_task(m, pid)->mm;
	struct vm_area_struct *v;
	size_t n = 0;

	buf[0] = 0;
	for_each_vma(mm, v) {
		if (v->vm_flags & VM_GROWSDOWN)
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[%lld-%lld %c%c%c]",
				      (long long)((int64_t)(v->vm_start - base) >> PAGE_SHIFT),
				      (long long)((int64_t)(v->vm_end - base) >> PAGE_SHIFT),
				      (v->vm_flags & VM_READ) ? 'r' : '-', (v->vm_flags & VM_WRITE) ? 'w' : '-',
				      (v->vm_flags & VM_EXEC) ? 'x' : '-');
	}
	printf("# %s\n", buf);
	return buf;
}

static void pte_encode_decode(void)
{
	pteval_t e = pfn_pte(0x12345, PAGE_COPY);

	CHECK_EQ(pte_pfn(e), 0x12345);
	CHECK(pte_present(e));
	CHECK(!pte_write(e));
	CHECK(e & _PAGE_NX);
	CHECK(e & _PAGE_USER);
	CHECK_EQ(e & 0xfff, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
	CHECK(pte_present(PAGE_NONE) && !(PAGE_NONE & _PAGE_PRESENT)); /* PROT_NONE */
	CHECK_EQ(pgd_index(0x7ffffffff000ull), 255);
	CHECK_EQ(pud_index(0x7ffffffff000ull), 511);
	CHECK_EQ(pmd_index(0x7ffffffff000ull), 511);
	CHECK_EQ(pte_index(0x7ffffffff000ull), 511);
	CHECK_EQ(pgd_index(VMALLOC_START), 402);
	CHECK(addr_canonical(0xffff888000000000ull) && !addr_canonical(0x0000800000000000ull));
	CHECK_EQ(vm_get_page_prot(VM_READ | VM_WRITE), PAGE_COPY);
	CHECK_EQ(vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED), PAGE_SHARED);
	CHECK_EQ(vm_get_page_prot(VM_READ | VM_EXEC), PAGE_READONLY_EXEC);
}

static void walker_error_codes(void)
{
	struct vmlab *m = boot(64 << 20, 0);
	struct mm_struct *mm;
	pteval_t *pte;
	uint64_t a;
	int pid;

	CHECK(m != NULL);
	vmlab_spawn(m, &pid);
	mm = find_task(m, pid)->mm;
	vmlab_mmap(m, pid, 0, 8192, VMLAB_PROT_READ, VMLAB_MAP_PRIVATE, &a);
	/* not present: only USER (and WRITE) */
	CHECK_EQ(mmu_walk(m, mm, a, VMLAB_ACC_READ, &pte), X86_PF_USER);
	CHECK_EQ(mmu_walk(m, mm, a, VMLAB_ACC_WRITE, &pte), X86_PF_USER | X86_PF_WRITE);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_READ), 0); /* maps the zero page */
	CHECK_EQ(mmu_walk(m, mm, a, VMLAB_ACC_READ, &pte), 0);
	CHECK(pte_young(*pte) && (*pte & _PAGE_SPECIAL));
	CHECK_EQ(mmu_walk(m, mm, a, VMLAB_ACC_WRITE, &pte), X86_PF_USER | X86_PF_WRITE | X86_PF_PROT);
	CHECK_EQ(mmu_walk(m, mm, a, VMLAB_ACC_EXEC, &pte), X86_PF_USER | X86_PF_INSTR | X86_PF_PROT);
	/* the kernel half is present but supervisor-only */
	CHECK_EQ(mmu_walk(m, mm, PAGE_OFFSET_BASE, VMLAB_ACC_READ, &pte), X86_PF_USER | X86_PF_PROT);
	CHECK_EQ(vmlab_access(m, pid, PAGE_OFFSET_BASE, VMLAB_ACC_READ), VMLAB_SIGSEGV);
	vmlab_mprotect(m, pid, a, 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_WRITE), 0); /* copies the zero page */
	CHECK_EQ(mmu_walk(m, mm, a, VMLAB_ACC_WRITE, &pte), 0);
	CHECK(pte_dirty(*pte) && pte_write(*pte) && !(*pte & _PAGE_SPECIAL));
	vmlab_destroy(m);
}

/* A new range between two touched neighbours of different anon_vmas joins the left one
 * (vma_merge_new_range: can_vma_merge_right says no when prev's and next's would conflict). */
static void vma_merge_prefers_left(void)
{
	struct vmlab *m = boot(64 << 20, 0);
	const int rw = VMLAB_PROT_READ | VMLAB_PROT_WRITE;
	uint64_t c = 0x100000000ull, x;
	int pid;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, c, 2 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	vmlab_mmap(m, pid, c + (4 << 12), 2 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK_EQ(vmlab_access(m, pid, c, VMLAB_ACC_WRITE), 0);
	CHECK_EQ(vmlab_access(m, pid, c + (4 << 12), VMLAB_ACC_WRITE), 0);
	vmlab_mmap(m, pid, c + (2 << 12), 2 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK(!strcmp(draw(m, pid, c), "[0-4 rw-][4-6 rw-]"));
	/* an untouched neighbour has no anon_vma to conflict: all three merge */
	vmlab_mmap(m, pid, c + (8 << 12), 2 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	vmlab_mmap(m, pid, c + (6 << 12), 2 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK(!strcmp(draw(m, pid, c), "[0-4 rw-][4-10 rw-]"));
	CHECK_EQ(vmlab_check(m, NULL, 0), 0);
	vmlab_destroy(m);
}

static void vma_merge_split(void)
{
	struct vmlab *m = boot(64 << 20, 0);
	const int rw = VMLAB_PROT_READ | VMLAB_PROT_WRITE;
	uint64_t b = 0x100000000ull, x;
	int pid;

	vmlab_spawn(m, &pid);
	/* [0-4 rw-] + [4-8 rw-] -> one VMA */
	vmlab_mmap(m, pid, b, 4 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	vmlab_mmap(m, pid, b + (4 << 12), 4 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK(!strcmp(draw(m, pid, b), "[0-8 rw-]"));
	/* mprotect the middle: split into three */
	vmlab_mprotect(m, pid, b + (2 << 12), 4 << 12, VMLAB_PROT_READ);
	CHECK(!strcmp(draw(m, pid, b), "[0-2 rw-][2-6 r--][6-8 rw-]"));
	/* back to rw: merged again */
	vmlab_mprotect(m, pid, b + (2 << 12), 4 << 12, rw);
	CHECK(!strcmp(draw(m, pid, b), "[0-8 rw-]"));
	/* munmap a hole: two VMAs */
	vmlab_munmap(m, pid, b + (3 << 12), 2 << 12);
	CHECK(!strcmp(draw(m, pid, b), "[0-3 rw-][5-8 rw-]"));
	/* refill the hole: merged on both sides */
	vmlab_mmap(m, pid, b + (3 << 12), 2 << 12, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK(!strcmp(draw(m, pid, b), "[0-8 rw-]"));
	/* a different protection next door does not merge */
	vmlab_mmap(m, pid, b + (8 << 12), 2 << 12, VMLAB_PROT_READ, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK(!strcmp(draw(m, pid, b), "[0-8 rw-][8-10 r--]"));
	/* MAP_FIXED over the middle replaces it */
	vmlab_mmap(m, pid, b + (6 << 12), 3 << 12, VMLAB_PROT_EXEC | VMLAB_PROT_READ,
		   VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
	CHECK(!strcmp(draw(m, pid, b), "[0-6 rw-][6-9 r-x][9-10 r--]"));
	/* errors */
	CHECK_EQ(vmlab_munmap(m, pid, b + 1, 4096), -EINVAL);
	CHECK_EQ(vmlab_munmap(m, pid, b, 0), -EINVAL);
	CHECK_EQ(vmlab_mprotect(m, pid, b + (20 << 12), 4096, VMLAB_PROT_READ), -ENOMEM);
	CHECK_EQ(vmlab_mmap(m, pid, b + 1, 4096, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x), -EINVAL);
	CHECK_EQ(vmlab_mmap(m, pid, 0, 0, rw, VMLAB_MAP_PRIVATE, &x), -EINVAL);
	CHECK_EQ(vmlab_mmap(m, pid, 0, 4096, rw, 0, &x), -EINVAL);
	vmlab_destroy(m);
}

static void tlb_invalidation(void)
{
	struct vmlab *m = boot(64 << 20, 0);
	vmlab_tlb_stats_t st;
	uint64_t a;
	int pid, child;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, 0, 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_WRITE), 0);
	vmlab_tlb_stats(m, &st);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_WRITE), 0); /* a hit */
	{
		vmlab_tlb_stats_t st2;

		vmlab_tlb_stats(m, &st2);
		CHECK_EQ(st2.hits, st.hits + 1);
	}
	/* mprotect read-only: the cached writable translation must go */
	vmlab_mprotect(m, pid, a, 4096, VMLAB_PROT_READ);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_WRITE), VMLAB_SIGSEGV);
	vmlab_mprotect(m, pid, a, 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_WRITE), 0);
	/* fork write-protects the parent: its next write must fault (COW), not hit the TLB */
	vmlab_fork(m, pid, &child);
	{
		uint64_t before = find_task(m, pid)->min_flt;

		CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_WRITE), 0);
		CHECK_EQ(find_task(m, pid)->min_flt, before + 1);
	}
	/* munmap: the translation must go */
	vmlab_munmap(m, pid, a, 4096);
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_READ), VMLAB_SIGSEGV);
	vmlab_destroy(m);
}

static void pcid_switches(void)
{
	int pcid;

	for (pcid = 0; pcid <= 1; pcid++) {
		struct vmlab *m = boot(64 << 20, pcid);
		vmlab_tlb_stats_t st;
		uint64_t a, b;
		int p1, p2, i;

		vmlab_spawn(m, &p1);
		vmlab_spawn(m, &p2);
		vmlab_mmap(m, p1, 0, 4096, VMLAB_PROT_READ, VMLAB_MAP_PRIVATE, &a);
		vmlab_mmap(m, p2, 0, 4096, VMLAB_PROT_READ, VMLAB_MAP_PRIVATE, &b);
		for (i = 0; i < 10; i++) {
			vmlab_access(m, p1, a, VMLAB_ACC_READ);
			vmlab_access(m, p2, b, VMLAB_ACC_READ);
		}
		vmlab_tlb_stats(m, &st);
		printf("# pcid=%d hits=%llu misses=%llu flushes=%llu\n", pcid,
		       (unsigned long long)st.hits, (unsigned long long)st.misses,
		       (unsigned long long)st.flush_all);
		if (pcid)
			CHECK_EQ(st.hits, 18); /* both stay cached under their own PCID */
		else
			CHECK_EQ(st.hits, 0); /* every switch flushed */
		vmlab_destroy(m);
	}
}

/* Randomized: several processes, random calls and accesses, real bytes checked against a
 * reference copy of each process's private memory; checkers run after every operation. */
#define NPROC 4
#define REGION (64 * 4096)

static void random_bytes(void)
{
	unsigned seed;

	for (seed = 1; seed <= 3; seed++) {
		struct vmlab *m = boot(32 << 20, seed & 1);
		static uint8_t ref[NPROC][REGION];
		uint8_t buf[256];
		int pids[NPROC], alive[NPROC], i, step;
		uint64_t base = 0x200000000ull, x;
		uint64_t r = seed * 0x9e3779b97f4a7c15ull;
		char err[256];

		memset(ref, 0, sizeof(ref));
		vmlab_spawn(m, &pids[0]);
		alive[0] = 1;
		vmlab_mmap(m, pids[0], base, REGION, 3, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &x);
		for (i = 1; i < NPROC; i++)
			alive[i] = 0;
		for (step = 0; step < 3000; step++) {
			int p, op;
			uint64_t off, len;

			r = r * 6364136223846793005ull + 1442695040888963407ull;
			p = (int)((r >> 33) % NPROC);
			op = (int)((r >> 40) % 10);
			off = (r >> 13) % (REGION - 256);
			len = 1 + (r >> 5) % 255;
			if (!alive[p]) {
				/* fork from a live process */
				for (i = 0; i < NPROC && !alive[i]; i++)
					;
				if (i == NPROC || vmlab_fork(m, pids[i], &pids[p]))
					continue;
				memcpy(ref[p], ref[i], REGION);
				alive[p] = 1;
				continue;
			}
			if (op < 4) {
				memset(buf, (int)(r >> 50), len);
				CHECK_EQ(vmlab_store(m, pids[p], base + off, buf, len, NULL), 0);
				memcpy(ref[p] + off, buf, len);
			} else if (op < 8) {
				CHECK_EQ(vmlab_load(m, pids[p], base + off, buf, len, NULL), 0);
				CHECK(!memcmp(buf, ref[p] + off, len));
			} else if (op == 8) {
				uint64_t pg = (off >> PAGE_SHIFT) << PAGE_SHIFT;

				vmlab_madvise(m, pids[p], base + pg, 4096, VMLAB_MADV_DONTNEED);
				memset(ref[p] + pg, 0, 4096);
			} else if (p != 0 || step > 2500) {
				vmlab_exit(m, pids[p]);
				alive[p] = 0;
			}
		}
		CHECK_EQ(vmlab_check(m, err, sizeof(err)), 0);
		if (err[0])
			printf("# %s\n", err);
		for (i = 0; i < NPROC; i++)
			if (alive[i])
				vmlab_exit(m, pids[i]);
		CHECK_EQ(vmlab_check(m, err, sizeof(err)), 0);
		if (err[0])
			printf("# %s\n", err);
		vmlab_destroy(m);
	}
}

static void layout_and_stack(void)
{
	struct vmlab *m = boot(64 << 20, 0);
	uint64_t a = 0, b = 0, old = 0;
	int pid;

	vmlab_spawn(m, &pid);
	CHECK_EQ(vmlab_stack_top(m, pid), 0x7ffffffff000ull);
	vmlab_mmap(m, pid, 0, 4096, 3, VMLAB_MAP_PRIVATE, &a);
	CHECK_EQ(a, 0x7ffff7ffe000ull); /* just below mmap_base = TASK_SIZE - 128 MiB */
	vmlab_mmap(m, pid, 0, 8192, 1, VMLAB_MAP_PRIVATE, &b);
	CHECK_EQ(b, a - 8192);
	vmlab_brk(m, pid, 0, &old);
	CHECK_EQ(old, 0x555555554000ull);
	CHECK_EQ(vmlab_brk(m, pid, -1, &old), -ENOMEM);
	CHECK_EQ(vmlab_access(m, pid, 0x7ffffffff000ull - (8 << 20), VMLAB_ACC_WRITE), 0);
	CHECK_EQ(vmlab_access(m, pid, 0x7ffffffff000ull - (8 << 20) - 1, VMLAB_ACC_WRITE), VMLAB_SIGSEGV);
	vmlab_destroy(m);
}

static void mremap_moves(void)
{
	struct vmlab *m = boot(64 << 20, 0);
	uint64_t a, n, blocker;
	char s[8] = {0};
	int pid;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, 0x300000000ull, 8192, 3, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a);
	vmlab_mmap(m, pid, 0x300002000ull, 4096, 1, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &blocker);
	vmlab_store(m, pid, a + 4096, "moved", 5, NULL);
	CHECK_EQ(vmlab_mremap(m, pid, a, 8192, 16384, 0, 0, &n), -ENOMEM);
	CHECK_EQ(vmlab_mremap(m, pid, a, 8192, 16384, VMLAB_MREMAP_MAYMOVE, 0, &n), 0);
	CHECK(n != a);
	vmlab_load(m, pid, n + 4096, s, 5, NULL);
	CHECK(!strcmp(s, "moved"));
	CHECK_EQ(vmlab_access(m, pid, a, VMLAB_ACC_READ), VMLAB_SIGSEGV);
	/* shrink in place */
	CHECK_EQ(vmlab_mremap(m, pid, n, 16384, 4096, 0, 0, &a), 0);
	CHECK_EQ(a, n);
	CHECK_EQ(vmlab_access(m, pid, n + 4096, VMLAB_ACC_READ), VMLAB_SIGSEGV);
	vmlab_destroy(m);
}

int main(void)
{
	RUN(pte_encode_decode);
	RUN(walker_error_codes);
	RUN(vma_merge_split);
	RUN(vma_merge_prefers_left);
	RUN(tlb_invalidation);
	RUN(pcid_switches);
	RUN(layout_and_stack);
	RUN(mremap_moves);
	RUN(random_bytes);
	TEST_EXIT();
}
