/* arch/x86/vdso.c - the vDSO: the kernel's pages that exec maps into every program.
 *
 * Mirrors arch/x86/entry/vdso/vma.c as of Linux 6.18 (map_vdso via
 * arch_setup_additional_pages): one top-down range of 8 pages below the program's mappings,
 * holding three special mappings in this order:
 *
 *   [vvar]         4 pages  r--p  VM_PFNMAP | VM_IO | VM_DONTDUMP   the kernel's data pages
 *   [vvar_vclock]  2 pages  r--p  VM_PFNMAP | VM_IO | VM_DONTDUMP   clock pages (pvclock, hvclock)
 *   [vdso]         2 pages  r-xp  VM_MAYWRITE (debuggers may COW)   the vDSO image, an ELF DSO
 *
 * exec passes the [vdso] address to the program as AT_SYSINFO_EHDR. The vdso image pages are
 * two frames of the kernel image shared by every process: a fault maps the frame itself
 * (counted as file RSS and in Mapped, as folio_add_file_rmap counts it), so smaps shows one
 * copy with Pss shared among all processes. The vvar pages map no frame of their own.
 *
 * Simplifications: the vDSO image is a minimal ELF header (ET_DYN, x86-64, no program
 * headers, no symbols); the rest of its two pages reads zero, since vmlab runs no code. The
 * vvar pages read as zeros (the shared zero page, a special PTE; Linux maps the kernel's
 * time data with vmf_insert_pfn). The vDSO is placed by the ordinary top-down search (Linux
 * 6.x does the same; randomization comes from mmap_base only).
 */
#include "mm/internal.h"

#define VVAR_PAGES 4
#define VVAR_VCLOCK_PAGES 2
#define VDSO_PAGES 2
#define VDSO_AREA_PAGES (VVAR_PAGES + VVAR_VCLOCK_PAGES + VDSO_PAGES)

/* vvar_fault: the data pages read as zeros; nothing is counted (a PFN mapping). */
static unsigned vvar_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;

	*vmf->pte = pfn_pte(m->zero_pfn, vmf->vma->vm_page_prot & ~_PAGE_RW) | _PAGE_SPECIAL;
	return VM_FAULT_NOPAGE;
}

/* vdso_fault (special_mapping_fault): the image's frame, with a reference for the PTE. */
static unsigned vdso_fault(struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff >= VDSO_PAGES)
		return VM_FAULT_SIGBUS;
	page = pfn_to_page(vmf->m, vmf->m->vdso_pfn + vmf->pgoff);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vvar_vm_ops = {.name = "[vvar]", .fault = vvar_fault};
static const struct vm_operations_struct vvar_vclock_vm_ops = {.name = "[vvar_vclock]",
							       .fault = vvar_fault};
static const struct vm_operations_struct vdso_vm_ops = {.name = "[vdso]", .fault = vdso_fault};

void vdso_init(struct vmlab *m)
{
	/* ELF64 header of the image: \x7fELF, class 64, little endian, version 1, ET_DYN,
	 * EM_X86_64, e_version 1, e_ehsize 64, e_phentsize 56, no program headers */
	static const uint8_t ehdr[64] = {
		0x7f, 'E', 'L', 'F', 2, 1, 1, 0, [16] = 3, [18] = 62, [20] = 1,
		[52] = 64, [54] = 56,
	};
	unsigned i;

	/* two frames of the kernel image, just below the zero page */
	m->vdso_pfn = m->zero_pfn - VDSO_PAGES;
	for (i = 0; i < VDSO_PAGES; i++) {
		struct page *p = pfn_to_page(m, m->vdso_pfn + i);

		p->flags = PG_kernel; /* was PG_reserved: a kernel page that user space may map */
		memset(page_address(m, p), 0, PAGE_SIZE);
	}
	memcpy(page_address(m, pfn_to_page(m, m->vdso_pfn)), ehdr, sizeof(ehdr));
}

int map_vdso(struct vmlab *m, struct mm_struct *mm, uint64_t *vdso_base)
{
	const uint64_t ro = VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO | VM_DONTDUMP;
	uint64_t addr;
	int err;

	err = get_unmapped_area(m, mm, 0, VDSO_AREA_PAGES << PAGE_SHIFT, &addr);
	if (err)
		return err;
	if (!install_special_mapping(m, mm, addr, VVAR_PAGES << PAGE_SHIFT, ro, &vvar_vm_ops) ||
	    !install_special_mapping(m, mm, addr + (VVAR_PAGES << PAGE_SHIFT),
				     VVAR_VCLOCK_PAGES << PAGE_SHIFT, ro, &vvar_vclock_vm_ops) ||
	    !install_special_mapping(m, mm, addr + ((VVAR_PAGES + VVAR_VCLOCK_PAGES) << PAGE_SHIFT),
				     VDSO_PAGES << PAGE_SHIFT,
				     VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC,
				     &vdso_vm_ops))
		return -ENOMEM; /* the caller tears the new mm down */
	*vdso_base = addr + ((VVAR_PAGES + VVAR_VCLOCK_PAGES) << PAGE_SHIFT);
	return 0;
}
