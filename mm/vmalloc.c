/* mm/vmalloc.c - virtually contiguous kernel memory from scattered frames.
 *
 * Mirrors mm/vmalloc.c: vmalloc -> __vmalloc_node_range: find a free range in
 * [VMALLOC_START, VMALLOC_END) (alloc_vmap_area), allocate order-0 pages one by one
 * (vm_area_alloc_pages), map them into the kernel page tables (vmap_pages_range), and leave
 * an unmapped guard page after the area. vfree unmaps and frees the pages.
 *
 * Simplifications: areas sit on an address-ordered list searched first-fit (Linux: rb-trees
 * of busy and free areas); unmapping is immediate (Linux purges lazily in batches to save
 * global TLB flushes; vmlab's TLB holds no kernel translations).
 */
#include "mm/internal.h"

void vmalloc_init(struct vmlab *m)
{
	INIT_LIST_HEAD(&m->vmap_areas);
}

/* First fit: the lowest gap of `size` bytes; *after receives the area to insert after. */
static uint64_t find_vmap_gap(struct vmlab *m, uint64_t size, struct list_head **after)
{
	uint64_t addr = VMALLOC_START;
	struct list_head *pos;

	*after = &m->vmap_areas;
	list_for_each(pos, &m->vmap_areas) {
		struct vm_struct *a = list_entry(pos, struct vm_struct, list);

		if (a->addr - addr >= size)
			break;
		addr = a->addr + a->size;
		*after = pos;
	}
	if (addr + size - 1 > VMALLOC_END)
		return 0;
	return addr;
}

uint64_t vmalloc(struct vmlab *m, uint64_t size, const char *caller)
{
	struct vm_struct *area;
	struct list_head *after;
	uint64_t pages, i, addr;

	if (!size || PAGE_ALIGN(size) < size || size > VMALLOC_SIZE / 2)
		return 0;
	pages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	addr = find_vmap_gap(m, (pages + 1) << PAGE_SHIFT, &after);
	if (!addr)
		return 0;
	area = kmalloc(m, sizeof(*area));
	if (!area)
		return 0;
	area->pages = kmalloc(m, pages * sizeof(uint64_t));
	if (!area->pages) {
		kfree(m, area);
		return 0;
	}
	area->addr = addr;
	area->size = (pages + 1) << PAGE_SHIFT; /* with the guard page */
	area->caller = caller;
	for (i = 0; i < pages; i++) {
		struct page *p = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 0);

		if (!p || map_kernel_page(m, addr + (i << PAGE_SHIFT), page_to_pfn(m, p), PAGE_KERNEL)) {
			if (p)
				free_pages(m, p, 0);
			area->nr_pages = i;
			list_add(&area->list, after);
			vfree(m, addr);
			return 0;
		}
		p->flags |= PG_vmalloc;
		area->pages[i] = page_to_pfn(m, p);
	}
	area->nr_pages = pages;
	list_add(&area->list, after);
	m->vmalloc_pages += pages;
	return addr;
}

void vfree(struct vmlab *m, uint64_t addr)
{
	struct list_head *pos;

	list_for_each(pos, &m->vmap_areas) {
		struct vm_struct *a = list_entry(pos, struct vm_struct, list);
		uint64_t i;

		if (a->addr != addr)
			continue;
		for (i = 0; i < a->nr_pages; i++) {
			struct page *p = pfn_to_page(m, a->pages[i]);

			unmap_kernel_page(m, addr + (i << PAGE_SHIFT));
			p->flags &= ~PG_vmalloc;
			free_pages(m, p, 0);
		}
		if (a->nr_pages == (a->size >> PAGE_SHIFT) - 1)
			m->vmalloc_pages -= a->nr_pages;
		list_del(&a->list);
		kfree(m, a->pages);
		kfree(m, a);
		return;
	}
}

int check_vmalloc(struct vmlab *m, char *err, size_t n)
{
	struct list_head *pos;
	uint64_t prev_end = VMALLOC_START, total = 0;

	list_for_each(pos, &m->vmap_areas) {
		struct vm_struct *a = list_entry(pos, struct vm_struct, list);
		uint64_t i, pa;

		if (a->addr < prev_end || (a->addr & ~PAGE_MASK)) {
			snprintf(err, n, "check_vmalloc: area %llx overlaps or is unaligned",
				 (unsigned long long)a->addr);
			return -EFAULT;
		}
		for (i = 0; i < a->nr_pages; i++) {
			pteval_t *pte = walk_to_pte(m, NULL, m->init_pgd, a->addr + (i << PAGE_SHIFT), false);

			if (!pte || pte_pfn(*pte) != a->pages[i] ||
			    !(pfn_to_page(m, a->pages[i])->flags & PG_vmalloc)) {
				snprintf(err, n, "check_vmalloc: page %llu of area %llx not mapped",
					 (unsigned long long)i, (unsigned long long)a->addr);
				return -EFAULT;
			}
		}
		pa = a->addr + (a->nr_pages << PAGE_SHIFT); /* the guard page */
		{
			pteval_t *g = walk_to_pte(m, NULL, m->init_pgd, pa, false);

			if (g && (*g & _PAGE_PRESENT)) {
				snprintf(err, n, "check_vmalloc: guard page of %llx is mapped",
					 (unsigned long long)a->addr);
				return -EFAULT;
			}
		}
		total += a->nr_pages;
		prev_end = a->addr + a->size;
	}
	if (total != m->vmalloc_pages) {
		snprintf(err, n, "check_vmalloc: %llu pages in areas, counter %llu",
			 (unsigned long long)total, (unsigned long long)m->vmalloc_pages);
		return -EFAULT;
	}
	return 0;
}
