/* sim/replay.c - trace replay (../shared/spec/replay.md), first part: text and lackey traces.
 *
 * No kernel twin. Streams a trace of memory accesses through the same machine scenarios use
 * (TLB, page tables, faults, reclaim), one process per trace PID, and prints the counters at
 * the end. An access outside every mapping of its process creates an anonymous private
 * mapping around it (the 2 MiB-aligned region, or just the page where that overlaps), unless
 * --strict: then it is a SIGSEGV, counted, and the replay goes on.
 *
 * Not yet: the vmt format, zstd, --resident with exact policies (they need the swap issue's
 * replacement policies), record/convert/mrc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "include/vmlab.h"

#define MAX_PIDS 4096
#define REGION (2ull << 20)

struct pidmap {
	long trace_pid;
	int pid;
};

struct replay {
	vmlab_t *m;
	const vmlab_replay_opts_t *o;
	struct pidmap map[MAX_PIDS];
	int nmap;
	uint64_t accesses, sigsegv, implicit_maps;
};

static int pid_for(struct replay *r, long tpid, int *pid)
{
	int i;

	for (i = 0; i < r->nmap; i++)
		if (r->map[i].trace_pid == tpid) {
			*pid = r->map[i].pid;
			return 0;
		}
	if (r->nmap == MAX_PIDS || vmlab_spawn(r->m, pid))
		return -1;
	r->map[r->nmap].trace_pid = tpid;
	r->map[r->nmap].pid = *pid;
	r->nmap++;
	return 0;
}

/* One access; maps memory around it when nothing is there (unless strict). */
static int do_access(struct replay *r, int pid, uint64_t addr, int kind)
{
	int sig = vmlab_access(r->m, pid, addr, kind);

	r->accesses++;
	if (!sig)
		return 0;
	if (sig < 0)
		return -1;
	if (!r->o->strict && sig == VMLAB_SIGSEGV) {
		uint64_t out, base = addr & ~(REGION - 1);
		const int prot = VMLAB_PROT_READ | VMLAB_PROT_WRITE | VMLAB_PROT_EXEC;

		/* nothing mapped there: the 2 MiB region around it, or the page when that overlaps
		 * a mapping; when both overlap, it was a protection fault */
		if (vmlab_mmap(r->m, pid, base, REGION, prot,
			       VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED_NOREPLACE, &out) == 0 ||
		    vmlab_mmap(r->m, pid, addr & ~4095ull, 4096, prot,
			       VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED_NOREPLACE, &out) == 0) {
			r->implicit_maps++;
			sig = vmlab_access(r->m, pid, addr, kind);
			if (!sig)
				return 0;
		}
	}
	if (sig == VMLAB_SIGSEGV || sig == VMLAB_SIGBUS) {
		r->sigsegv++;
		return 0;
	}
	return sig == VMLAB_SIGKILL ? 1 : -1;
}

static int parse_hex(const char *s, uint64_t *v, const char **end)
{
	uint64_t x = 0;
	int n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (n == 16)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	*end = s;
	return n ? 0 : -1;
}

/* Parses one line: returns 1 and the accesses (up to two pages) or 0 to skip, -1 malformed. */
static int parse_line(const char *l, int lackey, long *tpid, int *kind, uint64_t *addr,
		      uint64_t *size, const char **why)
{
	const char *e;

	while (*l == ' ' && !lackey)
		l++;
	if (!*l || *l == '#' || *l == '\n')
		return 0;
	if (lackey) {
		/* " L a,s" " S a,s" " M a,s" "I  a,s"; valgrind's "==PID==" lines are skipped */
		if (l[0] == '=' && l[1] == '=')
			return 0;
		if (l[0] == 'I' && l[1] == ' ')
			*kind = VMLAB_ACC_EXEC;
		else if (l[0] == ' ' && (l[1] == 'L' || l[1] == 'S' || l[1] == 'M') && l[2] == ' ')
			*kind = l[1] == 'L' ? VMLAB_ACC_READ : l[1] == 'S' ? VMLAB_ACC_WRITE : 3;
		else {
			*why = "expected ' L ADDR,SIZE', ' S ADDR,SIZE', ' M ADDR,SIZE' or 'I  ADDR,SIZE'";
			return -1;
		}
		l += 2;
		while (*l == ' ')
			l++;
		if (parse_hex(l, addr, &e) || *e != ',') {
			*why = "bad address (hexadecimal, then ',SIZE')";
			return -1;
		}
		l = e + 1;
		*size = strtoull(l, (char **)&e, 10);
		if (e == l || *size == 0 || *size > 4096 || (*e && *e != '\n' && *e != ' ')) {
			*why = "bad size (1 to 4096)";
			return -1;
		}
		*tpid = 1;
		return 1;
	}
	*tpid = 1;
	if (*l >= '0' && *l <= '9') {
		char *pe;

		*tpid = strtol(l, &pe, 10);
		if (*pe != ' ' && *pe != '\t') {
			*why = "expected '[PID ]R|W ADDR'";
			return -1;
		}
		l = pe;
		while (*l == ' ' || *l == '\t')
			l++;
	}
	if ((*l != 'R' && *l != 'W') || (l[1] != ' ' && l[1] != '\t')) {
		*why = "expected '[PID ]R|W ADDR'";
		return -1;
	}
	*kind = *l == 'R' ? VMLAB_ACC_READ : VMLAB_ACC_WRITE;
	l += 2;
	while (*l == ' ' || *l == '\t')
		l++;
	if (parse_hex(l, addr, &e) || (*e && *e != '\n' && *e != ' ' && *e != '\r')) {
		*why = "bad address (hexadecimal, at most 16 digits)";
		return -1;
	}
	*size = 1;
	return 1;
}

