/* sim/trace.c - streaming trace readers: text, lackey and vmt, raw or zstd-compressed.
 *
 * No kernel twin. A reader holds one buffer of decoded bytes (256 KiB) and refills it from the
 * file, through libzstd's streaming decompressor when the file starts with a zstd frame, so
 * memory does not depend on the trace's length. Records come out in batches
 * (vmlab_trace_read) so that the replay loop pays no call per record. The formats are in
 * docs/replay.md; vmt byte by byte in docs/vmt.md.
 *
 * Line-based formats (text, lackey): the buffer always ends just after a newline (`safe`), so
 * the parsers never check bounds inside a line; at the end of the file a missing last newline
 * is supplied. vmt comes in blocks of up to 4096 records, tag bytes first, then the data
 * bytes; a whole block is in the buffer before it is decoded, and a quick scan of its tags
 * says whether every record is plain (no size or PID change) and the lengths add up. Then the
 * fast loop decodes it without checks: per record one unaligned 8-byte load, a mask and an
 * add, and the only chain from record to record is the data pointer's add. Other blocks go
 * through a careful decoder.
 *
 * Entry points: trace_open, vmlab_trace_open/_fdopen/_read/_next/_error/_format/_progress/
 * _close, progress_start/_tick/_end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "sim/trace.h"

#define BUF_CAP (256u << 10) /* decoded bytes held at once: also the longest line */
#define ZIN_CAP (128u << 10) /* compressed bytes read at once */
#define VMT_HEADER 16
#define VMT_BLOCK 4096       /* records in a block, at most */
#define VMT_MAXDATA 15       /* data bytes of a record, at most: delta 8, size 2, PID 5 */

static const uint8_t vmt_magic[8] = {0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n'};

struct vmlab_trace {
	char *name;         /* the path, for messages */
	int fd;
	int own_fd;         /* close fd at the end (not for standard input) */
	int format;         /* VMLAB_TRACE_TEXT, _LACKEY or _VMT */
	int failed;         /* a malformed record stopped the reader: err holds the message */
	char err[TRACE_MSG];
	/* the byte source */
	ZSTD_DStream *zs;   /* NULL: the file is not compressed */
	uint8_t *zin;       /* bytes read from the file and not yet decompressed (or, raw, not
	                     * yet copied: the first read, kept for format detection) */
	size_t zin_pos, zin_len;
	size_t zret;        /* last ZSTD_decompressStream result: 0 exactly at a frame's end */
	int src_eof;        /* read() has returned 0 */
	uint64_t raw_done;  /* bytes read from the file */
	uint64_t raw_total; /* its size, 0 when unknown */
	/* decoded bytes */
	uint8_t *buf;       /* BUF_CAP bytes + 16: a supplied last newline, vmt's 8-byte loads */
	uint8_t *p, *end;   /* unread bytes */
	uint8_t *safe;      /* lines: just after the last newline */
	int eof;            /* nothing more after end */
	uint64_t base;      /* offset of buf[0] in the decoded stream */
	uint64_t line;      /* lines (vmt: records) consumed */
	/* vmt decoder state */
	uint64_t addr;      /* the previous record's */
	uint32_t pid;
	uint16_t size;
	int ended;          /* the end marker was read */
	const uint8_t *btag;  /* the open block: its next tag */
	const uint8_t *bdata; /* its next data byte */
	const uint8_t *bend;  /* the end of its data (t->p is there) */
	unsigned bleft;       /* its records not yet decoded */
	int bplain;           /* all of them plain, lengths checked: the fast loop may run */
};

static int fail(struct vmlab_trace *t, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct vmlab_trace *t, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return -1;
	n = snprintf(t->err, sizeof(t->err), "%s:%llu: error: ", t->name, (unsigned long long)line);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(t->err))
		vsnprintf(t->err + n, sizeof(t->err) - (size_t)n, fmt, ap);
	va_end(ap);
	t->failed = 1;
	t->p = t->safe = t->end;
	t->eof = 1;
	return -1;
}

/* ---- the byte source ---------------------------------------------------------------------- */

