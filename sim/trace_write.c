/* sim/trace_write.c - trace writers (text, lackey, vmt; raw or zstd) and the copy loop of
 * vmlab convert and vmlab record.
 *
 * No kernel twin. Output is assembled in a 256 KiB buffer and handed to the FILE (through
 * libzstd's streaming compressor, with its content checksum, for .zst output), so memory does
 * not grow with the trace. The vmt encoding is docs/vmt.md: blocks of up to 4096 records,
 * each the record count, the data length, one tag byte a record (delta length, op, "size
 * follows", "PID follows"), then the data: per record the zigzag delta of the byte address
 * from the previous record's in little-endian bytes, then the new size and PID as LEB128 when
 * they change; a 16-byte header before and an end marker with the record count after.
 *
 * Entry points: vmlab_trace_writer_open, vmlab_trace_write, vmlab_trace_writer_close,
 * vmlab_trace_copy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "sim/trace.h"

#define OUT_CAP (256u << 10)
#define OUT_ROOM 256 /* the most one record can add (four text lines) */
#define VMT_BLOCK 4096
#define VMT_MAXDATA 15

static const uint8_t vmt_magic[8] = {0x89, 'V', 'M', 'T', '\r', '\n', 0x1a, '\n'};

struct vmlab_trace_writer {
	FILE *f;
	char *name;      /* for messages */
	int format;
	ZSTD_CStream *zc; /* NULL: not compressed */
	uint8_t *buf;    /* bytes not yet handed on */
	size_t len;
	uint8_t *zout;   /* compressed bytes */
	size_t zout_cap;
	int failed;
	char err[TRACE_MSG];
	/* vmt encoder state: the previous record's */
	uint64_t addr;
	uint32_t pid;
	uint16_t size;
	uint64_t count;  /* records written */
	uint8_t *btag;   /* the block being filled: tags (VMT_BLOCK) */
	uint8_t *bdata;  /* and data (VMT_BLOCK * VMT_MAXDATA) */
	unsigned bn;     /* its records */
	size_t blen;     /* its data bytes */
};

static int wfail(struct vmlab_trace_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int wfail(struct vmlab_trace_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->failed)
		return -1;
	n = snprintf(w->err, sizeof(w->err), "vmlab: %s: ", w->name);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(w->err))
		vsnprintf(w->err + n, sizeof(w->err) - (size_t)n, fmt, ap);
	va_end(ap);
	w->failed = 1;
	return -1;
}

static int put(struct vmlab_trace_writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return wfail(w, "write error: %s", strerror(errno));
	return 0;
}

/* Hands the buffered bytes on; `end` also ends the zstd frame. */
static int flush(struct vmlab_trace_writer *w, int end)
{
	ZSTD_inBuffer in = {w->buf, w->len, 0};

	if (w->failed)
		return -1;
	if (!w->zc) {
		w->len = 0;
		return put(w, in.src, in.size);
	}
	for (;;) {
		ZSTD_outBuffer out = {w->zout, w->zout_cap, 0};
		size_t left = ZSTD_compressStream2(w->zc, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);

		if (ZSTD_isError(left))
			return wfail(w, "zstd: %s", ZSTD_getErrorName(left));
		if (put(w, w->zout, out.pos))
			return -1;
		if (end ? left == 0 : in.pos == in.size)
			break;
	}
	w->len = 0;
	return 0;
}

/* Frees a writer and its buffers (NULL: nothing). */
static void writer_free(vmlab_trace_writer_t *w)
{
	if (!w)
		return;
	ZSTD_freeCStream(w->zc);
	free(w->btag);
	free(w->bdata);
	free(w->zout);
	free(w->buf);
	free(w->name);
	free(w);
}

