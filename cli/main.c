/* cli/main.c - the vmlab command. Uses only the public API (include/vmlab.h).
 * A command table maps each subcommand to its handler and one line of help; adding a command
 * (replay, record, convert, mrc, ...) is one function and one line in the table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int cmd_run(int argc, char **argv);
static int cmd_replay(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command commands[] = {
	{"run", cmd_run, "run [--explain] [--check] [--seed N] [--writable DIR] [--quiet] FILE.vms",
	 "run a scenario; exit 0 if every expect held, 1 if one failed, 2 on errors"},
	{"replay", cmd_replay, "replay [--format auto|text|lackey] [--ram SIZE] [--tlb N] [--strict] [--json] TRACE",
	 "replay a memory trace through the machine and print its counters"},
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
		   "\nSee docs/cli.md and docs/vmscript.md.\n");
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

static int cmd_replay(int argc, char **argv)
{
	vmlab_replay_opts_t o;
	const char *file = NULL;
	uint64_t v;
	int i;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--strict")) {
			o.strict = 1;
		} else if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--format")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "vmlab: --format needs auto, text or lackey\n");
				return 2;
			}
			a = argv[++i];
			if (!strcmp(a, "auto"))
				o.format = 0;
			else if (!strcmp(a, "text"))
				o.format = 1;
			else if (!strcmp(a, "lackey"))
				o.format = 2;
			else {
				fprintf(stderr, "vmlab: --format %s: not supported in this version (auto, text, lackey)\n", a);
				return 2;
			}
		} else if (!strcmp(a, "--ram") || !strcmp(a, "--tlb")) {
			if (i + 1 >= argc || parse_size(argv[i + 1], &v)) {
				fprintf(stderr, "vmlab: %s needs a size\n", a);
				return 2;
			}
			if (a[2] == 'r')
				o.ram = v;
			else if (v == 0 || v > 65536) {
				fprintf(stderr, "vmlab: --tlb must be from 1 to 65536\n");
				return 2;
			} else
				o.tlb_entries = (unsigned)v;
			i++;
		} else if (!strcmp(a, "--swap") || !strcmp(a, "--policy") || !strcmp(a, "--resident")) {
			fprintf(stderr, "vmlab: %s is not supported in this version (it needs swap and the replacement policies)\n", a);
			return 2;
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
	return vmlab_replay(file, &o, stdout, stderr);
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