int vmlab_replay(const char *path, const vmlab_replay_opts_t *o, FILE *out, FILE *err)
{
	struct replay *r;
	vmlab_config_t cfg;
	FILE *f;
	struct stat st;
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int lackey = -1, status = 0;

	vmlab_tlb_stats_t t;
	uint64_t pgfault = 0, pgmajfault = 0, pswpin = 0, pswpout = 0, oom = 0;

	if (!path || !o || !out || !err)
		return 2;
	if (stat(path, &st) || !(f = fopen(path, "r"))) {
		fprintf(err, "vmlab: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(err, "vmlab: %s: not a regular file\n", path);
		fclose(f);
		return 2;
	}
	r = calloc(1, sizeof(*r));
	vmlab_config_default(&cfg);
	if (o->ram)
		cfg.ram = o->ram;
	if (o->tlb_entries) {
		cfg.tlb_entries = o->tlb_entries;
		if (cfg.tlb_ways > cfg.tlb_entries)
			cfg.tlb_ways = cfg.tlb_entries;
	}
	if (!r || vmlab_create(&cfg, &r->m)) {
		fprintf(err, "vmlab: %s: cannot create the machine (bad --ram or --tlb)\n", path);
		fclose(f);
		free(r);
		return 2;
	}
	r->o = o;
	ssize_t len;

	while ((len = getline(&line, &cap, f)) > 0) {
		long tpid;
		int kind, pid, rc;
		uint64_t addr, size;
		const char *why = "";

		lineno++;
		if (lackey < 0) {
			if (o->format == 1)
				lackey = 0;
			else if (o->format == 2)
				lackey = 1;
			else if (line[0] == '=' || (line[0] == 'I' && line[1] == ' ') ||
				 (line[0] == ' ' && (line[1] == 'L' || line[1] == 'S' || line[1] == 'M')))
				lackey = 1;
			else if (line[0] != '#' && line[0] != '\n')
				lackey = 0;
		}
		if ((ssize_t)strlen(line) != len) {
			fprintf(err, "%s:%ld: error: NUL byte in the trace\n", path, lineno);
			status = 2;
			break;
		}
		rc = parse_line(line, lackey == 1, &tpid, &kind, &addr, &size, &why);
		if (rc == 0)
			continue;
		if (rc < 0) {
			fprintf(err, "%s:%ld: error: %s\n", path, lineno, why);
			status = 2;
			break;
		}
		if (addr + size - 1 < addr || addr + size > 0x00007ffffffff000ull) {
			fprintf(err, "%s:%ld: error: address 0x%llx is outside user space\n", path, lineno,
				(unsigned long long)addr);
			status = 2;
			break;
		}
		if (pid_for(r, tpid, &pid)) {
			fprintf(err, "%s:%ld: error: too many processes\n", path, lineno);
			status = 2;
			break;
		}
		{
			uint64_t last = addr + size - 1;
			int k = kind == 3 ? VMLAB_ACC_READ : kind;

			/* an access spanning a page boundary touches both pages; M is a load then a
			 * store */
			if (do_access(r, pid, addr, k) > 0 ||
			    ((last >> 12) != (addr >> 12) && do_access(r, pid, last, k) > 0) ||
			    (kind == 3 && do_access(r, pid, addr, VMLAB_ACC_WRITE) > 0)) {
				/* the process was killed (out of memory): a new one takes the PID */
				oom++;
				{
					int i;

					for (i = 0; i < r->nmap; i++)
						if (r->map[i].pid == pid)
							r->map[i].trace_pid = -1;
				}
			}
		}
	}
	free(line);
	fclose(f);
	if (!status) {
		vmlab_vmstat(r->m, "pgfault", &pgfault);
		vmlab_vmstat(r->m, "pgmajfault", &pgmajfault);
		vmlab_vmstat(r->m, "pswpin", &pswpin);
		vmlab_vmstat(r->m, "pswpout", &pswpout);
		vmlab_tlb_stats(r->m, &t);
		if (o->json)
			fprintf(out, "{\"accesses\": %llu, \"pgfault\": %llu, \"pgmajfault\": %llu, "
				     "\"pswpin\": %llu, \"pswpout\": %llu, \"tlb_hit\": %llu, \"tlb_miss\": "
				     "%llu, \"tlb_walk\": %llu, \"processes\": %d, \"implicit_mappings\": %llu, "
				     "\"sigsegv\": %llu, \"oom_kill\": %llu}\n",
				(unsigned long long)r->accesses, (unsigned long long)pgfault,
				(unsigned long long)pgmajfault, (unsigned long long)pswpin,
				(unsigned long long)pswpout, (unsigned long long)t.hits,
				(unsigned long long)t.misses, (unsigned long long)t.walks, r->nmap,
				(unsigned long long)r->implicit_maps, (unsigned long long)r->sigsegv,
				(unsigned long long)oom);
		else
			fprintf(out, "accesses %llu\npgfault %llu\npgmajfault %llu\npswpin %llu\npswpout %llu\n"
				     "tlb_hit %llu\ntlb_miss %llu\ntlb_walk %llu\nprocesses %d\n"
				     "implicit_mappings %llu\nsigsegv %llu\noom_kill %llu\n",
				(unsigned long long)r->accesses, (unsigned long long)pgfault,
				(unsigned long long)pgmajfault, (unsigned long long)pswpin,
				(unsigned long long)pswpout, (unsigned long long)t.hits,
				(unsigned long long)t.misses, (unsigned long long)t.walks, r->nmap,
				(unsigned long long)r->implicit_maps, (unsigned long long)r->sigsegv,
				(unsigned long long)oom);
	}
	vmlab_destroy(r->m);
	free(r);
	return status;
}
