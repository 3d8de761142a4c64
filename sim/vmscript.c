/* sim/vmscript.c - the scenario language: lexer and parser with static checks.
 *
 * No kernel twin. Reads a whole .vms file (../shared/spec/vmscript.md) into statements. Every
 * error stops the parse with one line "FILE:LINE: error: ..." before anything runs. Static
 * checks: statement forms, numbers (overflow), sizes, permissions, names defined before use
 * (processes by spawn/fork, variables by VAR = ...), machine first and at most once.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/vmscript.h"

#define MAX_TOKENS 64
#define MAX_FILE (64u << 20)

struct parser {
	const char *name;
	int line;
	char *err;
	size_t errsz;
	/* names defined so far (static checks) */
	char (*procs)[VMS_NAME_MAX];
	int nprocs, capprocs;
	char (*vars)[VMS_NAME_MAX];
	int nvars, capvars;
	char (*groups)[VMS_NAME_MAX];
	int ngroups, capgroups;
	int exact_policy; /* machine policy= is an exact one (no cgroups) */
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errsz, "%s:%d: error: %s", p->name, p->line, msg);
	return -1;
}

/* ---- names ----------------------------------------------------------------------------- */

static int valid_name(const char *s)
{
	size_t i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return i < VMS_NAME_MAX;
}

static int in_list(char (*l)[VMS_NAME_MAX], int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i], s))
			return 1;
	return 0;
}

static int add_name(char (**l)[VMS_NAME_MAX], int *n, int *cap, const char *s)
{
	if (in_list(*l, *n, s))
		return 0;
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 16;
		char(*nl)[VMS_NAME_MAX] = realloc(*l, sizeof(**l) * (size_t)c);

		if (!nl)
			return -1;
		*l = nl;
		*cap = c;
	}
	snprintf((*l)[(*n)++], VMS_NAME_MAX, "%s", s);
	return 0;
}

/* ---- numbers, addresses, data ------------------------------------------------------------ */

/* NUMBER[K|M|G|T]: decimal or 0x hex. */
static int parse_number(struct parser *p, const char *s, uint64_t *out, const char *what)
{
	uint64_t v = 0, mul = 1;
	int base = 10, digits = 0;
	const char *q = s;

	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
		base = 16;
		q += 2;
	}
	for (; *q; q++) {
		int d;

		if (isdigit((unsigned char)*q))
			d = *q - '0';
		else if (base == 16 && isxdigit((unsigned char)*q))
			d = tolower((unsigned char)*q) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return fail(p, "%s: number too large: '%s'", what, s);
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (!digits)
		return fail(p, "%s: bad number '%s'", what, s);
	if (*q) {
		switch (*q) {
		case 'K': mul = 1ull << 10; break;
		case 'M': mul = 1ull << 20; break;
		case 'G': mul = 1ull << 30; break;
		case 'T': mul = 1ull << 40; break;
		default:
			return fail(p, "%s: bad number '%s'", what, s);
		}
		if (q[1])
			return fail(p, "%s: bad number '%s'", what, s);
		if (v > UINT64_MAX / mul)
			return fail(p, "%s: number too large: '%s'", what, s);
		v *= mul;
	}
	*out = v;
	return 0;
}

/* NUMBER, VAR, or either followed by +NUMBER / -NUMBER terms (vmlab allows several terms,
 * e.g. stack-8M-4K; the core language has one). Arithmetic wraps are errors at run time. */