static ssize_t read_fd(struct vmlab_trace *t, uint8_t *dst, size_t cap)
{
	ssize_t r;

	do
		r = read(t->fd, dst, cap);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		t->raw_done += (uint64_t)r;
	return r;
}

/* Up to cap decoded bytes into dst: their number, 0 at the end, -1 on an error (reported
 * at the line after the last one consumed). */
static ssize_t src_read(struct vmlab_trace *t, uint8_t *dst, size_t cap)
{
	uint64_t at = t->line + 1;

	if (!t->zs) {
		if (t->zin_pos < t->zin_len) {
			size_t n = t->zin_len - t->zin_pos;

			n = n < cap ? n : cap;
			memcpy(dst, t->zin + t->zin_pos, n);
			t->zin_pos += n;
			return (ssize_t)n;
		}
		if (t->src_eof)
			return 0;
		{
			ssize_t r = read_fd(t, dst, cap);

			if (r < 0)
				return fail(t, at, "read error: %s", strerror(errno));
			if (r == 0)
				t->src_eof = 1;
			return r;
		}
	}
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = {dst, cap, 0};

		if (t->zin_pos == t->zin_len && !t->src_eof) {
			ssize_t r = read_fd(t, t->zin, ZIN_CAP);

			if (r < 0)
				return fail(t, at, "read error: %s", strerror(errno));
			if (r == 0)
				t->src_eof = 1;
			t->zin_pos = 0;
			t->zin_len = (size_t)r;
		}
		if (t->zin_pos == t->zin_len && t->src_eof) {
			if (t->zret != 0)
				return fail(t, at, "zstd: truncated (the file ends inside a compressed frame)");
			return 0;
		}
		in.src = t->zin;
		in.size = t->zin_len;
		in.pos = t->zin_pos;
		t->zret = ZSTD_decompressStream(t->zs, &out, &in);
		t->zin_pos = in.pos;
		if (ZSTD_isError(t->zret))
			return fail(t, at, "zstd: %s", ZSTD_getErrorName(t->zret));
		if (out.pos)
			return (ssize_t)out.pos;
	}
}

/* Lines: `safe` is just after the last newline; at the end of the data a missing last
 * newline is supplied (the buffer has room for it). */
static void lines_safe(struct vmlab_trace *t)
{
	uint8_t *nl;

	if (t->failed)
		return;
	if (t->eof && t->end > t->p && t->end[-1] != '\n')
		*t->end++ = '\n';
	nl = t->end > t->p ? memrchr(t->p, '\n', (size_t)(t->end - t->p)) : NULL;
	t->safe = nl ? nl + 1 : t->p;
	if (!nl && t->end == t->buf + BUF_CAP)
		fail(t, t->line + 1, "line too long (over %u KiB)", BUF_CAP >> 10);
}

/* Moves the unread bytes to the front of the buffer and reads more after them. */
static void refill(struct vmlab_trace *t)
{
	size_t keep = (size_t)(t->end - t->p);

	t->base += (uint64_t)(t->p - t->buf);
	memmove(t->buf, t->p, keep);
	t->p = t->buf;
	t->end = t->buf + keep;
	while (!t->eof && t->end < t->buf + BUF_CAP) {
		ssize_t r = src_read(t, t->end, (size_t)(t->buf + BUF_CAP - t->end));

		if (r < 0)
			return;
		if (r == 0)
			t->eof = 1;
		t->end += r;
		if (t->format == VMLAB_TRACE_VMT)
			break; /* vmt_ensure asks again when it needs more */
		if (r > 0 && memchr(t->end - r, '\n', (size_t)r))
			break; /* a whole line is there: enough to go on */
	}
	if (t->format != VMLAB_TRACE_VMT)
		lines_safe(t);
}

/* ---- text and lackey lines ---------------------------------------------------------------- */

