/* sim/trace.c - streaming trace readers: opening, the byte source (raw or zstd), the public
 * vmlab_trace_* calls, progress lines.
 *
 * No kernel twin. A reader holds one buffer of decoded bytes (256 KiB) and refills it from the
 * file, through libzstd's streaming decompressor when the file starts with a zstd frame, so
 * memory does not depend on the trace's length. Records come out in batches
 * (vmlab_trace_read) so that the replay loop pays no call per record. The formats' decoders
 * are sim/trace_text.c (text, lackey) and sim/trace_vmt.c; the formats are in docs/replay.md,
 * vmt byte by byte in docs/vmt.md.
 *
 * Entry points: trace_open, trace_fail, trace_refill, vmlab_trace_open/_fdopen/_read/_next/
 * _error/_format/_progress/_close, progress_start/_tick/_tick_batch/_end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "sim/trace.h"

int trace_fail(struct vmlab_trace *t, uint64_t line, const char *fmt, ...)
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

/* read(), but a reader on a thread of its own that waits for a pipe or a terminal also
 * wakes when its consumer stops it (t->stop_fd, sim/trace_ring.c): then -1 with ECANCELED. */
static ssize_t read_fd(struct vmlab_trace *t, uint8_t *dst, size_t cap)
{
	ssize_t r;

	if (t->stop_fd >= 0) {
		struct pollfd pf[2] = {{.fd = t->fd, .events = POLLIN}, {.fd = t->stop_fd, .events = POLLIN}};

		while (poll(pf, 2, -1) < 0 && errno == EINTR)
			;
		if (pf[1].revents) {
			errno = ECANCELED;
			return -1;
		}
	}
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
				return trace_fail(t, at, "read error: %s", strerror(errno));
			if (r == 0)
				t->src_eof = 1;
			return r;
		}
	}
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = {dst, cap, 0};

		if (t->zin_pos == t->zin_len && !t->src_eof) {
			ssize_t r = read_fd(t, t->zin, TRACE_ZIN_CAP);

			if (r < 0)
				return trace_fail(t, at, "read error: %s", strerror(errno));
			if (r == 0)
				t->src_eof = 1;
			t->zin_pos = 0;
			t->zin_len = (size_t)r;
		}
		if (t->zin_pos == t->zin_len && t->src_eof) {
			if (t->zret != 0)
				return trace_fail(t, at, "zstd: truncated (the file ends inside a compressed frame)");
			return 0;
		}
		in.src = t->zin;
		in.size = t->zin_len;
		in.pos = t->zin_pos;
		t->zret = ZSTD_decompressStream(t->zs, &out, &in);
		t->zin_pos = in.pos;
		if (ZSTD_isError(t->zret))
			return trace_fail(t, at, "zstd: %s", ZSTD_getErrorName(t->zret));
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
	if (!nl && t->end == t->buf + TRACE_BUF_CAP)
		trace_fail(t, t->line + 1, "line too long (over %u KiB)", TRACE_BUF_CAP >> 10);
}

/* Moves the unread bytes to the front of the buffer and reads more after them. */
void trace_refill(struct vmlab_trace *t)
{
	size_t keep = (size_t)(t->end - t->p);

	t->base += (uint64_t)(t->p - t->buf);
	memmove(t->buf, t->p, keep);
	t->p = t->buf;
	t->end = t->buf + keep;
	while (!t->eof && t->end < t->buf + TRACE_BUF_CAP) {
		ssize_t r = src_read(t, t->end, (size_t)(t->buf + TRACE_BUF_CAP - t->end));

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

static int open_msg(char *msg, size_t msgsz, const char *path, const char *what)
{
	snprintf(msg, msgsz, "vmlab: %s: %s", path, what);
	return -1;
}

int trace_open(const char *path, int fd, int format, vmlab_trace_t **out, char *msg, size_t msgsz)
{
	struct vmlab_trace *t;
	struct stat st;
	int stdin_ = fd < 0 && !strcmp(path, "-");

	*out = NULL;
	if (format < VMLAB_TRACE_AUTO || format > VMLAB_TRACE_VMT) {
		if (fd >= 0)
			close(fd); /* a given descriptor is ours, whatever happens */
		return open_msg(msg, msgsz, path, "unknown trace format");
	}
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
	if (!t || !(t->name = strdup(path)) || !(t->buf = calloc(1, TRACE_BUF_CAP + 16)) ||
	    !(t->zin = malloc(TRACE_ZIN_CAP))) {
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
	t->stop_fd = -1;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		t->raw_total = (uint64_t)st.st_size;
	t->p = t->end = t->safe = t->buf;
	/* the first bytes say whether it is compressed */
	while (t->zin_len < 8 && !t->src_eof) {
		ssize_t r = read_fd(t, t->zin + t->zin_len, TRACE_ZIN_CAP - t->zin_len);

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
	while (!t->eof && !t->failed && t->end < t->buf + TRACE_BUF_CAP &&
	       (t->end - t->p < 256 || !memchr(t->p, '\n', (size_t)(t->end - t->p)))) {
		ssize_t r = src_read(t, t->end, (size_t)(t->buf + TRACE_BUF_CAP - t->end));

		if (r <= 0)
			t->eof = 1;
		else
			t->end += r;
	}
	t->format = format;
	if (format == VMLAB_TRACE_AUTO)
		t->format = t->p < t->end && t->p[0] == trace_vmt_magic[0] ? VMLAB_TRACE_VMT
								     : trace_detect_lines(t->p, t->end);
	if (t->format == VMLAB_TRACE_VMT)
		trace_vmt_header(t);
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
	return t->format == VMLAB_TRACE_VMT ? trace_read_vmt(t, r, lines, max)
					     : trace_read_lines(t, r, lines, max);
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
	p->unit = "accesses";
	if (on)
		p->start = p->last = now_s();
}

/* The line, from the bytes read so far (got of total, 0: unknown). */
static void progress_line(struct progress *p, uint64_t got, uint64_t total, uint64_t done, FILE *err)
{
	double n, el;
	char eta[64] = "";

	n = now_s();
	el = n - p->start;
	if (el < 1.0 || n - p->last < 0.5)
		return;
	p->last = n;
	if (total && got <= total && got)
		snprintf(eta, sizeof(eta), ", %.0f%%, %.0f s left", 100.0 * (double)got / (double)total,
			 el * (double)(total - got) / (double)got);
	fprintf(err, "\r%s: %.1fM %s, %.1f M/s%s   ", p->what, (double)done / 1e6, p->unit,
		(double)done / el / 1e6, eta);
	fflush(err);
	p->shown = 1;
}

void progress_tick(struct progress *p, const vmlab_trace_t *t, uint64_t done, FILE *err)
{
	uint64_t got, total;

	if (!p->on)
		return;
	vmlab_trace_progress(t, &got, &total);
	progress_line(p, got, total, done, err);
}

void progress_tick_batch(struct progress *p, const struct batch *b, uint64_t done, FILE *err)
{
	if (p->on)
		progress_line(p, b->raw_done, b->raw_total, done, err);
}

void progress_end(struct progress *p, FILE *err)
{
	if (p->on && p->shown) {
		fprintf(err, "\r%*s\r", 72, "");
		fflush(err);
	}
	p->shown = 0;
}