static int parse_addr(struct parser *p, const char *s, struct vms_addr *a, const char *what)
{
	const char *q = s;
	uint64_t n;
	int first = 1;

	memset(a, 0, sizeof(*a));
	if (!isdigit((unsigned char)s[0])) {
		const char *op = strpbrk(s, "+-");
		size_t len = op ? (size_t)(op - s) : strlen(s);

		if (len == 0 || len >= VMS_NAME_MAX)
			return fail(p, "%s: bad address '%s'", what, s);
		memcpy(a->var, s, len);
		a->var[len] = 0;
		if (!valid_name(a->var))
			return fail(p, "%s: bad address '%s'", what, s);
		if (strcmp(a->var, "stack") && !in_list(p->vars, p->nvars, a->var))
			return fail(p, "%s: variable '%s' is not defined", what, a->var);
		q = s + len;
		first = 0;
	}
	while (*q) {
		char term[64];
		const char *next;
		int neg = 0;
		size_t len;

		if (!first) {
			if (*q != '+' && *q != '-')
				return fail(p, "%s: bad address '%s'", what, s);
			neg = *q == '-';
			q++;
		}
		next = strpbrk(q, "+-");
		/* a '-' or '+' right after 0x... digits still ends the term */
		len = next ? (size_t)(next - q) : strlen(q);
		if (len == 0 || len >= sizeof(term))
			return fail(p, "%s: bad address '%s'", what, s);
		memcpy(term, q, len);
		term[len] = 0;
		if (parse_number(p, term, &n, what))
			return -1;
		if (first) {
			a->off = n;
		} else {
			uint64_t before = a->off;

			a->off = neg ? a->off - n : a->off + n;
			if (!a->var[0] && (neg ? a->off > before : a->off < before))
				return fail(p, "%s: address arithmetic overflows in '%s'", what, s);
		}
		first = 0;
		q += len;
	}
	return 0;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* A string token (with its quotes) or BYTE*COUNT (parse_data below). */
static int parse_data_bytes(struct parser *p, const char *s, struct vms_data *d, const char *what)
{
	memset(d, 0, sizeof(*d));
	if (s[0] == '"') {
		size_t n = strlen(s), i, o = 0;

		if (n < 2 || s[n - 1] != '"')
			return fail(p, "%s: unterminated string", what);
		d->bytes = malloc(n);
		if (!d->bytes)
			return fail(p, "out of memory");
		for (i = 1; i < n - 1; i++) {
			char c = s[i];

			if (c != '\\') {
				d->bytes[o++] = (uint8_t)c;
				continue;
			}
			if (++i >= n - 1)
				return fail(p, "%s: bad escape at end of string", what);
			switch (s[i]) {
			case 'n': d->bytes[o++] = '\n'; break;
			case 't': d->bytes[o++] = '\t'; break;
			case '\\': d->bytes[o++] = '\\'; break;
			case '"': d->bytes[o++] = '"'; break;
			case 'x':
				if (i + 2 >= n - 1 + 1 || !isxdigit((unsigned char)s[i + 1]) ||
				    !isxdigit((unsigned char)s[i + 2]))
					return fail(p, "%s: bad \\x escape (two hex digits expected)", what);
				d->bytes[o++] = (uint8_t)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
				i += 2;
				break;
			default:
				return fail(p, "%s: unknown escape '\\%c'", what, s[i]);
			}
		}
		d->len = o;
		if (!o)
			return fail(p, "%s: empty string", what);
		return 0;
	}
	{
		const char *star = strchr(s, '*');
		char b[32];
		uint64_t byte, count;

		if (!star || (size_t)(star - s) >= sizeof(b))
			return fail(p, "%s: expected a string or BYTE*COUNT, got '%s'", what, s);
		memcpy(b, s, (size_t)(star - s));
		b[star - s] = 0;
		if (parse_number(p, b, &byte, what) || parse_number(p, star + 1, &count, what))
			return -1;
		if (byte > 255)
			return fail(p, "%s: fill byte %llu is not a byte", what, (unsigned long long)byte);
		if (count == 0)
			return fail(p, "%s: fill count is zero", what);
		if (count > VMS_DATA_MAX)
			return fail(p, "%s: fill of %llu bytes is larger than 1G", what,
				    (unsigned long long)count);
		d->fill = (int)byte;
		d->len = count;
		return 0;
	}
}

/* parse_data_bytes, leaving nothing allocated when it fails (some callers parse into a local). */
static int parse_data(struct parser *p, const char *s, struct vms_data *d, const char *what)
{
	if (parse_data_bytes(p, s, d, what)) {
		free(d->bytes);
		memset(d, 0, sizeof(*d));
		return -1;
	}
	return 0;
}

/* ---- lexer --------------------------------------------------------------------------------- */

/* Splits a line into tokens (strings kept whole, with quotes); drops a # comment. */
static int tokenize(struct parser *p, char *line, char **tok, int *ntok)
{
	char *c = line;

	*ntok = 0;
	for (;;) {
		while (*c == ' ' || *c == '\t' || *c == '\r')
			c++;
		if (!*c || *c == '#')
			break;
		if (*ntok == MAX_TOKENS)
			return fail(p, "too many words on one line");
		tok[(*ntok)++] = c;
		if (*c == '"') {
			c++;
			while (*c && *c != '"') {
				if (*c == '\\' && c[1])
					c++;
				c++;
			}
			if (*c != '"')
				return fail(p, "unterminated string");
			c++;
			if (*c && *c != ' ' && *c != '\t' && *c != '\r')
				return fail(p, "text right after a string");
		} else {
			while (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#')
				c++;
			if (*c == '#') {
				*c = 0;
				break;
			}
		}
		if (!*c)
			break;
		*c++ = 0;
	}
	return 0;
}

/* ---- statements --------------------------------------------------------------------------- */

static int parse_perms(struct parser *p, const char *s, int *prot, int *flags)
{
	if (strlen(s) != 4 || (s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
	    (s[2] != 'x' && s[2] != '-') || (s[3] != 'p' && s[3] != 's'))
		return fail(p, "mmap: bad permissions '%s' (expected like rw-p or r--s)", s);
	*prot = (s[0] == 'r' ? VMLAB_PROT_READ : 0) | (s[1] == 'w' ? VMLAB_PROT_WRITE : 0) |
		(s[2] == 'x' ? VMLAB_PROT_EXEC : 0);
	*flags = s[3] == 's' ? VMLAB_MAP_SHARED : VMLAB_MAP_PRIVATE;
	return 0;
}

static int parse_prot(struct parser *p, const char *s, int *prot)
{
	if (strlen(s) != 3 || (s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
	    (s[2] != 'x' && s[2] != '-'))
		return fail(p, "mprotect: bad protection '%s' (expected like rw- or r--)", s);
	*prot = (s[0] == 'r' ? VMLAB_PROT_READ : 0) | (s[1] == 'w' ? VMLAB_PROT_WRITE : 0) |
		(s[2] == 'x' ? VMLAB_PROT_EXEC : 0);
	return 0;
}

static const struct {
	const char *name;
	int advice;
} advices[] = {
	{"normal", VMLAB_MADV_NORMAL},	   {"random", VMLAB_MADV_RANDOM},
	{"sequential", VMLAB_MADV_SEQUENTIAL}, {"willneed", VMLAB_MADV_WILLNEED},
	{"dontneed", VMLAB_MADV_DONTNEED},   {"dontfork", VMLAB_MADV_DONTFORK},
	{"dofork", VMLAB_MADV_DOFORK},	   {"hugepage", VMLAB_MADV_HUGEPAGE},
	{"nohugepage", VMLAB_MADV_NOHUGEPAGE}, {"free", VMLAB_MADV_FREE},
	{"cold", VMLAB_MADV_COLD},	   {"pageout", VMLAB_MADV_PAGEOUT},
};

static int need(struct parser *p, int ntok, int min, int max, const char *usage)
{
	if (ntok < min || ntok > max)
		return fail(p, "usage: %s", usage);
	return 0;
}

static int parse_machine(struct parser *p, struct vms_script *s, char **tok, int ntok)
{
	int i;

	for (i = 1; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		const char *k = tok[i], *v;
		uint64_t n;

		if (!eq)
			return fail(p, "machine: expected KEY=VALUE, got '%s'", tok[i]);
		*eq = 0;
		v = eq + 1;
		if (!strcmp(k, "ram")) {
			if (parse_number(p, v, &n, "machine ram"))
				return -1;
			if (n < (4ull << 20) || n > (1ull << 40) || (n & 4095))
				return fail(p, "machine: ram=%s must be a multiple of 4K between 4M and 1T", v);
			s->cfg.ram = n;
		} else if (!strcmp(k, "swap")) {
			if (parse_number(p, v, &n, "machine swap"))
				return -1;
			if ((n & 4095) || (n && n < 8192) || n > (1ull << 44))
				return fail(p, "machine: swap=%s must be 0 or a multiple of 4K from 8K to 16T", v);
			s->cfg.swap = n;
		} else if (!strcmp(k, "swap_backing")) {
			/* vmlab extension: where swapped pages live */
			if (strcmp(v, "memory") && strcmp(v, "file") && strcmp(v, "ramdisk"))
				return fail(p, "machine: swap_backing must be memory, file or ramdisk");
			s->cfg.swap_backing = !strcmp(v, "file")      ? VMLAB_SWAP_FILE
					      : !strcmp(v, "ramdisk") ? VMLAB_SWAP_RAMDISK
								      : VMLAB_SWAP_MEMORY;
		} else if (!strcmp(k, "swappiness")) {
			if (parse_number(p, v, &n, "machine swappiness"))
				return -1;
			if (n > 200)
				return fail(p, "machine: swappiness=%s must be from 0 to 200", v);
			s->cfg.swappiness = (int)n;
		} else if (!strcmp(k, "page_cluster")) {
			if (parse_number(p, v, &n, "machine page_cluster"))
				return -1;
			if (n > 31)
				return fail(p, "machine: page_cluster=%s must be from 0 to 31", v);
			s->cfg.page_cluster = (int)n;
		} else if (!strcmp(k, "resident")) {
			/* vmlab extension: at most this many user pages resident (as replay --resident) */
			if (parse_number(p, v, &n, "machine resident"))
				return -1;
			if (!n)
				return fail(p, "machine: resident must be at least 1 page");
			s->cfg.resident_pages = n;
		} else if (!strcmp(k, "tlb")) {
			if (parse_number(p, v, &n, "machine tlb"))
				return -1;
			if (n < 1 || n > 65536 || (n & (n - 1)))
				return fail(p, "machine: tlb=%s must be a power of two from 1 to 65536", v);
			s->cfg.tlb_entries = (unsigned)n;
			if (s->cfg.tlb_ways > n)
				s->cfg.tlb_ways = (unsigned)n;
		} else if (!strcmp(k, "tlb_ways")) {
			if (parse_number(p, v, &n, "machine tlb_ways"))
				return -1;
			if (n < 1 || n > 65536 || (n & (n - 1)))
				return fail(p, "machine: tlb_ways=%s must be a power of two", v);
			s->cfg.tlb_ways = (unsigned)n;
		} else if (!strcmp(k, "pcid")) {
			if (strcmp(v, "on") && strcmp(v, "off"))
				return fail(p, "machine: pcid must be on or off");
			s->cfg.pcid = !strcmp(v, "on");
		} else if (!strcmp(k, "cpus")) {
			if (parse_number(p, v, &n, "machine cpus"))
				return -1;
			if (n < 1 || n > 64)
				return fail(p, "machine: cpus=%s must be from 1 to 64", v);
			s->cfg.nr_cpus = (unsigned)n;
		} else if (!strcmp(k, "policy")) {
			int exact, future;

			if (strlen(v) >= sizeof(s->cfg.policy) || vmlab_policy_info(v, &exact, &future))
				return fail(p, "machine: unknown policy '%s' (%s)", v, vmlab_policy_names());
			if (future)
				return fail(p, "machine: policy=%s needs to know each access's future; it "
					       "works with vmlab replay only", v);
			snprintf(s->cfg.policy, sizeof(s->cfg.policy), "%s", v);
			p->exact_policy = exact;
		} else if (!strcmp(k, "thp")) {
			if (strcmp(v, "never") && strcmp(v, "madvise") && strcmp(v, "always"))
				return fail(p, "machine: thp must be never, madvise or always");
			if (strcmp(v, "never"))
				return fail(p, "machine: thp=%s is not supported in this version (never only)", v);
		} else if (!strcmp(k, "arch")) {
			if (strcmp(v, "x86_64"))
				return fail(p, "machine: arch=%s: only x86_64 is supported", v);
		} else if (!strcmp(k, "disk_latency")) {
			/* vmlab extension: nanoseconds a disk request costs */
			if (parse_number(p, v, &n, "machine disk_latency"))
				return -1;
			s->cfg.disk_latency_ns = n;
		} else if (!strcmp(k, "disk_bw")) {
			/* vmlab extension: disk bandwidth in bytes a second (size suffixes allowed) */
			if (parse_number(p, v, &n, "machine disk_bw"))
				return -1;
			if (!n)
				return fail(p, "machine: disk_bw must not be zero");
			s->cfg.disk_bw = n;
		} else if (!strcmp(k, "seed")) {
			if (parse_number(p, v, &n, "machine seed"))
				return -1;
			s->cfg.seed = n;
			s->cfg.randomize = 1;
		} else {
			return fail(p, "machine: unknown key '%s'", k);
		}
	}
	if (s->cfg.tlb_entries % s->cfg.tlb_ways)
		return fail(p, "machine: tlb_ways must divide tlb");
	return 0;
}

/* Splits off a trailing "-> X": sets want_signal or want_errno; returns the new ntok. */
static int parse_arrow(struct parser *p, struct vms_stmt *st, char **tok, int *ntok)
{
	if (*ntok >= 2 && !strcmp(tok[*ntok - 2], "->")) {
		const char *w = tok[*ntok - 1];

		if (!strcmp(w, "SIGSEGV"))
			st->want_signal = VMLAB_SIGSEGV;
		else if (!strcmp(w, "SIGBUS"))
			st->want_signal = VMLAB_SIGBUS;
		else if (vmlab_errno_parse(w))
			st->want_errno = vmlab_errno_parse(w);
		else
			return fail(p, "unknown signal or errno after '->': '%s'", w);
		*ntok -= 2;
	}
	{
		int i;

		for (i = 0; i < *ntok; i++)
			if (!strcmp(tok[i], "->"))
				return fail(p, "'->' must come last, followed by one signal or errno");
	}
	return 0;
}

static int parse_proc_stmt(struct parser *p, struct vms_stmt *st, char **tok, int ntok)
{
	const char *verb;
	int access;

	if (parse_arrow(p, st, tok, &ntok))
		return -1;
	if (ntok >= 3 && !strcmp(tok[1], "=")) {
		if (!valid_name(tok[0]))
			return fail(p, "bad variable name '%s'", tok[0]);
		if (!strcmp(tok[0], "stack"))
			return fail(p, "'stack' is predefined and cannot be assigned");
		snprintf(st->var, sizeof(st->var), "%s", tok[0]);
		tok += 2;
		ntok -= 2;
	}
	if (ntok < 1)
		return fail(p, "missing statement after the process name");
	verb = tok[0];
	if (st->var[0] && strcmp(verb, "mmap") && strcmp(verb, "mremap") && strcmp(verb, "brk"))
		return fail(p, "%s does not give a value to assign", verb);
	access = !strcmp(verb, "store") || !strcmp(verb, "load") || !strcmp(verb, "touch");
	if (st->want_signal && !access)
		return fail(p, "'-> %s' is only allowed on store, load and touch",
			    st->want_signal == VMLAB_SIGBUS ? "SIGBUS" : "SIGSEGV");
	if (st->want_errno && (access || !strcmp(verb, "fork") || !strcmp(verb, "exit")))
		return fail(p, "'-> ERRNO' is only allowed on system calls");
	if (!strcmp(verb, "mmap")) {
		int i;

		st->op = VMS_MMAP;
		if (ntok < 3)
			return fail(p, "usage: NAME: VAR = mmap LEN PERMS [file=PATH] [offset=N] [fixed=ADDR] [populate] [locked]");
		if (parse_number(p, tok[1], &st->len, "mmap length") || parse_perms(p, tok[2], &st->prot, &st->flags))
			return -1;
		for (i = 3; i < ntok; i++) {
			if (!strncmp(tok[i], "file=", 5)) {
				if (!tok[i][5])
					return fail(p, "mmap: file= needs a path");
				free(st->path);
				st->path = strdup(tok[i] + 5);
				if (!st->path)
					return fail(p, "out of memory");
			} else if (!strncmp(tok[i], "offset=", 7)) {
				if (parse_number(p, tok[i] + 7, &st->offset, "mmap offset"))
					return -1;
			} else if (!strncmp(tok[i], "fixed=", 6)) {
				if (parse_addr(p, tok[i] + 6, &st->addr2, "mmap fixed"))
					return -1;
				st->has_fixed = 1;
			} else if (!strcmp(tok[i], "populate")) {
				st->flags |= VMLAB_MAP_POPULATE;
			} else if (!strcmp(tok[i], "locked")) {
				st->flags |= VMLAB_MAP_LOCKED;
			} else {
				return fail(p, "mmap: unknown option '%s'", tok[i]);
			}
		}
		if (st->offset && !st->path)
			return fail(p, "mmap: offset= needs file=");
	} else if (!strcmp(verb, "munmap") || !strcmp(verb, "msync")) {
		st->op = verb[1] == 'u' ? VMS_MUNMAP : VMS_MSYNC;
		if (need(p, ntok, 3, 3, st->op == VMS_MUNMAP ? "NAME: munmap ADDR LEN" : "NAME: msync ADDR LEN") ||
		    parse_addr(p, tok[1], &st->addr, verb) || parse_number(p, tok[2], &st->len, verb))
			return -1;
	} else if (!strcmp(verb, "mprotect")) {
		st->op = VMS_MPROTECT;
		if (need(p, ntok, 4, 4, "NAME: mprotect ADDR LEN PROT") ||
		    parse_addr(p, tok[1], &st->addr, verb) || parse_number(p, tok[2], &st->len, verb) ||
		    parse_prot(p, tok[3], &st->prot))
			return -1;
	} else if (!strcmp(verb, "mremap")) {
		st->op = VMS_MREMAP;
		if (need(p, ntok, 4, 5, "NAME: VAR = mremap ADDR OLDLEN NEWLEN [maymove]") ||
		    parse_addr(p, tok[1], &st->addr, verb) || parse_number(p, tok[2], &st->len, verb) ||
		    parse_number(p, tok[3], &st->len2, verb))
			return -1;
		if (ntok == 5) {
			if (strcmp(tok[4], "maymove"))
				return fail(p, "mremap: unknown option '%s'", tok[4]);
			st->flags = VMLAB_MREMAP_MAYMOVE;
		}
	} else if (!strcmp(verb, "brk")) {
		uint64_t n;

		st->op = VMS_BRK;
		if (need(p, ntok, 2, 2, "NAME: VAR = brk +SIZE|-SIZE|+0"))
			return -1;
		if (tok[1][0] != '+' && tok[1][0] != '-')
			return fail(p, "brk: DELTA must start with + or -");
		if (parse_number(p, tok[1] + 1, &n, "brk"))
			return -1;
		if (n > INT64_MAX)
			return fail(p, "brk: delta too large");
		st->delta = tok[1][0] == '-' ? -(int64_t)n : (int64_t)n;
	} else if (!strcmp(verb, "madvise")) {
		size_t i;

		st->op = VMS_MADVISE;
		if (need(p, ntok, 4, 4, "NAME: madvise ADDR LEN ADVICE") ||
		    parse_addr(p, tok[1], &st->addr, verb) || parse_number(p, tok[2], &st->len, verb))
			return -1;
		st->advice = -1;
		for (i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
			if (!strcmp(tok[3], advices[i].name))
				st->advice = advices[i].advice;
		if (st->advice < 0)
			return fail(p, "madvise: unknown advice '%s'", tok[3]);
	} else if (!strcmp(verb, "store")) {
		st->op = VMS_STORE;
		if (need(p, ntok, 3, 3, "NAME: store ADDR DATA") || parse_addr(p, tok[1], &st->addr, verb) ||
		    parse_data(p, tok[2], &st->data, verb))
			return -1;
		st->has_data = 1;
	} else if (!strcmp(verb, "load")) {
		st->op = VMS_LOAD;
		if ((ntok != 3 && ntok != 5) || (ntok == 5 && strcmp(tok[3], "==")))
			return fail(p, "usage: NAME: load ADDR LEN [== DATA]");
		if (parse_addr(p, tok[1], &st->addr, verb) || parse_number(p, tok[2], &st->len, verb))
			return -1;
		if (st->len == 0 || st->len > VMS_DATA_MAX)
			return fail(p, "load: length must be from 1 to 1G");
		if (ntok == 5) {
			if (parse_data(p, tok[4], &st->data, verb))
				return -1;
			st->has_data = 1;
			if (st->data.len != st->len)
				return fail(p, "load: LEN is %llu but the data to compare has %llu bytes",
					    (unsigned long long)st->len, (unsigned long long)st->data.len);
		}
	} else if (!strcmp(verb, "touch")) {
		st->op = VMS_TOUCH;
		if (need(p, ntok, 4, 4, "NAME: touch ADDR LEN r|w") || parse_addr(p, tok[1], &st->addr, verb) ||
		    parse_number(p, tok[2], &st->len, verb))
			return -1;
		if (!strcmp(tok[3], "r"))
			st->kind = VMLAB_ACC_READ;
		else if (!strcmp(tok[3], "w"))
			st->kind = VMLAB_ACC_WRITE;
		else if (!strcmp(tok[3], "x"))
			st->kind = VMLAB_ACC_EXEC;
		else
			return fail(p, "touch: access must be r or w, not '%s'", tok[3]);
		if (st->len == 0)
			return fail(p, "touch: length must not be zero");
	} else if (!strcmp(verb, "fork")) {
		st->op = VMS_FORK;
		if (need(p, ntok, 2, 2, "NAME: fork CHILD"))
			return -1;
		if (!valid_name(tok[1]))
			return fail(p, "fork: bad process name '%s'", tok[1]);
		if (in_list(p->procs, p->nprocs, tok[1]))
			return fail(p, "fork: process '%s' already exists", tok[1]);
		if (in_list(p->groups, p->ngroups, tok[1]))
			return fail(p, "fork: '%s' already names a cgroup", tok[1]);
		snprintf(st->child, sizeof(st->child), "%s", tok[1]);
		if (add_name(&p->procs, &p->nprocs, &p->capprocs, tok[1]))
			return fail(p, "out of memory");
	} else if (!strcmp(verb, "exec")) {
		int i;

		st->op = VMS_EXEC;
		if (ntok < 2)
			return fail(p, "usage: NAME: exec PATH [ARG ...]");
		if (tok[1][0] == '"')
			return fail(p, "exec: PATH is a word, not a string");
		st->path = strdup(tok[1]);
		st->args = calloc((size_t)ntok, sizeof(char *));
		if (!st->path || !st->args)
			return fail(p, "out of memory");
		/* ARGs: words, or strings (with escapes; an empty "" is not allowed by the lexer) */
		for (i = 2; i < ntok; i++) {
			if (tok[i][0] == '"') {
				struct vms_data d;

				if (parse_data(p, tok[i], &d, "exec"))
					return -1;
				if (memchr(d.bytes, 0, d.len)) {
					free(d.bytes);
					return fail(p, "exec: an argument cannot contain a NUL byte");
				}
				st->args[st->nargs] = malloc(d.len + 1);
				if (st->args[st->nargs]) {
					memcpy(st->args[st->nargs], d.bytes, d.len);
					st->args[st->nargs][d.len] = 0;
				}
				free(d.bytes);
			} else {
				st->args[st->nargs] = strdup(tok[i]);
			}
			if (!st->args[st->nargs++])
				return fail(p, "out of memory");
		}
	} else if (!strcmp(verb, "exit")) {
		st->op = VMS_EXIT;
		if (need(p, ntok, 1, 1, "NAME: exit"))
			return -1;
	} else if (!strcmp(verb, "mlock") || !strcmp(verb, "munlock")) {
		st->op = verb[1] == 'l' ? VMS_MLOCK : VMS_MUNLOCK;
		if (need(p, ntok, 3, 3, st->op == VMS_MLOCK ? "NAME: mlock ADDR LEN" : "NAME: munlock ADDR LEN") ||
		    parse_addr(p, tok[1], &st->addr, verb) || parse_number(p, tok[2], &st->len, verb))
			return -1;
	} else if (!strcmp(verb, "oom_score_adj")) {
		uint64_t n;

		st->op = VMS_OOM_ADJ;
		if (need(p, ntok, 2, 2, "NAME: oom_score_adj -1000..1000"))
			return -1;
		if (parse_number(p, tok[1][0] == '-' || tok[1][0] == '+' ? tok[1] + 1 : tok[1], &n, verb))
			return -1;
		if (n > 1000)
			return fail(p, "oom_score_adj: %s is outside -1000..1000", tok[1]);
		st->adj = tok[1][0] == '-' ? -(int64_t)n : (int64_t)n;
	} else if (!strcmp(verb, "cgroup")) {
		st->op = VMS_CGROUP_JOIN;
		if (need(p, ntok, 2, 2, "NAME: cgroup GROUP   (or / for the root group)"))
			return -1;
		if (strcmp(tok[1], "/") && !in_list(p->groups, p->ngroups, tok[1]))
			return fail(p, "cgroup: no group named '%s' (create it with: cgroup %s ...)", tok[1], tok[1]);
		if (strcmp(tok[1], "/"))
			snprintf(st->group, sizeof(st->group), "%s", tok[1]);
	} else {
		return fail(p, "unknown statement '%s'", verb);
	}
	if (st->var[0] && add_name(&p->vars, &p->nvars, &p->capvars, st->var))
		return fail(p, "out of memory");
	return 0;
}

static const char *const cmp_names[] = {"==", "!=", "<", "<=", ">", ">="};
static const char *const show_views[] = {"maps",     "smaps",    "status",	 "meminfo", "vmstat",
					 "buddyinfo", "slabinfo", "vmallocinfo", "zoneinfo", "tlb",
					 "swaps"};
/* the files of a memory cgroup that show can print (show FILE GROUP) */
static const char *const cgroup_files[] = {
	"memory.current", "memory.peak", "memory.max", "memory.high", "memory.low", "memory.min",
	"memory.swap.current", "memory.swap.max", "memory.stat", "memory.events", "memory.swap.events"};

/* cgroup NAME [parent=P] [memory.max=SIZE|max] [memory.high=..] [memory.low=..] [memory.min=..]
 * [memory.swap.max=..]: creates the group the first time, changes its limits later. */
static int parse_cgroup(struct parser *p, struct vms_stmt *st, char **tok, int ntok)
{
	static const char *const keys[] = {"memory.max", "memory.high", "memory.low", "memory.min",
					   "memory.swap.max"};
	int i;

	st->op = VMS_CGROUP;
	if (ntok < 2)
		return fail(p, "usage: cgroup NAME [parent=GROUP] [memory.max=SIZE|max] ...");
	if (!valid_name(tok[1]) || strlen(tok[1]) >= 32)
		return fail(p, "cgroup: bad group name '%s'", tok[1]);
	if (in_list(p->procs, p->nprocs, tok[1]))
		return fail(p, "cgroup: '%s' already names a process", tok[1]);
	if (p->exact_policy)
		return fail(p, "cgroup: memory cgroups need policy=linux (the exact policies are global)");
	snprintf(st->group, sizeof(st->group), "%s", tok[1]);
	st->create = !in_list(p->groups, p->ngroups, tok[1]);
	for (i = 2; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		size_t k;

		if (!eq)
			return fail(p, "cgroup: expected KEY=VALUE, got '%s'", tok[i]);
		*eq = 0;
		if (!strcmp(tok[i], "parent")) {
			if (!st->create)
				return fail(p, "cgroup: parent= only when the group is created");
			if (!in_list(p->groups, p->ngroups, eq + 1))
				return fail(p, "cgroup: no group named '%s'", eq + 1);
			snprintf(st->parent, sizeof(st->parent), "%s", eq + 1);
			continue;
		}
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strcmp(tok[i], keys[k]))
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			return fail(p, "cgroup: unknown file '%s' (memory.max, memory.high, memory.low, "
				       "memory.min, memory.swap.max)", tok[i]);
		if (st->nsets == VMS_MAX_SETS)
			return fail(p, "cgroup: too many settings");
		snprintf(st->sets[st->nsets].key, sizeof(st->sets[0].key), "%s", tok[i]);
		if (!strcmp(eq + 1, "max"))
			st->sets[st->nsets].value = VMLAB_CGROUP_MAX;
		else if (parse_number(p, eq + 1, &st->sets[st->nsets].value, tok[i]))
			return -1;
		st->nsets++;
	}
	if (st->create && add_name(&p->groups, &p->ngroups, &p->capgroups, tok[1]))
		return fail(p, "out of memory");
	return 0;
}

static int parse_line(struct parser *p, struct vms_script *s, char *line)
{
	char *tok[MAX_TOKENS];
	int ntok, i;
	struct vms_stmt *st;

	if (tokenize(p, line, tok, &ntok))
		return -1;
	if (!ntok)
		return 0;
	if (s->n == s->cap) {
		int c = s->cap ? s->cap * 2 : 64;
		struct vms_stmt *n = realloc(s->stmts, sizeof(*n) * (size_t)c);

		if (!n)
			return fail(p, "out of memory");
		s->stmts = n;
		s->cap = c;
	}
	st = &s->stmts[s->n];
	memset(st, 0, sizeof(*st));
	st->line = p->line;
	s->n++;
	if (!strcmp(tok[0], "machine")) {
		st->op = VMS_MACHINE;
		if (s->machine_line)
			return fail(p, "machine may appear only once (first at line %d)", s->machine_line);
		if (s->n != 1)
			return fail(p, "machine must come before any other statement");
		s->machine_line = p->line;
		return parse_machine(p, s, tok, ntok);
	}
	if (!strcmp(tok[0], "spawn")) {
		st->op = VMS_SPAWN;
		if (need(p, ntok, 2, 2, "spawn NAME"))
			return -1;
		if (!valid_name(tok[1]))
			return fail(p, "spawn: bad process name '%s'", tok[1]);
		if (in_list(p->procs, p->nprocs, tok[1]))
			return fail(p, "spawn: process '%s' already exists", tok[1]);
		if (in_list(p->groups, p->ngroups, tok[1]))
			return fail(p, "spawn: '%s' already names a cgroup", tok[1]);
		snprintf(st->proc, sizeof(st->proc), "%s", tok[1]);
		return add_name(&p->procs, &p->nprocs, &p->capprocs, tok[1]) ? fail(p, "out of memory") : 0;
	}
	if (!strcmp(tok[0], "echo")) {
		/* vmlab extension: echo "TEXT" prints TEXT and a newline (headings in demos) */
		st->op = VMS_ECHO;
		if (ntok == 1)
			return 0; /* an empty line */
		if (need(p, ntok, 1, 2, "echo [\"TEXT\"]") || tok[1][0] != '"')
			return fail(p, "usage: echo [\"TEXT\"]");
		if (parse_data(p, tok[1], &st->data, "echo"))
			return -1;
		st->has_data = 1;
		return 0;
	}
	if (!strcmp(tok[0], "cgroup"))
		return parse_cgroup(p, st, tok, ntok);
	if (!strcmp(tok[0], "drop_caches")) {
		st->op = VMS_DROP_CACHES; /* echo 1 > /proc/sys/vm/drop_caches (vmlab extension) */
		return need(p, ntok, 1, 1, "drop_caches");
	}
	if (!strcmp(tok[0], "show")) {
		st->op = VMS_SHOW;
		if (need(p, ntok, 2, 3, "show WHAT [NAME]"))
			return -1;
		for (i = 0; i < (int)(sizeof(cgroup_files) / sizeof(cgroup_files[0])); i++)
			if (!strcmp(tok[1], cgroup_files[i])) {
				if (ntok != 3 || !in_list(p->groups, p->ngroups, tok[2]))
					return fail(p, "show %s needs a cgroup name", tok[1]);
				snprintf(st->what, sizeof(st->what), "%s", tok[1]);
				snprintf(st->group, sizeof(st->group), "%s", tok[2]);
				return 0;
			}
		for (i = 0; i < (int)(sizeof(show_views) / sizeof(show_views[0])); i++)
			if (!strcmp(tok[1], show_views[i]))
				break;
		if (i == (int)(sizeof(show_views) / sizeof(show_views[0])))
			return fail(p, "show: unknown view '%s'", tok[1]);
		snprintf(st->what, sizeof(st->what), "%s", tok[1]);
		if (i < 3) {
			if (ntok != 3)
				return fail(p, "show %s needs a process name", tok[1]);
			if (!in_list(p->procs, p->nprocs, tok[2]))
				return fail(p, "show: no process named '%s'", tok[2]);
			snprintf(st->proc, sizeof(st->proc), "%s", tok[2]);
		} else if (ntok != 2) {
			return fail(p, "show %s takes no process name", tok[1]);
		}
		return 0;
	}
	if (!strcmp(tok[0], "expect")) {
		char *dot;

		st->op = VMS_EXPECT;
		if (need(p, ntok, 4, 4, "expect LHS OP VALUE"))
			return -1;
		dot = strchr(tok[1], '.');
		if (!dot || dot == tok[1] || !dot[1] || (size_t)(dot - tok[1]) >= VMS_NAME_MAX ||
		    strlen(dot + 1) >= VMS_NAME_MAX)
			return fail(p, "expect: bad left side '%s' (NAME.minflt, meminfo.KEY, vmstat.KEY ...)", tok[1]);
		*dot = 0;
		snprintf(st->lhs_obj, sizeof(st->lhs_obj), "%s", tok[1]);
		snprintf(st->lhs_key, sizeof(st->lhs_key), "%s", dot + 1);
		if (in_list(p->groups, p->ngroups, st->lhs_obj)) {
			/* a cgroup value: GROUP.memory.current, GROUP.memory.stat.anon, ... */
			snprintf(st->group, sizeof(st->group), "%s", st->lhs_obj);
		} else if (strcmp(st->lhs_obj, "meminfo") && strcmp(st->lhs_obj, "vmstat") &&
		    strcmp(st->lhs_obj, "tlb") && strcmp(st->lhs_obj, "clock") && !in_list(p->procs, p->nprocs, st->lhs_obj))
			return fail(p, "expect: no process named '%s'", st->lhs_obj);
		if (!strcmp(st->lhs_obj, "clock") && strcmp(st->lhs_key, "ns") && strcmp(st->lhs_key, "us"))
			return fail(p, "expect: the clock is read as clock.ns or clock.us");
		if (!strcmp(st->lhs_obj, "tlb") && strcmp(st->lhs_key, "hits") && strcmp(st->lhs_key, "misses") &&
		    strcmp(st->lhs_key, "walks") && strcmp(st->lhs_key, "flush_all") &&
		    strcmp(st->lhs_key, "flush_one"))
			return fail(p, "expect: unknown TLB counter '%s'", st->lhs_key);
		for (i = 0; i < 6; i++)
			if (!strcmp(tok[2], cmp_names[i]))
				break;
		if (i == 6)
			return fail(p, "expect: unknown operator '%s'", tok[2]);
		st->cmp = i;
		return parse_number(p, tok[3], &st->value, "expect");
	}
	{
		size_t n = strlen(tok[0]);

		if (n < 2 || tok[0][n - 1] != ':')
			return fail(p, "unknown statement '%s'", tok[0]);
		tok[0][n - 1] = 0;
		if (!valid_name(tok[0]))
			return fail(p, "bad process name '%s'", tok[0]);
		if (!in_list(p->procs, p->nprocs, tok[0]))
			return fail(p, "no process named '%s' (spawn or fork it first)", tok[0]);
		snprintf(st->proc, sizeof(st->proc), "%s", tok[0]);
		return parse_proc_stmt(p, st, tok + 1, ntok - 1);
	}
}

int vms_parse_text(const char *name, const char *text, size_t len, struct vms_script *s,
		   char *err, size_t errsz)
{
	struct parser p = {.name = name, .err = err, .errsz = errsz};
	size_t pos = 0;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->path = strdup(name);
	vmlab_config_default(&s->cfg);
	while (pos < len && !ret) {
		size_t end = pos;
		char *line;

		while (end < len && text[end] != '\n')
			end++;
		p.line++;
		if (memchr(text + pos, 0, end - pos)) {
			ret = fail(&p, "NUL byte in the file");
			break;
		}
		line = malloc(end - pos + 1);
		if (!line) {
			ret = fail(&p, "out of memory");
			break;
		}
		memcpy(line, text + pos, end - pos);
		line[end - pos] = 0;
		ret = parse_line(&p, s, line);
		if (s->n && s->stmts[s->n - 1].line == p.line && !s->stmts[s->n - 1].text) {
			/* keep the statement as written for explain mode */
			size_t l = end - pos;
			char *t = malloc(l + 1);

			if (t) {
				memcpy(t, text + pos, l);
				t[l] = 0;
				while (l && (t[l - 1] == '\r' || t[l - 1] == ' ' || t[l - 1] == '\t'))
					t[--l] = 0;
				s->stmts[s->n - 1].text = t;
			}
		}
		free(line);
		pos = end + 1;
	}
	free(p.procs);
	free(p.vars);
	free(p.groups);
	return ret;
}

int vms_parse_file(const char *path, struct vms_script *s, char *err, size_t errsz)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;
	int r;

	memset(s, 0, sizeof(*s));
	if (fd < 0) {
		snprintf(err, errsz, "vmlab: %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "vmlab: %s: not a regular file", path);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		snprintf(err, errsz, "vmlab: %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > MAX_FILE) {
		snprintf(err, errsz, "vmlab: %s: file too large (more than 64M)", path);
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errsz, "vmlab: %s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	r = vms_parse_text(path, buf, n, s, err, errsz);
	free(buf);
	return r;
}

void vms_free(struct vms_script *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		free(s->stmts[i].data.bytes);
		free(s->stmts[i].path);
		free(s->stmts[i].text);
		if (s->stmts[i].args) {
			int k;

			for (k = 0; k < s->stmts[i].nargs; k++)
				free(s->stmts[i].args[k]);
			free(s->stmts[i].args);
		}
	}
	free(s->stmts);
	free(s->path);
	memset(s, 0, sizeof(*s));
}
