/* cli/main.c - the vmlab command. Uses only the public API (include/vmlab.h).
 * A command table maps each subcommand to its handler and one line of help; adding a command
 * (replay, record, convert, mrc, ...) is one function and one line in the table. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmlab.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int cmd_run(int argc, char **argv);
static int cmd_replay(int argc, char **argv);
static int cmd_convert(int argc, char **argv);
static int cmd_record(int argc, char **argv);
static int cmd_mrc(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command commands[] = {
	{"run", cmd_run, "run [--explain] [--check] [--seed N] [--writable DIR] [--quiet] FILE.vms",
	 "run a scenario; exit 0 if every expect held, 1 if one failed, 2 on errors"},
	{"replay", cmd_replay, "replay [--format F] [--ram SIZE] [--tlb N] [--resident PAGES] [--policy NAME]\n"
	 "               [--swap SIZE] [--strict] [--json] [--quiet] TRACE",
	 "replay a memory trace through the machine and print its counters"},
	{"convert", cmd_convert, "convert [--format F] [--to text|lackey|vmt] [-o FILE] [--zstd] [--quiet] TRACE",
	 "convert a trace (to vmt by default; zstd-compressed when FILE ends in .zst)"},
	{"record", cmd_record, "record [-o FILE] [--to text|lackey|vmt] [--zstd] [--quiet] -- PROGRAM [ARGS...]",
	 "run PROGRAM under valgrind's lackey and write its memory trace (vmt by default)"},
	{"mrc", cmd_mrc, "mrc [--format F] [--policy NAME] [--sample RATE] [--sizes N,N,...] [--points N]\n"
	 "            [--max PAGES] [--threads N] [--sweep] [--svg FILE] [--ram SIZE] [--quiet] TRACE",
	 "print the miss-ratio curve of a trace as CSV (pages,misses,miss_ratio)"},
	{"help", cmd_help, "help", "show this help"},
	{"version", cmd_version, "version", "print the version"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: vmlab COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  vmlab %s\n      %s\n", commands[i].usage, commands[i].help);
	fprintf(f, "\noptions of run:\n"
		   "  --explain       narrate every access: address split, TLB, page walk, faults\n"
		   "  --check         run every invariant checker after every statement\n"
		   "  --seed N        randomize the address-space layout with seed N\n"
		   "  --writable DIR  allow write-back to host files under DIR (file mappings)\n"
		   "  --quiet         print no /proc views or narration\n"
		   "\noptions of the trace commands (F: auto, text, lackey or vmt; any may be .zst):\n"
		   "  --format F      the input's format (auto: by its first bytes)\n"
		   "  --resident N    at most N user pages resident, evicted by --policy (lru, fifo,\n"
		   "                  clock, opt, linux)\n"
		   "  --quiet         no progress lines on the terminal\n"
		   "\nSee docs/cli.md, docs/vmscript.md and docs/replay.md.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("vmlab %s\n", VMLAB_VERSION);
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return *end || errno ? -1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	vmlab_run_opts_t o;
	const char *file = NULL;
	int i, status;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--explain")) {
			o.explain = 1;
		} else if (!strcmp(a, "--check")) {
			o.check = 1;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--seed")) {
			if (i + 1 >= argc || parse_u64(argv[i + 1], &o.seed)) {
				fprintf(stderr, "vmlab: --seed needs a number\n");
				return 2;
			}
			o.have_seed = 1;
			i++;
		} else if (!strcmp(a, "--writable")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "vmlab: --writable needs a directory\n");
				return 2;
			}
			o.writable_dir = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "vmlab: unknown option '%s' (see vmlab help)\n", a);
			return 2;
		} else if (file) {
			fprintf(stderr, "vmlab: run takes one scenario file\n");
			return 2;
		} else {
			file = a;
		}
	}
	if (!file) {
		fprintf(stderr, "vmlab: run needs a scenario file (see vmlab help)\n");
		return 2;
	}
	status = vmlab_run_script(file, &o, stdout, stderr);
	fflush(stdout);
	return status;
}

/* SIZE with an optional K/M/G/T suffix. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end) {
		switch (*end) {
		case 'K': mul = 1ull << 10; break;
		case 'M': mul = 1ull << 20; break;
		case 'G': mul = 1ull << 30; break;
		case 'T': mul = 1ull << 40; break;
		default: return -1;
		}
		if (end[1] || v > UINT64_MAX / mul)
			return -1;
	}
	*out = v * mul;
	return 0;
}

/* --format auto|text|lackey|vmt (the input); --to text|lackey|vmt (an output). */
static int parse_format(const char *opt, const char *v, int allow_auto, int *out)
{
	static const char *const names[] = {"auto", "text", "lackey", "vmt"};
	int i;

	for (i = allow_auto ? 0 : 1; v && i < 4; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	fprintf(stderr, "vmlab: %s needs %stext, lackey or vmt\n", opt, allow_auto ? "auto, " : "");
	return -1;
}

static int progress_wanted(int quiet)
{
	return !quiet && isatty(2);
}

/* The options replay and mrc share. Returns 1 when argv[*i] was one (and moves *i past its
 * value), 0 when it was not, -1 on a bad value (reported). */
static int machine_option(int argc, char **argv, int *i, vmlab_replay_opts_t *o)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	uint64_t n;

	if (!strcmp(a, "--format")) {
		if (parse_format(a, v, 1, &o->format))
			return -1;
	} else if (!strcmp(a, "--ram") || !strcmp(a, "--swap")) {
		if (parse_size(v, &n)) {
			fprintf(stderr, "vmlab: %s needs a size\n", a);
			return -1;
		}
		if (a[2] == 'r')
			o->ram = n;
		else
			o->swap = n;
	} else if (!strcmp(a, "--tlb")) {
		if (parse_size(v, &n) || n == 0 || n > 65536) {
			fprintf(stderr, "vmlab: --tlb must be from 1 to 65536\n");
			return -1;
		}
		o->tlb_entries = (unsigned)n;
	} else if (!strcmp(a, "--policy")) {
		if (!v || !*v || v[0] == '-') {
			fprintf(stderr, "vmlab: --policy needs a name (lru, fifo, clock, opt, linux)\n");
			return -1;
		}
		o->policy = v;
	} else {
		return 0;
	}
	(*i)++;
	return 1;
}