int vmlab_trace_writer_open(FILE *f, const char *name, int format, int zstd,
			    vmlab_trace_writer_t **out, FILE *err)
{
	struct vmlab_trace_writer *w;

	if (!out)
		return 2;
	*out = NULL;
	if (!f || !name || format < VMLAB_TRACE_TEXT || format > VMLAB_TRACE_VMT) {
		if (err)
			fprintf(err, "vmlab: %s: cannot write a trace in that format\n", name ? name : "?");
		return 2;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->name = strdup(name)) || !(w->buf = malloc(OUT_CAP)))
		goto nomem;
	w->f = f;
	w->format = format;
	if (zstd) {
		w->zout_cap = ZSTD_CStreamOutSize();
		w->zc = ZSTD_createCStream();
		w->zout = malloc(w->zout_cap);
		if (!w->zc || !w->zout ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1)))
			goto nomem;
	}
	w->pid = 1;
	w->size = 1;
	if (format == VMLAB_TRACE_VMT &&
	    (!(w->btag = malloc(VMT_BLOCK)) || !(w->bdata = malloc(VMT_BLOCK * VMT_MAXDATA))))
		goto nomem;
	if (format == VMLAB_TRACE_VMT) {
		/* the header: magic, version 1, seven reserved zero bytes */
		memcpy(w->buf, vmt_magic, 8);
		memset(w->buf + 8, 0, 8);
		w->buf[8] = 1;
		w->len = 16;
	}
	*out = w;
	return 0;
nomem:
	if (err)
		fprintf(err, "vmlab: %s: out of memory\n", name);
	writer_free(w);
	return 2;
}

static uint8_t *put_hex(uint8_t *b, uint64_t v, int min_digits)
{
	static const char digits[] = "0123456789abcdef";
	int n = 1, i;

	while (n < 16 && (v >> (4 * n)))
		n++;
	if (n < min_digits)
		n = min_digits;
	for (i = n - 1; i >= 0; i--)
		*b++ = (uint8_t)digits[(v >> (4 * i)) & 15];
	return b;
}

static uint8_t *put_dec(uint8_t *b, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*b++ = (uint8_t)tmp[--n];
	return b;
}

