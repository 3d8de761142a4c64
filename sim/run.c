/* sim/run.c - executes a parsed scenario through the public API.
 *
 * No kernel twin. Each statement becomes vmlab_* calls; variables hold addresses; processes
 * are named. A system call that fails without a matching "-> ERRNO" stops the run (exit 2);
 * an access that raises a signal without "-> SIG..." kills the process, as the kernel would;
 * expect and load == failures are reported and the run goes on (exit 1 at the end).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/vmscript.h"

struct proc {
	char name[VMS_NAME_MAX];
	int pid;
	int dead; /* 1 exited, 2 killed */
};

struct var {
	char name[VMS_NAME_MAX];
	uint64_t val;
};

struct run {
	struct vms_script *s;
	const vmlab_run_opts_t *opts;
	vmlab_t *m;
	FILE *out, *err;
	struct proc *procs;
	int nprocs;
	struct var *vars;
	int nvars;
	int failed;    /* an expect failed */
	int line;      /* current statement's line */
};

static int run_error(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_error(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->err, "%s:%d: error: ", r->s->path, r->line);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fprintf(r->err, "\n");
	return -1;
}

static void expect_failed(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect_failed(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->err, "%s:%d: expect failed: ", r->s->path, r->line);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fprintf(r->err, "\n");
	r->failed = 1;
}

static struct proc *find_proc(struct run *r, const char *name)
{
	int i;

	for (i = 0; i < r->nprocs; i++)
		if (!strcmp(r->procs[i].name, name))
			return &r->procs[i];
	return NULL;
}

static int add_proc(struct run *r, const char *name, int pid)
{
	struct proc *n = realloc(r->procs, sizeof(*n) * (size_t)(r->nprocs + 1));

	if (!n)
		return run_error(r, "out of memory");
	r->procs = n;
	snprintf(n[r->nprocs].name, VMS_NAME_MAX, "%s", name);
	n[r->nprocs].pid = pid;
	n[r->nprocs].dead = 0;
	r->nprocs++;
	return 0;
}

static int set_var(struct run *r, const char *name, uint64_t val)
{
	int i;
	struct var *n;

	for (i = 0; i < r->nvars; i++)
		if (!strcmp(r->vars[i].name, name)) {
			r->vars[i].val = val;
			return 0;
		}
	n = realloc(r->vars, sizeof(*n) * (size_t)(r->nvars + 1));
	if (!n)
		return run_error(r, "out of memory");
	r->vars = n;
	snprintf(n[r->nvars].name, VMS_NAME_MAX, "%s", name);
	n[r->nvars].val = val;
	r->nvars++;
	return 0;
}

static int eval_addr(struct run *r, const struct vms_addr *a, struct proc *p, uint64_t *out)
{
	uint64_t base = 0;
	int i;

	if (a->var[0]) {
		if (!strcmp(a->var, "stack")) {
			base = vmlab_stack_top(r->m, p->pid);
		} else {
			for (i = 0; i < r->nvars && strcmp(r->vars[i].name, a->var); i++)
				;
			if (i == r->nvars)
				return run_error(r, "variable '%s' has no value (its statement failed)", a->var);
			base = r->vars[i].val;
		}
	}
	if (a->var[0] && ((int64_t)a->off > 0 ? base + a->off < base
					       : (int64_t)a->off < 0 && base + a->off > base))
		return run_error(r, "address %s%c0x%llx is outside the 64-bit range", a->var,
				 (int64_t)a->off < 0 ? '-' : '+',
				 (unsigned long long)((int64_t)a->off < 0 ? -a->off : a->off));
	*out = base + a->off;
	return 0;
}

static const char *op_name(enum vms_op op)
{
	static const char *const n[] = {"machine", "spawn", "mmap",  "munmap", "mprotect", "mremap",
					"msync",   "brk",   "madvise", "store", "load",     "touch",
					"fork",    "exec",  "exit",  "show",   "expect", "drop_caches", "echo",
					"mlock",   "munlock", "oom_score_adj", "cgroup", "cgroup"};
	return n[op];
}