static int cmd_replay(int argc, char **argv)
{
	vmlab_replay_opts_t o;
	const char *file = NULL;
	int i, quiet = 0, rc;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((rc = machine_option(argc, argv, &i, &o)) < 0)
			return 2;
		if (rc)
			continue;
		if (!strcmp(a, "--strict")) {
			o.strict = 1;
		} else if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(a, "--resident")) {
			if (i + 1 >= argc || parse_u64(argv[i + 1], &o.resident_pages) || !o.resident_pages) {
				fprintf(stderr, "vmlab: --resident needs a number of pages (1 or more)\n");
				return 2;
			}
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "vmlab: unknown option '%s' (see vmlab help)\n", a);
			return 2;
		} else if (file) {
			fprintf(stderr, "vmlab: replay takes one trace file\n");
			return 2;
		} else {
			file = a;
		}
	}
	if (!file) {
		fprintf(stderr, "vmlab: replay needs a trace file (see vmlab help)\n");
		return 2;
	}
	o.progress = progress_wanted(quiet);
	rc = vmlab_replay(file, &o, stdout, stderr);
	fflush(stdout);
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Where a trace goes: the file named by -o (created or truncated), or standard output, which
 * takes no binary data while it is a terminal. NULL after a message. */
static FILE *open_output(const char *cmd, const char *path, int format, int zstd)
{
	FILE *f;

	if (!path) {
		if ((format == VMLAB_TRACE_VMT || zstd) && isatty(1)) {
			fprintf(stderr, "vmlab: %s: not writing binary data to a terminal (use -o FILE or a pipe)\n", cmd);
			return NULL;
		}
		return stdout;
	}
	f = fopen(path, "wbe"); /* e: close-on-exec, so that record's program does not inherit it */
	if (!f)
		fprintf(stderr, "vmlab: %s: %s\n", path, strerror(errno));
	return f;
}