static uint8_t *put_varint(uint8_t *b, uint64_t v)
{
	while (v >= 0x80) {
		*b++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*b++ = (uint8_t)v;
	return b;
}

/* The filled block into the output: count, data length, tags, data. */
static int vmt_flush_block(struct vmlab_trace_writer *w)
{
	uint8_t *b;

	if (!w->bn)
		return 0;
	if (w->len + 8 + w->bn + w->blen > OUT_CAP && flush(w, 0))
		return -1;
	b = put_varint(w->buf + w->len, w->bn);
	b = put_varint(b, w->blen);
	memcpy(b, w->btag, w->bn);
	memcpy(b + w->bn, w->bdata, w->blen);
	w->len = (size_t)(b + w->bn + w->blen - w->buf);
	w->bn = 0;
	w->blen = 0;
	return 0;
}

static int write_vmt(struct vmlab_trace_writer *w, const vmlab_trace_rec_t *r)
{
	uint8_t *b = w->bdata + w->blen, tag;
	uint64_t d = r->addr - w->addr;
	uint64_t z = (d << 1) ^ (uint64_t)((int64_t)d >> 63);
	unsigned len = 0, i;

	while (len < 8 && z >> (8 * len))
		len++;
	for (i = 0; i < len; i++)
		*b++ = (uint8_t)(z >> (8 * i));
	tag = (uint8_t)(len | (unsigned)(r->kind & 3) << 4);
	if (r->size != w->size) {
		tag |= 0x40;
		b = put_varint(b, r->size);
		w->size = r->size;
	}
	if (r->pid != w->pid) {
		tag |= 0x80;
		b = put_varint(b, r->pid);
		w->pid = r->pid;
	}
	w->addr = r->addr;
	w->btag[w->bn++] = tag;
	w->blen = (size_t)(b - w->bdata);
	return w->bn == VMT_BLOCK ? vmt_flush_block(w) : 0;
}

/* Text has R and W of one byte: the record's accesses, one line each. Simplification: a
 * fetch becomes R (the same on replay's read-write-execute implicit mappings; not on the
 * initial stack, which is not executable). */
static void write_text(struct vmlab_trace_writer *w, const vmlab_trace_rec_t *r)
{
	uint64_t a[4];
	uint8_t k[4], *b = w->buf + w->len;
	int n = trace_expand(r, a, k), i;

	for (i = 0; i < n; i++) {
		if (r->pid != 1) {
			b = put_dec(b, r->pid);
			*b++ = ' ';
		}
		*b++ = k[i] == VMLAB_ACC_WRITE ? 'W' : 'R';
		*b++ = ' ';
		b = put_hex(b, a[i], 1);
		*b++ = '\n';
	}
	w->len = (size_t)(b - w->buf);
}

static int write_lackey(struct vmlab_trace_writer *w, const vmlab_trace_rec_t *r)
{
	static const char *const op[4] = {" L ", " S ", "I  ", " M "};
	uint8_t *b = w->buf + w->len;

	if (r->pid != 1)
		return wfail(w, "lackey traces have one process: a record of PID %u cannot be written",
			     r->pid);
	memcpy(b, op[r->kind & 3], 3);
	b = put_hex(b + 3, r->addr, 8);
	*b++ = ',';
	b = put_dec(b, r->size);
	*b++ = '\n';
	w->len = (size_t)(b - w->buf);
	return 0;
}

int vmlab_trace_write(vmlab_trace_writer_t *w, const vmlab_trace_rec_t *r)
{
	if (!w || !r || w->failed)
		return -1;
	if (r->size == 0 || r->size > 4096 || r->kind > VMLAB_ACC_MODIFY)
		return wfail(w, "a record with size %u and kind %u cannot be written", r->size, r->kind);
	if (w->len > OUT_CAP - OUT_ROOM && flush(w, 0))
		return -1;
	switch (w->format) {
	case VMLAB_TRACE_VMT:
		if (write_vmt(w, r))
			return -1;
		break;
	case VMLAB_TRACE_TEXT:
		write_text(w, r);
		break;
	default:
		if (write_lackey(w, r))
			return -1;
	}
	w->count++;
	return 0;
}

int vmlab_trace_writer_close(vmlab_trace_writer_t *w, FILE *err)
{
	int status;

	if (!w)
		return 2;
	if (!w->failed && w->format == VMLAB_TRACE_VMT && !vmt_flush_block(w) &&
	    !(w->len + 9 > OUT_CAP && flush(w, 0))) {
		/* the end marker: a block of 0 records, then the record count in 8 bytes */
		uint8_t *b = w->buf + w->len;
		int i;

		*b++ = 0;
		for (i = 0; i < 8; i++)
			*b++ = (uint8_t)(w->count >> (8 * i));
		w->len += 9;
	}
	if (!w->failed)
		flush(w, 1);
	if (!w->failed && fflush(w->f))
		wfail(w, "write error: %s", strerror(errno));
	status = w->failed ? 2 : 0;
	if (w->failed && err)
		fprintf(err, "%s\n", w->err);
	writer_free(w);
	return status;
}

int vmlab_trace_copy(vmlab_trace_t *in, vmlab_trace_writer_t *w, int progress, FILE *err)
{
	vmlab_trace_rec_t r[TRACE_BATCH];
	struct progress pr;
	uint64_t done = 0;
	size_t n, i;

	if (!in || !w)
		return 2;
	progress_start(&pr, progress && err, "convert");
	pr.unit = "records";
	while ((n = vmlab_trace_read(in, r, NULL, TRACE_BATCH)) > 0) {
		for (i = 0; i < n; i++)
			if (vmlab_trace_write(w, &r[i]))
				goto out; /* reported by vmlab_trace_writer_close */
		done += n;
		progress_tick(&pr, in, done, err);
	}
out:
	progress_end(&pr, err);
	if (vmlab_trace_error(in)) {
		if (err)
			fprintf(err, "%s\n", vmlab_trace_error(in));
		return 2;
	}
	return n ? 2 : 0;
}
