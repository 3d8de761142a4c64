/* arch/x86/pgtable.h - the x86_64 4-level page-table format, as the hardware reads it.
 *
 * Mirrors arch/x86/include/asm/pgtable_types.h and pgtable_64_types.h (facts, not code).
 * A 48-bit canonical virtual address is split like this:
 *
 *   63      48 47     39 38     30 29     21 20     12 11          0
 *  +----------+---------+---------+---------+---------+-------------+
 *  | sign ext | PGD idx | PUD idx | PMD idx | PTE idx | page offset |
 *  +----------+---------+---------+---------+---------+-------------+
 *       16         9         9         9         9          12
 *
 * CR3 -> PGD frame; each entry holds the next table's frame number in bits 12..51.
 * With 4 levels the P4D level is folded into the PGD, as in Linux.
 */
#ifndef VMLAB_ARCH_X86_PGTABLE_H
#define VMLAB_ARCH_X86_PGTABLE_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

#define PTRS_PER_TABLE 512
#define PGDIR_SHIFT 39
#define PUD_SHIFT 30
#define PMD_SHIFT 21
#define PMD_SIZE (1ull << PMD_SHIFT)
#define PUD_SIZE (1ull << PUD_SHIFT)
#define PGDIR_SIZE (1ull << PGDIR_SHIFT)

#define pgd_index(a) (((a) >> PGDIR_SHIFT) & 511)
#define pud_index(a) (((a) >> PUD_SHIFT) & 511)
#define pmd_index(a) (((a) >> PMD_SHIFT) & 511)
#define pte_index(a) (((a) >> PAGE_SHIFT) & 511)

/* Entry bits (_PAGE_BIT_*). */
#define _PAGE_PRESENT (1ull << 0)
#define _PAGE_RW (1ull << 1)
#define _PAGE_USER (1ull << 2)
#define _PAGE_PWT (1ull << 3)
#define _PAGE_PCD (1ull << 4)
#define _PAGE_ACCESSED (1ull << 5)
#define _PAGE_DIRTY (1ull << 6)
#define _PAGE_PSE (1ull << 7) /* huge page in a PUD/PMD entry; PAT in a 4 KiB PTE */
#define _PAGE_GLOBAL (1ull << 8)
#define _PAGE_PROTNONE _PAGE_GLOBAL /* only when P is clear */
#define _PAGE_SPECIAL (1ull << 9)  /* software: no struct page refcounting (zero page) */
#define _PAGE_SOFT_DIRTY (1ull << 11)
#define _PAGE_NX (1ull << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ull

#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

/* protection_map[] values (arch/x86/mm/pgprot.c), user prots always carry A. */
#define PAGE_NONE (_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY PAGE_COPY
#define PAGE_READONLY_EXEC PAGE_COPY_EXEC
#define PAGE_KERNEL (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_LARGE (PAGE_KERNEL | _PAGE_PSE)

typedef uint64_t pteval_t;

static inline uint64_t pte_pfn(pteval_t e)
{
	return (e & PTE_PFN_MASK) >> PAGE_SHIFT;
}
static inline pteval_t pfn_pte(uint64_t pfn, pteval_t prot)
{
	return (pfn << PAGE_SHIFT) | prot;
}
static inline int pte_present(pteval_t e)
{
	/* PROT_NONE entries count as present for Linux (not for the hardware). */
	return (e & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0;
}
static inline int pte_none(pteval_t e)
{
	return e == 0;
}
static inline int pte_write(pteval_t e)
{
	return (e & _PAGE_RW) != 0;
}
static inline int pte_dirty(pteval_t e)
{
	return (e & _PAGE_DIRTY) != 0;
}
static inline int pte_young(pteval_t e)
{
	return (e & _PAGE_ACCESSED) != 0;
}
static inline int pte_special(pteval_t e)
{
	return (e & _PAGE_SPECIAL) != 0;
}

/* ---- swap entries in non-present PTEs (arch/x86/include/asm/pgtable_64.h, since 4.18) ----
 *
 *   63   59 58                                            9  8  7       4  3  2  1  0
 *  +-------+-----------------------------------------------+--+--+-------+--+--+--+--+
 *  | type  |        ~offset (bitwise inverted, 50 bits)    |0 |0 |  0    |EX|UW|SD| 0|
 *  +-------+-----------------------------------------------+--+--+-------+--+--+--+--+
 *
 * P (bit 0) and PROTNONE (bit 8) are clear, so neither the CPU nor pte_present() sees a
 * page; the offset is inverted so that a stale entry points at non-existent high physical
 * memory (the L1TF mitigation). Bit 3 remembers that the page was exclusive to this mm
 * (_PAGE_SWP_EXCLUSIVE, 5.19+), bit 1 soft-dirty, bit 2 uffd-wp (unused here). */
#define SWP_TYPE_BITS 5
#define SWP_OFFSET_FIRST_BIT 9
#define SWP_OFFSET_SHIFT (SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS)
#define _PAGE_SWP_SOFT_DIRTY _PAGE_RW
#define _PAGE_SWP_EXCLUSIVE _PAGE_PWT

static inline pteval_t swp_pte(unsigned type, uint64_t offset)
{
	return ((~offset << SWP_OFFSET_SHIFT) >> SWP_TYPE_BITS) | ((pteval_t)type << (64 - SWP_TYPE_BITS));
}
static inline unsigned swp_pte_type(pteval_t e)
{
	return (unsigned)(e >> (64 - SWP_TYPE_BITS));
}
static inline uint64_t swp_pte_offset(pteval_t e)
{
	return ~e << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT;
}
/* A swap entry: not none, not present. */
static inline int is_swap_pte(pteval_t e)
{
	return e != 0 && !(e & (_PAGE_PRESENT | _PAGE_PROTNONE));
}

/* x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h). */
#define X86_PF_PROT (1u << 0)
#define X86_PF_WRITE (1u << 1)
#define X86_PF_USER (1u << 2)
#define X86_PF_RSVD (1u << 3)
#define X86_PF_INSTR (1u << 4)

/* The x86_64 4-level virtual layout. */
#define TASK_SIZE_MAX 0x00007ffffffff000ull /* 2^47 - 4096 */
#define DEFAULT_MAP_WINDOW TASK_SIZE_MAX
#define PAGE_OFFSET_BASE 0xffff888000000000ull /* direct map of all physical memory */
#define VMALLOC_START 0xffffc90000000000ull
#define VMALLOC_SIZE (32ull << 40)
#define VMALLOC_END (VMALLOC_START + VMALLOC_SIZE - 1)
#define VMEMMAP_START 0xffffea0000000000ull
#define KERNEL_PGD_BOUNDARY 256 /* PGD entries 256..511 map the kernel half */

static inline int addr_canonical(uint64_t a)
{
	uint64_t top = a >> 47;
	return top == 0 || top == 0x1ffff;
}

#endif