/* Ends an output: on failure the partial file named by -o is removed. */
static int close_output(FILE *f, const char *path, int status)
{
	if (f != stdout) {
		if (fclose(f) && !status) {
			fprintf(stderr, "vmlab: %s: %s\n", path, strerror(errno));
			status = 2;
		}
		if (status)
			unlink(path);
	} else if (fflush(stdout) && !status) {
		fprintf(stderr, "vmlab: standard output: %s\n", strerror(errno));
		status = 2;
	}
	return status;
}

/* The options of convert and record: --to, -o, --zstd, --quiet. 1 taken, 0 not, -1 bad. */
static int output_option(int argc, char **argv, int *i, int *to, const char **opath, int *zstd,
			 int *quiet)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--to")) {
		if (parse_format(a, *i + 1 < argc ? argv[*i + 1] : NULL, 0, to))
			return -1;
		(*i)++;
	} else if (!strcmp(a, "-o")) {
		if (*i + 1 >= argc || !argv[*i + 1][0]) {
			fprintf(stderr, "vmlab: -o needs a file name\n");
			return -1;
		}
		*opath = argv[++*i];
	} else if (!strcmp(a, "--zstd")) {
		*zstd = 1;
	} else if (!strcmp(a, "--quiet")) {
		*quiet = 1;
	} else {
		return 0;
	}
	return 1;
}

static int cmd_convert(int argc, char **argv)
{
	const char *in = NULL, *opath = NULL;
	int i, rc, format = VMLAB_TRACE_AUTO, to = VMLAB_TRACE_VMT, zstd = 0, quiet = 0, status;
	vmlab_trace_t *t;
	vmlab_trace_writer_t *w;
	struct stat a, b;
	FILE *f;

	for (i = 1; i < argc; i++) {
		if ((rc = output_option(argc, argv, &i, &to, &opath, &zstd, &quiet)) < 0)
			return 2;
		if (rc)
			continue;
		if (!strcmp(argv[i], "--format")) {
			if (parse_format("--format", i + 1 < argc ? argv[i + 1] : NULL, 1, &format))
				return 2;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "vmlab: unknown option '%s' (see vmlab help)\n", argv[i]);
			return 2;
		} else if (in) {
			fprintf(stderr, "vmlab: convert takes one trace file\n");
			return 2;
		} else {
			in = argv[i];
		}
	}
	if (!in) {
		fprintf(stderr, "vmlab: convert needs a trace file (see vmlab help)\n");
		return 2;
	}
	if (opath && ends_with(opath, ".zst"))
		zstd = 1;
	if (opath && strcmp(in, "-") && !stat(in, &a) && !stat(opath, &b) && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		fprintf(stderr, "vmlab: convert: %s is the input\n", opath);
		return 2;
	}
	if (vmlab_trace_open(in, format, &t, stderr))
		return 2;
	f = open_output("convert", opath, to, zstd);
	if (!f) {
		vmlab_trace_close(t);
		return 2;
	}
	if (vmlab_trace_writer_open(f, opath ? opath : "standard output", to, zstd, &w, stderr)) {
		vmlab_trace_close(t);
		return close_output(f, opath, 2);
	}
	status = vmlab_trace_copy(t, w, progress_wanted(quiet), stderr);
	if (vmlab_trace_writer_close(w, stderr))
		status = 2;
	vmlab_trace_close(t);
	return close_output(f, opath, status);
}

/* The file execvp would run for name, or NULL. */
static int find_program(const char *name, char *path, size_t size)
{
	const char *p = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(path, size, "%s", name);
		return access(path, X_OK) ? -1 : 0;
	}
	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		struct stat st;

		snprintf(path, size, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (!access(path, X_OK) && !stat(path, &st) && S_ISREG(st.st_mode))
			return 0;
		p += n + (e != NULL);
	}
	return -1;
}