/* A system call's result against "-> ERRNO": 0 to go on, -1 to stop the run. */
static int syscall_result(struct run *r, const struct vms_stmt *st, int err)
{
	if (st->want_errno) {
		if (err != st->want_errno)
			expect_failed(r, "%s -> %s (got %s)", op_name(st->op),
				      vmlab_errno_name(st->want_errno), err ? vmlab_errno_name(err) : "success");
		return err ? 1 : 0;
	}
	if (err)
		return run_error(r, "%s: %s (%s)", op_name(st->op), vmlab_errno_name(err), strerror(-err));
	return 0;
}

static const char *sig_name(int sig)
{
	return sig == VMLAB_SIGBUS ? "SIGBUS" : sig == VMLAB_SIGKILL ? "SIGKILL" : "SIGSEGV";
}

/* An access's signal against "-> SIG": kills the process when not expected. */
static void access_result(struct run *r, const struct vms_stmt *st, struct proc *p, int sig,
			  const vmlab_fault_t *f)
{
	if (sig == st->want_signal && sig)
		return;
	if (!sig) {
		if (st->want_signal)
			expect_failed(r, "%s -> %s (got no signal)", op_name(st->op), sig_name(st->want_signal));
		return;
	}
	if (st->want_signal)
		expect_failed(r, "%s -> %s (got %s)", op_name(st->op), sig_name(st->want_signal),
			      sig_name(sig));
	if (sig == VMLAB_SIGKILL)
		fprintf(r->out, "%s: killed by SIGKILL (out of memory)\n", p->name);
	else if (sig == VMLAB_SIGBUS)
		fprintf(r->out, "%s: killed by SIGBUS (BUS_ADRERR) at 0x%llx\n", p->name,
			(unsigned long long)f->addr);
	else
		fprintf(r->out, "%s: killed by SIGSEGV (%s) at 0x%llx\n", p->name,
			f->code == VMLAB_SEGV_ACCERR ? "SEGV_ACCERR" : "SEGV_MAPERR",
			(unsigned long long)f->addr);
	vmlab_exit(r->m, p->pid);
	p->dead = 2;
}

static int do_show(struct run *r, const struct vms_stmt *st, struct proc *p)
{
	char *text;
	int err;

	if (st->group[0]) {
		err = vmlab_cgroup_show(r->m, st->group, st->what, &text);
		if (err)
			return run_error(r, "show %s %s: %s", st->what, st->group, strerror(-err));
		if (!r->opts->quiet)
			fputs(text, r->out);
		free(text);
		return 0;
	}
	if (!strcmp(st->what, "tlb")) {
		vmlab_tlb_stats_t t;

		vmlab_tlb_stats(r->m, &t);
		if (!r->opts->quiet)
			fprintf(r->out, "tlb_hit %llu\ntlb_miss %llu\ntlb_walk %llu\ntlb_flush_all %llu\n"
					"tlb_flush_one %llu\n",
				(unsigned long long)t.hits, (unsigned long long)t.misses,
				(unsigned long long)t.walks, (unsigned long long)t.flush_all,
				(unsigned long long)t.flush_one);
		return 0;
	}
	err = vmlab_show(r->m, st->what, p ? p->pid : 0, &text);
	if (err)
		return run_error(r, "show %s: %s", st->what, strerror(-err));
	if (!r->opts->quiet)
		fputs(text, r->out);
	free(text);
	return 0;
}

