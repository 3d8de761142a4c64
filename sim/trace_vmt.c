/* sim/trace_vmt.c - the vmt reader (the format: docs/vmt.md; the writer: sim/trace_write.c).
 *
 * No kernel twin. vmt comes in blocks of up to 4096 records, tag bytes first, then the data
 * bytes; a whole block is in the buffer before it is decoded, and a quick scan of its tags
 * (eight at a time) says whether every record is plain (no size or PID change) and the
 * lengths add up. Then vmt_fast decodes it without checks: per record one unaligned 8-byte
 * load, a mask and an add, and the only chain from record to record is the data pointer's
 * add. Other blocks go through vmt_careful, which checks every field.
 *
 * Entry points: trace_vmt_header, trace_read_vmt.
 */
#include <stddef.h>
#include <string.h>

#include "sim/trace.h"

const uint8_t trace_vmt_magic[8] = {0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n'};

static const uint64_t vmt_mask[9] = {
	0, 0xff, 0xffff, 0xffffff, 0xffffffffull, 0xffffffffffull, 0xffffffffffffull,
	0xffffffffffffffull, ~0ull,
};

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* LEB128 of at most `maxb` bytes within [*pp, end). 0, -1 (longer than maxb bytes) or -2
 * (the data ends inside it). */
static int get_varint(const uint8_t **pp, const uint8_t *end, unsigned maxb, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	unsigned i;

	for (i = 0; i < maxb; i++) {
		if (p == end)
			return -2;
		x |= (uint64_t)(*p & 0x7f) << (7 * i);
		if (!(*p++ & 0x80)) {
			*pp = p;
			*v = x;
			return 0;
		}
	}
	return -1;
}

static unsigned long long boff(const struct vmlab_trace *t, const uint8_t *p)
{
	return (unsigned long long)(t->base + (uint64_t)(p - t->buf));
}

/* At least `need` bytes after t->p, unless the data ends first. */
static void vmt_ensure(struct vmlab_trace *t, size_t need)
{
	while ((size_t)(t->end - t->p) < need && !t->eof && !t->failed)
		trace_refill(t);
}

/* Opens the next block. 1, 0 (the end marker, nothing after it), -1 malformed. */
static int vmt_block(struct vmlab_trace *t)
{
	const uint8_t *p, *tag;
	uint64_t k, d, sum = 0, i, flags8 = 0, lenbad8 = 0, modify8 = 0;
	unsigned flags = 0, lenbad = 0;
	size_t hdr;
	int rc;

	vmt_ensure(t, 16);
	if (t->failed)
		return -1;
	if (t->p == t->end)
		return t->ended ? 0 : trace_fail(t, t->line + 1, "truncated: the trace ends without its end marker");
	if (t->ended)
		return trace_fail(t, t->line, "byte %llu: data after the end marker", boff(t, t->p));
	p = t->p;
	if ((rc = get_varint(&p, t->end, 2, &k)))
		return trace_fail(t, t->line + 1, "byte %llu: %s block header", boff(t, t->p),
			    rc == -2 ? "truncated" : "bad");
	if (k == 0) {
		/* the end marker: 0, then the number of records as 8 little-endian bytes */
		if (t->end - p < 8)
			return trace_fail(t, t->line + 1, "byte %llu: truncated end marker", boff(t, t->p));
		if (load_le64(p) != t->line)
			return trace_fail(t, t->line + 1, "byte %llu: the end marker counts %llu records, the trace has %llu",
				    boff(t, t->p), (unsigned long long)load_le64(p), (unsigned long long)t->line);
		t->p = (uint8_t *)p + 8;
		t->ended = 1;
		vmt_ensure(t, 1);
		if (t->p < t->end)
			return trace_fail(t, t->line, "byte %llu: data after the end marker", boff(t, t->p));
		return t->failed ? -1 : 0;
	}
	if (k > VMT_BLOCK || (rc = get_varint(&p, t->end, 3, &d)) || d > k * VMT_MAXDATA)
		return trace_fail(t, t->line + 1, "byte %llu: %s block header", boff(t, t->p),
			    k <= VMT_BLOCK && rc == -2 ? "truncated" : "bad");
	hdr = (size_t)(p - t->p);
	vmt_ensure(t, hdr + k + d); /* may move the buffer */
	if ((size_t)(t->end - t->p) < hdr + k + d)
		return trace_fail(t, t->line + 1, "byte %llu: truncated block (%llu records)", boff(t, t->p),
			    (unsigned long long)k);
	tag = t->p + hdr;
	/* plain when no record changes size or PID, every delta length is at most 8, and the
	 * lengths add up to the data: then the fast loop cannot read past it. Eight tags at a
	 * time: a length plus 7 reaches bit 4 exactly when it is over 8 (no carry between bytes). */
	for (i = 0; i + 8 <= k; i += 8) {
		uint64_t w = load_le64(tag + i), len8 = w & 0x0f0f0f0f0f0f0f0full;

		flags8 |= w;
		lenbad8 |= len8 + 0x0707070707070707ull;
		modify8 |= w & (w >> 1) & 0x1010101010101010ull; /* op 3: bits 4 and 5 */
		sum += (len8 * 0x0101010101010101ull) >> 56;
	}
	for (; i < k; i++) {
		flags |= tag[i];
		lenbad |= (tag[i] & 15u) + 7;
		modify8 |= (tag[i] & 0x30) == 0x30;
		sum += tag[i] & 15u;
	}
	if (flags8 & 0xc0c0c0c0c0c0c0c0ull)
		flags |= 0xc0;
	if (lenbad8 & 0x1010101010101010ull)
		lenbad |= 16;
	t->btag = tag;
	t->bdata = tag + k;
	t->bend = tag + k + d;
	t->bleft = (unsigned)k;
	t->bplain = !(flags & 0xc0) && !(lenbad & 16) && sum == d;
	t->bmodify = modify8 != 0;
	t->p = (uint8_t *)t->bend;
	return 1;
}

/* Plain records of the open block, k of them (at most what is left): no checks. A record is
 * two 8-byte stores: the address, and the rest (PID, size, kind) from a table by kind. */
_Static_assert(sizeof(vmlab_trace_rec_t) == 16 && offsetof(vmlab_trace_rec_t, pid) == 8,
	       "vmt_fast writes a record as two 8-byte words");
static size_t vmt_fast(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t k)
{
	const uint8_t *tag = t->btag, *d = t->bdata;
	uint64_t addr = t->addr, line = t->line;
	uint64_t hi = t->uniform_hi, rest[4];
	uint8_t *out = (uint8_t *)r;
	size_t i;

	for (i = 0; i < 4; i++) {
		vmlab_trace_rec_t proto = {.pid = t->pid, .size = t->size, .kind = (uint8_t)i};

		memcpy(&rest[i], (const uint8_t *)&proto + 8, 8);
	}
	for (i = 0; i < k; i++, out += 16) {
		unsigned tg = tag[i], len = tg & 15;
		uint64_t z = load_le64(d) & vmt_mask[len];

		d += len;
		addr += (z >> 1) ^ (0 - (z & 1));
		hi = addr > hi ? addr : hi;
		memcpy(out, &addr, 8);
		memcpy(out + 8, &rest[(tg >> 4) & 3], 8);
	}
	if (lines)
		for (i = 0; i < k; i++)
			lines[i] = line + i + 1;
	t->btag = tag + k;
	t->bdata = d;
	t->bleft -= (unsigned)k;
	t->addr = addr;
	t->line = line + k;
	t->uniform_hi = hi;
	return k;
}

/* One record of the open block with every check. 1, or -1 malformed. */
static int vmt_careful(struct vmlab_trace *t, vmlab_trace_rec_t *r)
{
	const uint8_t *d = t->bdata, *end = t->bend;
	uint64_t rec = t->line + 1, z = 0, v;
	uint8_t tag = *t->btag;
	unsigned len = tag & 15, i;
	int rc;

	if (len > 8)
		return trace_fail(t, rec, "byte %llu: bad tag 0x%02x", boff(t, t->btag), tag);
	if ((size_t)(end - d) < len)
		goto short_data;
	for (i = 0; i < len; i++)
		z |= (uint64_t)d[i] << (8 * i);
	d += len;
	if (tag & 0x40) {
		if ((rc = get_varint(&d, end, 2, &v)))
			goto bad_varint;
		if (v == 0 || v > 4096)
			return trace_fail(t, rec, "byte %llu: bad size %llu (1 to 4096)", boff(t, t->btag),
				    (unsigned long long)v);
		t->size = (uint16_t)v;
	}
	if (tag & 0x80) {
		if ((rc = get_varint(&d, end, 5, &v)))
			goto bad_varint;
		if (v > UINT32_MAX)
			return trace_fail(t, rec, "byte %llu: bad PID %llu", boff(t, t->btag), (unsigned long long)v);
		t->pid = (uint32_t)v;
	}
	t->addr += (z >> 1) ^ (0 - (z & 1));
	r->addr = t->addr;
	r->pid = t->pid;
	r->size = t->size;
	r->kind = (tag >> 4) & 3;
	r->pad = 0;
	t->btag++;
	t->bdata = d;
	t->line++;
	if (!--t->bleft && d != end)
		return trace_fail(t, rec, "byte %llu: the block has %llu data bytes its records do not use",
			    boff(t, d), (unsigned long long)(end - d));
	return 1;
bad_varint:
	if (rc == -1)
		return trace_fail(t, rec, "byte %llu: bad varint (too long)", boff(t, t->btag));
short_data:
	return trace_fail(t, rec, "byte %llu: the record runs past its block's data", boff(t, t->btag));
}

size_t trace_read_vmt(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max)
{
	size_t n = 0;

	t->uniform = 1;
	t->uniform_hi = 0;
	while (n < max) {
		if (t->bleft) {
			size_t k = t->bleft < max - n ? t->bleft : max - n;

			if (t->bplain) {
				if (t->bmodify || t->size != 1)
					t->uniform = 0;
				n += vmt_fast(t, r + n, lines ? lines + n : NULL, k);
				continue;
			}
			t->uniform = 0;
			if (vmt_careful(t, &r[n]) < 0)
				break;
			if (lines)
				lines[n] = t->line;
			n++;
			continue;
		}
		if (t->failed || vmt_block(t) <= 0)
			break;
	}
	return n;
}

/* Reads the header of a vmt trace (record 0). */
int trace_vmt_header(struct vmlab_trace *t)
{
	size_t have = (size_t)(t->end - t->p);

	if (t->failed)
		return -1;
	if (memcmp(t->p, trace_vmt_magic, have < 8 ? have : 8))
		return trace_fail(t, 0, "not a vmt trace (bad magic)");
	if (have < VMT_HEADER)
		return trace_fail(t, 0, "truncated vmt header");
	if (t->p[8] != 1)
		return trace_fail(t, 0, "vmt version %u is not supported (this vmlab reads version 1)", t->p[8]);
	{
		int i;

		for (i = 9; i < VMT_HEADER; i++)
			if (t->p[i])
				return trace_fail(t, 0, "reserved header byte %d is not zero", i);
	}
	t->p += VMT_HEADER;
	t->addr = 0;
	t->pid = 1;
	t->size = 1;
	return 0;
}