static int cmd_record(int argc, char **argv)
{
	const char *opath = NULL;
	int i, rc, to = VMLAB_TRACE_VMT, zstd = 0, quiet = 0, status, fds[2], ws;
	char prog[4096], vg[4096], logfd[32], name[4200];
	vmlab_trace_t *t;
	vmlab_trace_writer_t *w;
	char **args;
	pid_t pid;
	FILE *f;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if ((rc = output_option(argc, argv, &i, &to, &opath, &zstd, &quiet)) < 0)
			return 2;
		if (rc)
			continue;
		if (argv[i][0] == '-') {
			fprintf(stderr, "vmlab: unknown option '%s' (see vmlab help)\n", argv[i]);
			return 2;
		}
		break;
	}
	if (i >= argc) {
		fprintf(stderr, "vmlab: record needs a program: vmlab record [-o FILE] -- PROGRAM [ARGS...]\n");
		return 2;
	}
	if (find_program("valgrind", vg, sizeof(vg))) {
		fprintf(stderr, "vmlab: record: valgrind is not installed (Debian: apt-get install valgrind)\n");
		return 2;
	}
	if (find_program(argv[i], prog, sizeof(prog))) {
		fprintf(stderr, "vmlab: record: %s: command not found\n", argv[i]);
		return 2;
	}
	if (opath && ends_with(opath, ".zst"))
		zstd = 1;
	f = open_output("record", opath, to, zstd);
	if (!f)
		return 2;
	if (pipe(fds)) {
		fprintf(stderr, "vmlab: record: pipe: %s\n", strerror(errno));
		return close_output(f, opath, 2);
	}
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	snprintf(logfd, sizeof(logfd), "--log-fd=%d", fds[1]);
	args = calloc((size_t)(argc - i) + 5, sizeof(*args));
	if (!args) {
		close(fds[0]);
		close(fds[1]);
		return close_output(f, opath, 2);
	}
	args[0] = "valgrind";
	args[1] = "--tool=lackey";
	args[2] = "--trace-mem=yes";
	args[3] = logfd;
	memcpy(args + 4, argv + i, (size_t)(argc - i) * sizeof(*args));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* the program's standard output must not mix with a trace on ours */
		if (f == stdout)
			dup2(2, 1);
		execv(vg, args);
		fprintf(stderr, "vmlab: record: %s: %s\n", vg, strerror(errno));
		_exit(127);
	}
	free(args);
	close(fds[1]);
	if (pid < 0) {
		fprintf(stderr, "vmlab: record: fork: %s\n", strerror(errno));
		close(fds[0]);
		return close_output(f, opath, 2);
	}
	snprintf(name, sizeof(name), "lackey output of %s", argv[i]);
	status = vmlab_trace_fdopen(fds[0], name, VMLAB_TRACE_LACKEY, &t, stderr);
	if (!status) {
		if (vmlab_trace_writer_open(f, opath ? opath : "standard output", to, zstd, &w, stderr)) {
			status = 2;
		} else {
			status = vmlab_trace_copy(t, w, progress_wanted(quiet), stderr);
			if (vmlab_trace_writer_close(w, stderr))
				status = 2;
		}
		vmlab_trace_close(t);
	}
	if (status)
		kill(pid, SIGTERM); /* it would block on a pipe nobody reads */
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (!status && WIFEXITED(ws) && WEXITSTATUS(ws) == 127) {
		status = 2; /* valgrind could not run */
	} else if (!status && WIFEXITED(ws) && WEXITSTATUS(ws)) {
		fprintf(stderr, "vmlab: record: %s exited with status %d (the trace is complete)\n",
			argv[i], WEXITSTATUS(ws));
	} else if (!status && WIFSIGNALED(ws)) {
		fprintf(stderr, "vmlab: record: %s was killed by signal %d (the trace is complete up to it)\n",
			argv[i], WTERMSIG(ws));
	}
	return close_output(f, opath, status);
}

