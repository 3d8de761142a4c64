/* sim/vmscript.h - the scenario language: parsed statements and the runner.
 * The language is specified in ../shared/spec/vmscript.md and docs/vmscript.md. The parser
 * reads a whole file into statements first (any error stops before anything runs); the
 * runner executes them through the public API only (include/vmlab.h). */
#ifndef VMLAB_SIM_VMSCRIPT_H
#define VMLAB_SIM_VMSCRIPT_H

#include <stdint.h>
#include <stdio.h>

#include "include/vmlab.h"

#define VMS_NAME_MAX 64
#define VMS_DATA_MAX (1ull << 30) /* strings and fills are capped at 1 GiB */

enum vms_op {
	VMS_MACHINE, VMS_SPAWN, VMS_MMAP, VMS_MUNMAP, VMS_MPROTECT, VMS_MREMAP, VMS_MSYNC,
	VMS_BRK, VMS_MADVISE, VMS_STORE, VMS_LOAD, VMS_TOUCH, VMS_FORK, VMS_EXEC, VMS_EXIT,
	VMS_SHOW, VMS_EXPECT, VMS_DROP_CACHES, VMS_ECHO,
	VMS_MLOCK, VMS_MUNLOCK, VMS_OOM_ADJ, VMS_CGROUP, VMS_CGROUP_JOIN,
};

#define VMS_MAX_SETS 8

/* One KEY=VALUE of a cgroup statement (memory.max=64M, ...). */
struct vms_set {
	char key[24];
	uint64_t value; /* bytes, or VMLAB_CGROUP_MAX for "max" */
};

/* An address: a number, or a variable (possibly `stack`) plus an offset. */
struct vms_addr {
	char var[VMS_NAME_MAX]; /* empty for a plain number */
	uint64_t off;           /* the number, or the offset from var (two's complement) */
};

/* Bytes to store or compare: a string (bytes) or a fill (byte repeated len times). */
struct vms_data {
	uint8_t *bytes; /* malloc'd string bytes, NULL for a fill */
	uint64_t len;   /* length in bytes */
	int fill;       /* the fill byte when bytes is NULL */
};

struct vms_stmt {
	int line;                  /* 1-based line in the file */
	char *text;                /* the statement as written (for explain mode) */
	enum vms_op op;
	char proc[VMS_NAME_MAX];   /* the process (NAME:), or the spawned/forked name */
	char var[VMS_NAME_MAX];    /* VAR = ... target, or "" */
	char child[VMS_NAME_MAX];  /* fork's child */
	struct vms_addr addr;      /* first address operand */
	struct vms_addr addr2;     /* fixed= */
	uint64_t len, len2;        /* lengths */
	int64_t delta;             /* brk */
	int prot, flags, advice, kind;
	int has_fixed;
	struct vms_data data;      /* store / load == */
	int has_data;
	char *path;                /* exec path, file= path (malloc'd) */
	char **args;               /* exec: argv[1..] (malloc'd strings) */
	int nargs;
	uint64_t offset;           /* offset= */
	/* show */
	char what[32];
	/* cgroup NAME [parent=P] [memory.KEY=VALUE ...]; NAME: cgroup G */
	char group[VMS_NAME_MAX];
	char parent[VMS_NAME_MAX];
	struct vms_set sets[VMS_MAX_SETS];
	int nsets;
	int create;                /* the group's first statement: create it */
	int64_t adj;               /* oom_score_adj */
	/* expect */
	char lhs_obj[VMS_NAME_MAX]; /* process name, "meminfo", "vmstat", "tlb" */
	char lhs_key[VMS_NAME_MAX];
	int cmp;                    /* 0 == 1 != 2 < 3 <= 4 > 5 >= */
	uint64_t value;
	/* -> SIGSEGV / SIGBUS / ERRNO */
	int want_signal;            /* 0, VMLAB_SIGSEGV, VMLAB_SIGBUS */
	int want_errno;             /* 0 or a negative errno */
};

struct vms_script {
	char *path;                /* as given */
	struct vms_stmt *stmts;
	int n, cap;
	vmlab_config_t cfg;        /* from the machine statement */
	int machine_line;          /* line of the machine statement, 0 if none */
};

/* Parses a whole file. 0 on success; otherwise writes "FILE:LINE: error: ..." (one line, no
 * newline) into err and returns -1. */
int vms_parse_file(const char *path, struct vms_script *s, char *err, size_t errsz);
/* Parses text already in memory (for tests); name is used in messages. */
int vms_parse_text(const char *name, const char *text, size_t len, struct vms_script *s,
		   char *err, size_t errsz);
void vms_free(struct vms_script *s);
/* Runs a parsed script (vmlab_run_script without the parse); returns the exit status. */
int vms_run(struct vms_script *s, const vmlab_run_opts_t *opts, FILE *out, FILE *err);

#endif
