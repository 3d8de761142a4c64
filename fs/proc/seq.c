/* fs/proc/seq.c - the text buffer behind every /proc view.
 * Plays the role of fs/seq_file.c (seq_printf, seq_setwidth/seq_pad), not its design: the
 * whole file is rendered into one growing malloc'd string (Linux fills a page at a time and
 * restarts the iterator). A failed allocation sets s->oom and drops later writes; vmlab_show
 * then returns -ENOMEM. */
#include <stdarg.h>
#include <stdlib.h>

#include "fs/proc/seq.h"

static int seq_grow(struct seq_file *s, size_t need)
{
	size_t n = s->size ? s->size : 4096;
	char *b;

	while (n < s->len + need + 1)
		n *= 2;
	if (n == s->size)
		return 0;
	b = realloc(s->buf, n);
	if (!b) {
		s->oom = 1;
		return -1;
	}
	s->buf = b;
	s->size = n;
	return 0;
}

void seq_printf(struct seq_file *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || seq_grow(s, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, s->size - s->len, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

void seq_pad(struct seq_file *s, size_t col, char c)
{
	size_t start = s->len;

	while (start > 0 && s->buf[start - 1] != '\n')
		start--;
	if (s->len - start < col)
		seq_printf(s, "%*s", (int)(col - (s->len - start)), "");
	if (c)
		seq_printf(s, "%c", c);
}

void seq_kb(struct seq_file *s, const char *label, uint64_t kb, int width)
{
	seq_printf(s, "%s%*llu kB\n", label, width, (unsigned long long)kb);
}