/* "1000,2000,..." into a malloc'd array. */
static int parse_sizes(const char *s, uint64_t **out, size_t *n)
{
	size_t cap = 8;
	uint64_t *v = malloc(cap * sizeof(*v));
	char *copy = s ? strdup(s) : NULL, *tok, *save = NULL;

	*n = 0;
	if (!v || !copy || !*copy)
		goto bad;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == cap) {
			uint64_t *nv = realloc(v, 2 * cap * sizeof(*v));

			if (!nv)
				goto bad;
			v = nv;
			cap *= 2;
		}
		if (parse_u64(tok, &v[*n]) || !v[*n])
			goto bad;
		(*n)++;
	}
	if (!*n || copy[strlen(copy) - 1] == ',' || copy[0] == ',')
		goto bad;
	free(copy);
	*out = v;
	return 0;
bad:
	free(copy);
	free(v);
	return -1;
}

static int cmd_mrc(int argc, char **argv)
{
	vmlab_mrc_opts_t o;
	const char *file = NULL, *svg = NULL;
	uint64_t *sizes = NULL, v;
	int i, rc, quiet = 0, status;
	FILE *sf = NULL;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if ((rc = machine_option(argc, argv, &i, &o.replay)) < 0)
			goto bad;
		if (rc)
			continue;
		if (!strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(a, "--sweep")) {
			o.sweep = 1;
		} else if (!strcmp(a, "--sample")) {
			char *end;

			o.sample = val ? strtod(val, &end) : 0;
			if (!val || *end || end == val || !(o.sample > 0 && o.sample <= 1)) {
				fprintf(stderr, "vmlab: --sample needs a rate above 0 and at most 1 (e.g. 0.01)\n");
				goto bad;
			}
			i++;
		} else if (!strcmp(a, "--sizes")) {
			free(sizes);
			sizes = NULL;
			if (parse_sizes(val, &sizes, &o.nsizes)) {
				fprintf(stderr, "vmlab: --sizes needs page counts separated by commas (e.g. 1000,2000)\n");
				goto bad;
			}
			o.sizes = sizes;
			i++;
		} else if (!strcmp(a, "--points") || !strcmp(a, "--threads") || !strcmp(a, "--max")) {
			if (parse_u64(val, &v) || !v || (a[2] != 'm' && v > 1000000)) {
				fprintf(stderr, "vmlab: %s needs a number (1 or more)\n", a);
				goto bad;
			}
			if (a[2] == 'p')
				o.points = (unsigned)v;
			else if (a[2] == 't')
				o.threads = (unsigned)v;
			else
				o.max = v;
			i++;
		} else if (!strcmp(a, "--svg")) {
			if (!val || !*val) {
				fprintf(stderr, "vmlab: --svg needs a file name\n");
				goto bad;
			}
			svg = val;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "vmlab: unknown option '%s' (see vmlab help)\n", a);
			goto bad;
		} else if (file) {
			fprintf(stderr, "vmlab: mrc takes one trace file\n");
			goto bad;
		} else {
			file = a;
		}
	}
	if (!file) {
		fprintf(stderr, "vmlab: mrc needs a trace file (see vmlab help)\n");
		goto bad;
	}
	if (svg && !(sf = fopen(svg, "we"))) {
		fprintf(stderr, "vmlab: %s: %s\n", svg, strerror(errno));
		goto bad;
	}
	o.svg = sf;
	o.replay.progress = progress_wanted(quiet);
	status = vmlab_mrc(file, &o, stdout, stderr);
	if (sf)
		status = close_output(sf, svg, status);
	fflush(stdout);
	free(sizes);
	return status;
bad:
	free(sizes);
	return 2;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		fprintf(stderr, "vmlab: unknown option '%s' (see vmlab help)\n", argv[1]);
	else
		fprintf(stderr, "vmlab: unknown command '%s' (see vmlab help)\n", argv[1]);
	return 2;
}