static int do_expect(struct run *r, const struct vms_stmt *st)
{
	uint64_t v = 0;
	int err = 0, ok;

	if (st->group[0]) {
		err = vmlab_cgroup_read(r->m, st->group, st->lhs_key, &v);
		if (err)
			return run_error(r, "expect: cgroup %s has no value '%s'", st->group, st->lhs_key);
	} else if (!strcmp(st->lhs_obj, "meminfo")) {
		err = vmlab_meminfo(r->m, st->lhs_key, &v);
		if (err)
			return run_error(r, "expect: /proc/meminfo has no '%s'", st->lhs_key);
	} else if (!strcmp(st->lhs_obj, "vmstat")) {
		err = vmlab_vmstat(r->m, st->lhs_key, &v);
		if (err)
			return run_error(r, "expect: /proc/vmstat has no '%s'", st->lhs_key);
	} else if (!strcmp(st->lhs_obj, "clock")) {
		v = vmlab_clock_ns(r->m) / (!strcmp(st->lhs_key, "us") ? 1000 : 1);
	} else if (!strcmp(st->lhs_obj, "tlb")) {
		vmlab_tlb_stats_t t;

		vmlab_tlb_stats(r->m, &t);
		v = !strcmp(st->lhs_key, "hits")       ? t.hits
		    : !strcmp(st->lhs_key, "misses")   ? t.misses
		    : !strcmp(st->lhs_key, "walks")    ? t.walks
		    : !strcmp(st->lhs_key, "flush_all") ? t.flush_all
							: t.flush_one;
	} else {
		struct proc *p = find_proc(r, st->lhs_obj);

		if (!p || p->dead)
			return run_error(r, "expect: process '%s' is not running", st->lhs_obj);
		err = vmlab_task_stat(r->m, p->pid, st->lhs_key, &v);
		if (err)
			return run_error(r, "expect: unknown process value '%s'", st->lhs_key);
	}
	switch (st->cmp) {
	case 0: ok = v == st->value; break;
	case 1: ok = v != st->value; break;
	case 2: ok = v < st->value; break;
	case 3: ok = v <= st->value; break;
	case 4: ok = v > st->value; break;
	default: ok = v >= st->value; break;
	}
	if (!ok) {
		static const char *const c[] = {"==", "!=", "<", "<=", ">", ">="};

		expect_failed(r, "%s.%s %s %llu (got %llu)", st->lhs_obj, st->lhs_key, c[st->cmp],
			      (unsigned long long)st->value, (unsigned long long)v);
	}
	return 0;
}

/* Writes up to 32 bytes of buf as a quoted vmscript string (escapes for the rest), so that a
 * failure stays on one line whatever the memory held. */
