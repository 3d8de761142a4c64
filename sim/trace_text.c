/* sim/trace_text.c - the line formats: text ("[PID ]R|W ADDR") and valgrind lackey output.
 *
 * No kernel twin. sim/trace.c keeps the buffer ending just after a newline (`safe`), so the
 * parsers here never check bounds inside a line. Like the vmt reader, it says when a whole
 * batch is one-page accesses by one PID (t->uniform), so that replay hands it on unread. The
 * formats are in docs/replay.md.
 *
 * Entry points: trace_read_lines, trace_detect_lines.
 */
#include <string.h>

#include "sim/trace.h"

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

/* The hint vmt's blocks give (t->uniform, t->uniform_hi): are all n records one-page
 * accesses, none an M, by one PID, and how high do they reach. One pass without branches
 * over records still in the cache (on replay's reader thread: off the simulation's path). */
static void lines_uniform(struct vmlab_trace *t, const vmlab_trace_rec_t *r, size_t n)
{
	uint64_t hi = 0, odd = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t last = r[i].addr + r[i].size - 1; /* wraps past 2^64: crosses a page too */

		odd |= (r[i].pid ^ r[0].pid) | (r[i].kind == VMLAB_ACC_MODIFY) | ((last ^ r[i].addr) >> 12);
		hi = last > hi ? last : hi;
	}
	t->uniform = !odd;
	t->uniform_hi = hi;
}

size_t trace_read_lines(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max)
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
			trace_refill(t);
			continue;
		}
		t->line++;
		rc = lackey ? parse_lackey(&s, &r[n], &why) : parse_text(&s, &r[n], &why);
		if (unlikely(rc < 0)) {
			const uint8_t *nl = skip_line(start);

			if (memchr(start, 0, (size_t)(nl - start)))
				why = "NUL byte in the trace";
			trace_fail(t, t->line, "%s", why);
			break;
		}
		t->p = (uint8_t *)s;
		if (rc) {
			if (lines)
				lines[n] = t->line;
			n++;
		}
	}
	lines_uniform(t, r, n);
	return n;
}

/* The format of a text-like trace: the first line that is not blank or a comment decides. */
int trace_detect_lines(const uint8_t *p, const uint8_t *end)
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