/* hex1[c]: the value of hexadecimal digit c plus one; 0 for anything else */
static const uint8_t hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Up to 16 hexadecimal digits at *sp. 0, or -1 (none, or too many). */
static inline int parse_hex(const uint8_t **sp, uint64_t *v)
{
	const uint8_t *s = *sp;
	uint64_t x = 0;
	unsigned d, n = 0;

	if (s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	while ((d = hex1[*s]) != 0) {
		x = x << 4 | (d - 1);
		s++;
		n++;
	}
	*sp = s;
	*v = x;
	return n == 0 || n > 16 ? -1 : 0;
}

static const uint8_t *skip_line(const uint8_t *s)
{
	return (const uint8_t *)rawmemchr(s, '\n') + 1; /* a newline always follows */
}

/* After the last field: spaces, tabs, CR, an optional # comment, the newline. */
static inline int line_tail(const uint8_t **sp)
{
	const uint8_t *s = *sp;

	if (likely(*s == '\n')) {
		*sp = s + 1;
		return 0;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (*s == '#')
		s = skip_line(s) - 1;
	if (*s != '\n')
		return -1;
	*sp = s + 1;
	return 0;
}

/* One text line at *sp: 1 record, 0 nothing (blank, comment), -1 malformed (*why). */
static inline int parse_text(const uint8_t **sp, vmlab_trace_rec_t *r, const char **why)
{
	const uint8_t *s = *sp;
	uint64_t pid = 1;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\n' || *s == '#' || (*s == '\r' && s[1] == '\n')) {
		*sp = skip_line(s);
		return 0;
	}
	if ((unsigned)(*s - '0') < 10) {
		pid = 0;
		while ((unsigned)(*s - '0') < 10 && pid <= UINT32_MAX)
			pid = pid * 10 + (unsigned)(*s++ - '0');
		if (pid > UINT32_MAX) {
			*why = "bad PID (0 to 4294967295)";
			return -1;
		}
		if (*s != ' ' && *s != '\t')
			goto bad_op;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	if ((*s != 'R' && *s != 'W') || (s[1] != ' ' && s[1] != '\t'))
		goto bad_op;
	r->kind = *s == 'W' ? VMLAB_ACC_WRITE : VMLAB_ACC_READ;
	s += 2;
	while (*s == ' ' || *s == '\t')
		s++;
	if (parse_hex(&s, &r->addr)) {
		*why = "bad address (hexadecimal, at most 16 digits)";
		return -1;
	}
	if (line_tail(&s)) {
		*why = "unexpected text after the address";
		return -1;
	}
	r->pid = (uint32_t)pid;
	r->size = 1;
	r->pad = 0;
	*sp = s;
	return 1;
bad_op:
	*why = "expected '[PID ]R|W ADDR'";
	return -1;
}

/* valgrind's own lines: ==PID== ..., --PID-- ..., **PID** ... */
static int valgrind_line(const uint8_t *s)
{
	return (s[0] == '=' || s[0] == '-' || s[0] == '*') && s[1] == s[0] &&
	       (unsigned)(s[2] - '0') < 10;
}

/* One lackey line: " L ADDR,SIZE", " S ...", " M ...", "I  ADDR,SIZE". */
static inline int parse_lackey(const uint8_t **sp, vmlab_trace_rec_t *r, const char **why)
{
	const uint8_t *s = *sp;
	unsigned size = 0, nd = 0;

	if (s[0] == 'I' && s[1] == ' ') {
		r->kind = VMLAB_ACC_EXEC;
		s += 2;
	} else if (s[0] == ' ' && (s[1] == 'L' || s[1] == 'S' || s[1] == 'M') && s[2] == ' ') {
		r->kind = s[1] == 'L' ? VMLAB_ACC_READ : s[1] == 'S' ? VMLAB_ACC_WRITE : VMLAB_ACC_MODIFY;
		s += 3;
	} else if (*s == '\n' || *s == '#' || (*s == '\r' && s[1] == '\n') || valgrind_line(s)) {
		*sp = skip_line(s);
		return 0;
	} else {
		*why = "expected ' L ADDR,SIZE', ' S ADDR,SIZE', ' M ADDR,SIZE' or 'I  ADDR,SIZE'";
		return -1;
	}
	while (*s == ' ')
		s++;
	if (parse_hex(&s, &r->addr) || *s != ',') {
		*why = "bad address (hexadecimal, then ',SIZE')";
		return -1;
	}
	s++;
	while ((unsigned)(*s - '0') < 10 && nd < 5) {
		size = size * 10 + (unsigned)(*s++ - '0');
		nd++;
	}
	if (nd == 0 || size == 0 || size > 4096 || (unsigned)(*s - '0') < 10 || line_tail(&s)) {
		*why = "bad size (1 to 4096)";
		return -1;
	}
	r->size = (uint16_t)size;
	r->pid = 1;
	r->pad = 0;
	*sp = s;
	return 1;
}

static size_t read_lines(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max)
{
	const int lackey = t->format == VMLAB_TRACE_LACKEY;
	size_t n = 0;

	while (n < max) {
		const uint8_t *s = t->p, *start = s;
		const char *why = "";
		int rc;

		if (unlikely(s >= t->safe)) {
			if (t->eof || t->failed)
				break;
			refill(t);
			continue;
		}
		t->line++;
		rc = lackey ? parse_lackey(&s, &r[n], &why) : parse_text(&s, &r[n], &why);
		if (unlikely(rc < 0)) {
			const uint8_t *nl = skip_line(start);

			if (memchr(start, 0, (size_t)(nl - start)))
				why = "NUL byte in the trace";
			fail(t, t->line, "%s", why);
			break;
		}
		t->p = (uint8_t *)s;
		if (rc) {
			if (lines)
				lines[n] = t->line;
			n++;
		}
	}
	return n;
}

/* ---- vmt ----------------------------------------------------------------------------------- */

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
		refill(t);
}

/* Opens the next block. 1, 0 (the end marker, nothing after it), -1 malformed. */
static int vmt_block(struct vmlab_trace *t)
{
	const uint8_t *p, *tag;
	uint64_t k, d, sum = 0, i, flags8 = 0, lenbad8 = 0;
	unsigned flags = 0, lenbad = 0;
	size_t hdr;
	int rc;

	vmt_ensure(t, 16);
	if (t->failed)
		return -1;
	if (t->p == t->end)
		return t->ended ? 0 : fail(t, t->line + 1, "truncated: the trace ends without its end marker");
	if (t->ended)
		return fail(t, t->line, "byte %llu: data after the end marker", boff(t, t->p));
	p = t->p;
	if ((rc = get_varint(&p, t->end, 2, &k)))
		return fail(t, t->line + 1, "byte %llu: %s block header", boff(t, t->p),
			    rc == -2 ? "truncated" : "bad");
	if (k == 0) {
		/* the end marker: 0, then the number of records as 8 little-endian bytes */
		if (t->end - p < 8)
			return fail(t, t->line + 1, "byte %llu: truncated end marker", boff(t, t->p));
		if (load_le64(p) != t->line)
			return fail(t, t->line + 1, "byte %llu: the end marker counts %llu records, the trace has %llu",
				    boff(t, t->p), (unsigned long long)load_le64(p), (unsigned long long)t->line);
		t->p = (uint8_t *)p + 8;
		t->ended = 1;
		vmt_ensure(t, 1);
		if (t->p < t->end)
			return fail(t, t->line, "byte %llu: data after the end marker", boff(t, t->p));
		return t->failed ? -1 : 0;
	}
	if (k > VMT_BLOCK || (rc = get_varint(&p, t->end, 3, &d)) || d > k * VMT_MAXDATA)
		return fail(t, t->line + 1, "byte %llu: %s block header", boff(t, t->p),
			    k <= VMT_BLOCK && rc == -2 ? "truncated" : "bad");
	hdr = (size_t)(p - t->p);
	vmt_ensure(t, hdr + k + d); /* may move the buffer */
	if ((size_t)(t->end - t->p) < hdr + k + d)
		return fail(t, t->line + 1, "byte %llu: truncated block (%llu records)", boff(t, t->p),
			    (unsigned long long)k);
	tag = t->p + hdr;
	/* plain when no record changes size or PID, every delta length is at most 8, and the
	 * lengths add up to the data: then the fast loop cannot read past it. Eight tags at a
	 * time: a length plus 7 reaches bit 4 exactly when it is over 8 (no carry between bytes). */
	for (i = 0; i + 8 <= k; i += 8) {
		uint64_t w = load_le64(tag + i), len8 = w & 0x0f0f0f0f0f0f0f0full;

		flags8 |= w;
		lenbad8 |= len8 + 0x0707070707070707ull;
		sum += (len8 * 0x0101010101010101ull) >> 56;
	}
	for (; i < k; i++) {
		flags |= tag[i];
		lenbad |= (tag[i] & 15u) + 7;
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
	t->p = (uint8_t *)t->bend;
	return 1;
}

/* Plain records of the open block, k of them (at most what is left): no checks. */
static size_t vmt_fast(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t k)
{
	const uint8_t *tag = t->btag, *d = t->bdata;
	uint64_t addr = t->addr, line = t->line;
	vmlab_trace_rec_t proto = {.pid = t->pid, .size = t->size};
	size_t i;

	for (i = 0; i < k; i++) {
		unsigned tg = tag[i], len = tg & 15;
		uint64_t z = load_le64(d) & vmt_mask[len];

		d += len;
		addr += (z >> 1) ^ (0 - (z & 1));
		/* one 16-byte record from a prototype: the compiler writes it in two stores */
		proto.addr = addr;
		proto.kind = (uint8_t)((tg >> 4) & 3);
		r[i] = proto;
	}
	if (lines)
		for (i = 0; i < k; i++)
			lines[i] = line + i + 1;
	t->btag = tag + k;
	t->bdata = d;
	t->bleft -= (unsigned)k;
	t->addr = addr;
	t->line = line + k;
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
		return fail(t, rec, "byte %llu: bad tag 0x%02x", boff(t, t->btag), tag);
	if ((size_t)(end - d) < len)
		goto short_data;
	for (i = 0; i < len; i++)
		z |= (uint64_t)d[i] << (8 * i);
	d += len;
	if (tag & 0x40) {
		if ((rc = get_varint(&d, end, 2, &v)))
			goto bad_varint;
		if (v == 0 || v > 4096)
			return fail(t, rec, "byte %llu: bad size %llu (1 to 4096)", boff(t, t->btag),
				    (unsigned long long)v);
		t->size = (uint16_t)v;
	}
	if (tag & 0x80) {
		if ((rc = get_varint(&d, end, 5, &v)))
			goto bad_varint;
		if (v > UINT32_MAX)
			return fail(t, rec, "byte %llu: bad PID %llu", boff(t, t->btag), (unsigned long long)v);
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
		return fail(t, rec, "byte %llu: the block has %llu data bytes its records do not use",
			    boff(t, d), (unsigned long long)(end - d));
	return 1;
bad_varint:
	if (rc == -1)
		return fail(t, rec, "byte %llu: bad varint (too long)", boff(t, t->btag));
short_data:
	return fail(t, rec, "byte %llu: the record runs past its block's data", boff(t, t->btag));
}

static size_t read_vmt(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max)
{
	size_t n = 0;

	while (n < max) {
		if (t->bleft) {
			size_t k = t->bleft < max - n ? t->bleft : max - n;

			if (t->bplain) {
				n += vmt_fast(t, r + n, lines ? lines + n : NULL, k);
				continue;
			}
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

/* ---- opening ------------------------------------------------------------------------------- */

static int is_zstd(const uint8_t *b, size_t n)
{
	if (n < 4)
		return 0;
	if (b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return 1; /* a zstd frame */
	return (b[0] & 0xf0) == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18; /* skippable */
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The format of a text-like trace: the first line that is not blank or a comment decides. */
static int detect_lines(const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *s = p;

		if (!nl)
			nl = end;
		while (s < nl && (*s == '\t' || *s == '\r'))
			s++;
		if (s < nl && *s != '#') {
			if (nl - s >= 2 && ((s[0] == '=' && s[1] == '=') || (s[0] == 'I' && s[1] == ' ') ||
					    (s[0] == ' ' && (s[1] == 'L' || s[1] == 'S' || s[1] == 'M'))))
				return VMLAB_TRACE_LACKEY;
			while (s < nl && *s == ' ')
				s++;
			if (s < nl && *s != '#' && *s != '\r')
				return VMLAB_TRACE_TEXT;
		}
		p = nl + 1;
	}
	return VMLAB_TRACE_TEXT;
}

static int open_msg(char *msg, size_t msgsz, const char *path, const char *what)
{
	snprintf(msg, msgsz, "vmlab: %s: %s", path, what);
	return -1;
}

/* Reads the header of a vmt trace (record 0). */
static int vmt_header(struct vmlab_trace *t)
{
	size_t have = (size_t)(t->end - t->p);

	if (t->failed)
		return -1;
	if (memcmp(t->p, vmt_magic, have < 8 ? have : 8))
		return fail(t, 0, "not a vmt trace (bad magic)");
	if (have < VMT_HEADER)
		return fail(t, 0, "truncated vmt header");
	if (t->p[8] != 1)
		return fail(t, 0, "vmt version %u is not supported (this vmlab reads version 1)", t->p[8]);
	{
		int i;

		for (i = 9; i < VMT_HEADER; i++)
			if (t->p[i])
				return fail(t, 0, "reserved header byte %d is not zero", i);
	}
	t->p += VMT_HEADER;
	t->addr = 0;
	t->pid = 1;
	t->size = 1;
	return 0;
}

int trace_open(const char *path, int fd, int format, vmlab_trace_t **out, char *msg, size_t msgsz)
{
	struct vmlab_trace *t;
	struct stat st;
	int stdin_ = fd < 0 && !strcmp(path, "-");

	*out = NULL;
	if (format < VMLAB_TRACE_AUTO || format > VMLAB_TRACE_VMT)
		return open_msg(msg, msgsz, path, "unknown trace format");
	if (fd < 0 && !stdin_) {
		if (stat(path, &st))
			return open_msg(msg, msgsz, path, strerror(errno));
		if (S_ISDIR(st.st_mode))
			return open_msg(msg, msgsz, path, "not a regular file");
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return open_msg(msg, msgsz, path, strerror(errno));
	} else if (stdin_) {
		fd = 0;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->name = strdup(path)) || !(t->buf = calloc(1, BUF_CAP + 16)) ||
	    !(t->zin = malloc(ZIN_CAP))) {
		if (t) {
			free(t->name);
			free(t->buf);
		}
		free(t);
		if (!stdin_)
			close(fd);
		return open_msg(msg, msgsz, path, "out of memory");
	}
	t->fd = fd;
	t->own_fd = !stdin_;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		t->raw_total = (uint64_t)st.st_size;
	t->p = t->end = t->safe = t->buf;
	/* the first bytes say whether it is compressed */
	while (t->zin_len < 8 && !t->src_eof) {
		ssize_t r = read_fd(t, t->zin + t->zin_len, ZIN_CAP - t->zin_len);

		if (r < 0) {
			vmlab_trace_close(t);
			return open_msg(msg, msgsz, path, strerror(errno));
		}
		if (r == 0)
			t->src_eof = 1;
		t->zin_len += (size_t)r;
	}
	if (is_zstd(t->zin, t->zin_len)) {
		t->zs = ZSTD_createDStream();
		if (!t->zs || ZSTD_isError(ZSTD_initDStream(t->zs))) {
			vmlab_trace_close(t);
			return open_msg(msg, msgsz, path, "cannot start zstd decompression");
		}
	} else if (ends_with(path, ".zst")) {
		vmlab_trace_close(t);
		snprintf(msg, msgsz, "%s:0: error: not zstd-compressed data (the name ends in .zst)", path);
		return -1;
	}
	/* decoded bytes enough to know the format: a vmt header, or a few whole lines */
	while (!t->eof && !t->failed && t->end < t->buf + BUF_CAP &&
	       (t->end - t->p < 256 || !memchr(t->p, '\n', (size_t)(t->end - t->p)))) {
		ssize_t r = src_read(t, t->end, (size_t)(t->buf + BUF_CAP - t->end));

		if (r <= 0)
			t->eof = 1;
		else
			t->end += r;
	}
	t->format = format;
	if (format == VMLAB_TRACE_AUTO)
		t->format = t->p < t->end && t->p[0] == vmt_magic[0] ? VMLAB_TRACE_VMT
								     : detect_lines(t->p, t->end);
	if (t->format == VMLAB_TRACE_VMT)
		vmt_header(t);
	else
		lines_safe(t);
	*out = t;
	return 0;
}

/* ---- the public calls ----------------------------------------------------------------------- */

int vmlab_trace_open(const char *path, int format, vmlab_trace_t **out, FILE *err)
{
	char msg[TRACE_MSG];

	if (!path || !out)
		return 2;
	if (trace_open(path, -1, format, out, msg, sizeof(msg))) {
		if (err)
			fprintf(err, "%s\n", msg);
		return 2;
	}
	return 0;
}

int vmlab_trace_fdopen(int fd, const char *name, int format, vmlab_trace_t **out, FILE *err)
{
	char msg[TRACE_MSG];

	if (fd < 0 || !name || !out)
		return 2;
	if (trace_open(name, fd, format, out, msg, sizeof(msg))) {
		if (err)
			fprintf(err, "%s\n", msg);
		return 2;
	}
	return 0;
}

size_t vmlab_trace_read(vmlab_trace_t *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max)
{
	if (!t || !r || t->failed)
		return 0;
	return t->format == VMLAB_TRACE_VMT ? read_vmt(t, r, lines, max) : read_lines(t, r, lines, max);
}

int vmlab_trace_next(vmlab_trace_t *t, vmlab_trace_rec_t *r)
{
	if (vmlab_trace_read(t, r, NULL, 1))
		return 1;
	return t && t->failed ? -1 : 0;
}

const char *vmlab_trace_error(const vmlab_trace_t *t)
{
	return t && t->failed ? t->err : NULL;
}

int vmlab_trace_format(const vmlab_trace_t *t)
{
	return t ? t->format : VMLAB_TRACE_AUTO;
}

void vmlab_trace_progress(const vmlab_trace_t *t, uint64_t *done, uint64_t *total)
{
	if (done)
		*done = t ? t->raw_done : 0;
	if (total)
		*total = t ? t->raw_total : 0;
}

void vmlab_trace_close(vmlab_trace_t *t)
{
	if (!t)
		return;
	if (t->own_fd && t->fd >= 0)
		close(t->fd);
	ZSTD_freeDStream(t->zs);
	free(t->zin);
	free(t->buf);
	free(t->name);
	free(t);
}

/* ---- progress ------------------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(struct progress *p, int on, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->on = on;
	p->what = what;
	if (on)
		p->start = p->last = now_s();
}

void progress_tick(struct progress *p, const vmlab_trace_t *t, uint64_t done, FILE *err)
{
	double n, el;
	uint64_t got, total;
	char eta[64] = "";

	if (!p->on)
		return;
	n = now_s();
	el = n - p->start;
	if (el < 1.0 || n - p->last < 0.5)
		return;
	p->last = n;
	vmlab_trace_progress(t, &got, &total);
	if (total && got <= total && got)
		snprintf(eta, sizeof(eta), ", %.0f%%, %.0f s left", 100.0 * (double)got / (double)total,
			 el * (double)(total - got) / (double)got);
	fprintf(err, "\r%s: %.1fM accesses, %.1f M/s%s   ", p->what, (double)done / 1e6,
		(double)done / el / 1e6, eta);
	fflush(err);
	p->shown = 1;
}

void progress_end(struct progress *p, FILE *err)
{
	if (p->on && p->shown) {
		fprintf(err, "\r%*s\r", 72, "");
		fflush(err);
	}
	p->shown = 0;
}