static void quote_bytes(const uint8_t *buf, uint64_t len, char *out, size_t size)
{
	size_t o = 0;
	uint64_t i;

	out[o++] = '"';
	for (i = 0; i < len && i < 32 && o + 8 < size; i++) {
		uint8_t c = buf[i];

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\%c", c);
		else if (c == '\n')
			o += (size_t)snprintf(out + o, size - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(out + o, size - o, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	snprintf(out + o, size - o, "\"%s", i < len ? "..." : "");
}

static int do_load(struct run *r, const struct vms_stmt *st, struct proc *p, uint64_t addr)
{
	vmlab_fault_t f = {0};
	uint8_t *buf = malloc(st->len);
	int sig;

	if (!buf)
		return run_error(r, "load: out of memory");
	sig = vmlab_load(r->m, p->pid, addr, buf, st->len, &f);
	access_result(r, st, p, sig, &f);
	if (!sig && st->has_data) {
		uint64_t i;

		for (i = 0; i < st->len; i++) {
			uint8_t want = st->data.bytes ? st->data.bytes[i] : (uint8_t)st->data.fill;

			if (buf[i] != want) {
				char got[200];

				quote_bytes(buf, st->len, got, sizeof(got));
				expect_failed(r, "load 0x%llx: byte %llu is 0x%02x, expected 0x%02x (got %s)",
					      (unsigned long long)addr, (unsigned long long)i, buf[i], want,
					      got);
				break;
			}
		}
	}
	free(buf);
	return 0;
}

static int exec_proc_stmt(struct run *r, const struct vms_stmt *st, struct proc *p)
{
	vmlab_fault_t f = {0};
	uint64_t addr = 0, out = 0;
	int err, sig;

	if (st->op != VMS_MMAP && st->op != VMS_BRK && st->op != VMS_FORK && st->op != VMS_EXIT &&
	    st->op != VMS_EXEC && st->op != VMS_OOM_ADJ && st->op != VMS_CGROUP_JOIN &&
	    eval_addr(r, &st->addr, p, &addr))
		return -1;
	switch (st->op) {
	case VMS_MMAP:
		if (st->has_fixed && eval_addr(r, &st->addr2, p, &addr))
			return -1;
		if (st->path) {
			/* file=PATH is relative to the scenario's folder unless absolute */
			char full[4096];
			const char *slash = strrchr(r->s->path, '/');

			if (st->path[0] == '/' || !slash)
				snprintf(full, sizeof(full), "%s", st->path);
			else
				snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - r->s->path), r->s->path,
					 st->path);
			err = vmlab_mmap_file(r->m, p->pid, addr, st->len, st->prot,
					      st->flags | (st->has_fixed ? VMLAB_MAP_FIXED : 0), full,
					      st->offset, &out);
			if (err && !st->want_errno)
				return run_error(r, "mmap: %s: %s (%s)", full, vmlab_errno_name(err),
						 strerror(-err));
		} else {
			err = vmlab_mmap(r->m, p->pid, addr, st->len, st->prot,
					 st->flags | (st->has_fixed ? VMLAB_MAP_FIXED : 0), &out);
		}
		if ((err = syscall_result(r, st, err)) != 0)
			return err < 0 ? -1 : 0;
		return st->var[0] ? set_var(r, st->var, out) : 0;
	case VMS_MUNMAP:
		err = syscall_result(r, st, vmlab_munmap(r->m, p->pid, addr, st->len));
		return err < 0 ? -1 : 0;
	case VMS_MPROTECT:
		err = syscall_result(r, st, vmlab_mprotect(r->m, p->pid, addr, st->len, st->prot));
		return err < 0 ? -1 : 0;
	case VMS_MSYNC:
		err = syscall_result(r, st, vmlab_msync(r->m, p->pid, addr, st->len));
		return err < 0 ? -1 : 0;
	case VMS_MREMAP:
		err = vmlab_mremap(r->m, p->pid, addr, st->len, st->len2, st->flags, 0, &out);
		if ((err = syscall_result(r, st, err)) != 0)
			return err < 0 ? -1 : 0;
		return st->var[0] ? set_var(r, st->var, out) : 0;
	case VMS_BRK:
		err = vmlab_brk(r->m, p->pid, st->delta, &out);
		if ((err = syscall_result(r, st, err)) != 0)
			return err < 0 ? -1 : 0;
		return st->var[0] ? set_var(r, st->var, out) : 0;
	case VMS_MADVISE:
		err = syscall_result(r, st, vmlab_madvise(r->m, p->pid, addr, st->len, st->advice));
		return err < 0 ? -1 : 0;
	case VMS_STORE:
		if (st->data.bytes)
			sig = vmlab_store(r->m, p->pid, addr, st->data.bytes, st->data.len, &f);
		else
			sig = vmlab_fill(r->m, p->pid, addr, st->data.fill, st->data.len, &f);
		access_result(r, st, p, sig, &f);
		return 0;
	case VMS_LOAD:
		return do_load(r, st, p, addr);
	case VMS_TOUCH:
		sig = vmlab_touch(r->m, p->pid, addr, st->len, st->kind, &f);
		access_result(r, st, p, sig, &f);
		return 0;
	case VMS_FORK: {
		int child;

		err = vmlab_fork(r->m, p->pid, &child);
		if (err)
			return run_error(r, "fork: %s (%s)", vmlab_errno_name(err), strerror(-err));
		return add_proc(r, st->child, child);
	}
	case VMS_EXEC: {
		/* PATH is relative to the scenario's folder unless absolute; argv[0] is PATH as
		 * written, the ARGs follow; the environment is empty */
		char full[4096];
		const char *slash = strrchr(r->s->path, '/');
		const char **argv = malloc(sizeof(char *) * (size_t)(st->nargs + 1));
		int i;

		if (!argv)
			return run_error(r, "exec: out of memory");
		argv[0] = st->path;
		for (i = 0; i < st->nargs; i++)
			argv[i + 1] = st->args[i];
		if (st->path[0] == '/' || !slash)
			snprintf(full, sizeof(full), "%s", st->path);
		else
			snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - r->s->path), r->s->path,
				 st->path);
		err = vmlab_exec(r->m, p->pid, full, st->nargs + 1, argv, 0, NULL);
		free(argv);
		if (err && !vmlab_alive(r->m, p->pid))
			p->dead = 2; /* failed after the point of no return */
		if (err && !st->want_errno)
			return run_error(r, "exec: %s (%s)", vmlab_exec_error(r->m), vmlab_errno_name(err));
		return syscall_result(r, st, err) < 0 ? -1 : 0;
	}
	case VMS_EXIT:
		vmlab_exit(r->m, p->pid);
		p->dead = 1;
		return 0;
	case VMS_MLOCK:
	case VMS_MUNLOCK:
		err = st->op == VMS_MLOCK ? vmlab_mlock(r->m, p->pid, addr, st->len)
					  : vmlab_munlock(r->m, p->pid, addr, st->len);
		err = syscall_result(r, st, err);
		return err < 0 ? -1 : 0;
	case VMS_OOM_ADJ:
		err = syscall_result(r, st, vmlab_set_oom_score_adj(r->m, p->pid, (int)st->adj));
		return err < 0 ? -1 : 0;
	case VMS_CGROUP_JOIN:
		err = syscall_result(r, st, vmlab_cgroup_attach(r->m, st->group, p->pid));
		return err < 0 ? -1 : 0;
	default:
		return run_error(r, "internal: unexpected statement");
	}
}

static void explain_hook(void *ctx, const vmlab_event_t *ev)
{
	struct run *r = ctx;
	char buf[512];

	vmlab_event_format(ev, buf, sizeof(buf));
	fprintf(r->out, "  %s\n", buf);
}

static int run_stmt(struct run *r, const struct vms_stmt *st)
{
	struct proc *p = NULL;

	r->line = st->line;
	if (r->opts->explain && !r->opts->quiet && st->text)
		fprintf(r->out, ">>> %d: %s\n", st->line, st->text);
	switch (st->op) {
	case VMS_MACHINE:
		return 0;
	case VMS_SPAWN: {
		int pid, err = vmlab_spawn(r->m, &pid);

		if (err)
			return run_error(r, "spawn: %s (%s)", vmlab_errno_name(err), strerror(-err));
		return add_proc(r, st->proc, pid);
	}
	case VMS_SHOW:
		if (st->proc[0]) {
			p = find_proc(r, st->proc);
			if (!p || p->dead)
				return run_error(r, "show: process '%s' is not running", st->proc);
		}
		return do_show(r, st, p);
	case VMS_EXPECT:
		return do_expect(r, st);
	case VMS_DROP_CACHES:
		vmlab_drop_caches(r->m);
		return 0;
	case VMS_CGROUP: {
		int k, err = 0;

		if (st->create) {
			err = vmlab_cgroup_create(r->m, st->group, st->parent[0] ? st->parent : NULL);
			if (err)
				return run_error(r, "cgroup %s: %s (%s)", st->group, vmlab_errno_name(err),
						 strerror(-err));
		}
		for (k = 0; k < st->nsets && !err; k++)
			err = vmlab_cgroup_set(r->m, st->group, st->sets[k].key, st->sets[k].value);
		if (err)
			return run_error(r, "cgroup %s: %s (%s)", st->group, vmlab_errno_name(err), strerror(-err));
		return 0;
	}
	case VMS_ECHO:
		if (!r->opts->quiet) {
			if (st->data.bytes)
				fwrite(st->data.bytes, 1, st->data.len, r->out);
			fputc('\n', r->out);
		}
		return 0;
	default:
		break;
	}
	p = find_proc(r, st->proc);
	if (!p)
		return run_error(r, "process '%s' does not exist yet", st->proc);
	if (p->dead)
		return run_error(r, "process '%s' %s", st->proc, p->dead == 1 ? "has exited" : "was killed");
	return exec_proc_stmt(r, st, p);
}

int vms_run(struct vms_script *sp, const vmlab_run_opts_t *opts, FILE *out, FILE *err)
{
	struct vms_script s = *sp;
	struct run r;
	int i, status = 0, e;

	memset(&r, 0, sizeof(r));
	r.s = &s;
	r.opts = opts;
	r.out = out;
	r.err = err;
	if (opts->have_seed) {
		s.cfg.seed = opts->seed;
		s.cfg.randomize = 1;
	}
	s.cfg.check = opts->check;
	e = vmlab_create(&s.cfg, &r.m);
	if (e) {
		r.line = s.machine_line ? s.machine_line : 1;
		run_error(&r, "machine: cannot create it: %s", strerror(-e));
		return 2;
	}
	if (opts->writable_dir && vmlab_set_writable_dir(r.m, opts->writable_dir)) {
		r.line = 1;
		fprintf(err, "vmlab: --writable %s: No such directory\n", opts->writable_dir);
		vmlab_destroy(r.m);
		return 2;
	}
	if (opts->explain && !opts->quiet)
		vmlab_set_event_hook(r.m, explain_hook, &r);
	for (i = 0; i < s.n; i++) {
		int k;

		if (run_stmt(&r, &s.stmts[i])) {
			status = 2;
			break;
		}
		/* processes the OOM killer chose while this statement ran */
		for (k = 0; k < r.nprocs; k++) {
			if (!r.procs[k].dead && !vmlab_alive(r.m, r.procs[k].pid)) {
				fprintf(r.out, "%s: killed by SIGKILL (out of memory)\n", r.procs[k].name);
				r.procs[k].dead = 2;
			}
		}
		if (opts->check) {
			char why[300];

			if (vmlab_check(r.m, why, sizeof(why))) {
				r.line = s.stmts[i].line;
				run_error(&r, "check failed: %s", why);
				status = 2;
				break;
			}
		}
	}
	vmlab_set_event_hook(r.m, NULL, NULL);
	/* every process exits at the end: the checkers then see every frame back */
	for (i = 0; i < r.nprocs; i++)
		if (!r.procs[i].dead)
			vmlab_exit(r.m, r.procs[i].pid);
	if (opts->check && !status) {
		char why[300];

		if (vmlab_check(r.m, why, sizeof(why))) {
			r.line = s.n ? s.stmts[s.n - 1].line : 1;
			run_error(&r, "check failed after all processes exited: %s", why);
			status = 2;
		}
	}
	vmlab_destroy(r.m);
	free(r.procs);
	free(r.vars);
	if (status)
		return status;
	return r.failed ? 1 : 0;
}

int vmlab_run_script(const char *path, const vmlab_run_opts_t *opts, FILE *out, FILE *err)
{
	struct vms_script s;
	char msg[600];
	int status;

	if (!path || !opts || !out || !err) {
		if (err)
			fprintf(err, "vmlab: vmlab_run_script: missing argument\n");
		return 2;
	}
	if (vms_parse_file(path, &s, msg, sizeof(msg))) {
		fprintf(err, "%s\n", msg);
		vms_free(&s);
		return 2;
	}
	status = vms_run(&s, opts, out, err);
	vms_free(&s);
	return status;
}
