/* sim/ldso.c - what glibc's dynamic loader (and a static glibc program's startup) does to the
 * address space, replayed through the system calls.
 *
 * No kernel twin: this models user space, glibc 2.36's ld.so (elf/rtld.c, elf/dl-load.c,
 * elf/dl-map-segments.h, elf/dl-deps.c, elf/dl-minimal-malloc.c, elf/dl-tls.c,
 * elf/dl-cache.c) as it runs between execve and main, and csu/libc-tls.c plus malloc's first
 * sbrk for static programs. Only what changes mappings is modelled:
 *
 *  - the libraries: DT_NEEDED in breadth-first order (_dl_map_object_deps), each found by
 *    DT_RPATH / DT_RUNPATH, /etc/ld.so.cache or the system directories (with the
 *    glibc-hwcaps subdirectories), and mapped as _dl_map_segments does: one mmap of the whole
 *    span with the first segment's protection, each later segment MAP_FIXED over it, the
 *    gaps of a library with holes left PROT_NONE, the partial bss page zeroed (a real write,
 *    with its fault) and the rest of the bss anonymous;
 *  - ld.so's own memory: the minimal malloc carves its data (link maps, search-path tables,
 *    version arrays, the static TLS block and the DTV) out of the rest of ld.so's last data
 *    page, then out of anonymous mmaps of the request rounded up plus one page; the sizes are
 *    those of glibc 2.36 on x86-64 (struct link_map 1192 bytes, struct pthread 2368, ...);
 *  - /etc/ld.so.cache mapped at the first cache lookup and unmapped before main;
 *  - PT_GNU_RELRO made read-only after relocation, and an executable stack when a library
 *    asks for one.
 *
 * ldso_prepare resolves and checks everything first (a missing or broken library fails the
 * exec before the point of no return); ldso_run replays the plan on the new address space.
 *
 * Simplifications (docs/simplifications.md): no relocation, symbol binding or constructors
 * (so none of the page faults they cause); LD_LIBRARY_PATH, LD_PRELOAD, /etc/ld.so.preload
 * and audit modules are ignored; the cache's glibc-hwcaps entries and the legacy hwcaps
 * subdirectories (tls, haswell, ...) are not used; the search-path tables have the sizes of
 * an x86-64-v4 CPU; whatever PT_INTERP names, it is modelled as glibc's ld.so.
 */
#include <stdlib.h>

#include "fs/binfmt_elf.h"

/* glibc 2.36, x86-64 */
#define LINK_MAP_SIZE 1192      /* sizeof (struct link_map) */
#define LIBNAME_LIST_SIZE 24    /* sizeof (struct libname_list) */
#define AUDIT_SPACE (16 * 16)   /* DL_NNS auditor slots of the executable's and vDSO's maps */
#define R_FOUND_VERSION_SIZE 24 /* sizeof (struct r_found_version) */
#define R_SEARCH_PATH_ELEM 40   /* sizeof (struct r_search_path_elem) */
#define NCAPSTR 19              /* hwcaps subdirectory strings on an x86-64-v4 CPU */
#define TLS_TCB_SIZE 2368       /* sizeof (struct pthread) */
#define TCB_ALIGNMENT 64
#define TLS_STATIC_SURPLUS 1664 /* _dl_tls_static_surplus_init: 4 namespaces, 512 optional */
#define TLS_STATIC_SURPLUS_STATIC 800 /* the same in a static program (1 namespace) */
#define TLS_SLOTINFO_SURPLUS 62
#define DTV_SURPLUS 14
#define MALLOC_ALIGNMENT 16
#define TOP_PAD (128ull << 10)  /* malloc's M_TOP_PAD default */
#define LD_SO_CACHE "/etc/ld.so.cache"
#define CACHE_MAGIC "glibc-ld.so.cache1.1"
#define CACHE_FLAGS_X8664 0x0303 /* FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */
#define CACHE_MAX (64ull << 20)
#define MAX_OBJECTS 1024

static const char *const system_dirs[] = { /* with the trailing slash, as ld.so keeps them */
	"/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/",
};
static const char *const hwcaps_dirs[] = {
	"glibc-hwcaps/x86-64-v4/", "glibc-hwcaps/x86-64-v3/", "glibc-hwcaps/x86-64-v2/", "",
};

/* One object of the link map list (struct link_map, the parts that matter here). */
struct ldso_obj {
	struct elf_file *ef;     /* its file (the program's and ld.so's belong to the bprm) */
	char *realname;          /* l_name: the path it was opened by */
	char **names;            /* l_libname: the names it was asked for (and its soname) */
	int nnames;
	struct ldso_obj *loader; /* l_loader: whose DT_NEEDED brought it */
	int rpath_done, runpath_done; /* cache_rpath ran (its tables were allocated) */
	char **rpath_dirs, **runpath_dirs; /* decomposed DT_RPATH / DT_RUNPATH (NULL: none) */
	int nrpath, nrunpath;
	uint64_t l_addr;         /* load bias once mapped */
	uint64_t tls_offset;     /* static TLS offset (TLS_TCB_AT_TP) */
	int tls_modid;           /* 0: no TLS */
};

enum { EV_ALLOC, EV_FREE_LAST, EV_CACHE, EV_LOAD };

struct ldso_event {
	int type;
	uint64_t size;           /* EV_ALLOC */
	struct ldso_obj *obj;    /* EV_LOAD */
};

struct ldso {
	struct ldso_obj *objs[MAX_OBJECTS]; /* [0] the program, then the libraries in load order */
	int nobjs;
	struct ldso_obj rtld;               /* ld.so itself (l_next-last) */
	struct ldso_obj *scope[MAX_OBJECTS + 2]; /* the search list (breadth first) */
	int nscope;
	struct ldso_event *ev;              /* the plan */
	int nev, capev;
	int cache_state;                    /* 0 not opened yet, 1 valid, -1 none */
	uint8_t *cache;                     /* its bytes (host copy) */
	uint64_t cache_size;
	char **all_dirs;                    /* GL(dl_all_dirs): directories with a search entry */
	int nall_dirs;
	int tls_modules;                    /* GL(dl_tls_max_dtv_idx) */
	int exec_stack;                     /* some object asks for an executable stack */
	int main_origin;                    /* the program's l_origin was computed */
	/* replay state */
	uint64_t alloc_ptr, alloc_end, alloc_last; /* the minimal malloc */
	uint64_t cache_addr, cache_len;     /* where the cache is mapped, and its length */
};

static int exec_fail_ldso(struct vmlab *m, int err);

/* ---- the plan ----------------------------------------------------------------------------- */

static int add_event(struct vmlab *m, struct ldso *ld, int type, uint64_t size, struct ldso_obj *o)
{
	if (ld->nev == ld->capev) {
		int c = ld->capev ? ld->capev * 2 : 64;
		struct ldso_event *n = realloc(ld->ev, sizeof(*n) * (size_t)c);

		if (!n)
			return exec_fail(m, -ENOMEM, "ld.so: out of memory");
		ld->ev = n;
		ld->capev = c;
	}
	ld->ev[ld->nev++] = (struct ldso_event){type, size, o};
	return 0;
}

static int alloc_ev(struct vmlab *m, struct ldso *ld, uint64_t size)
{
	return add_event(m, ld, EV_ALLOC, size, NULL);
}

static int add_name(struct ldso_obj *o, const char *name)
{
	char **n = realloc(o->names, sizeof(char *) * (size_t)(o->nnames + 1));

	if (!n)
		return -ENOMEM;
	o->names = n;
	if (!(n[o->nnames] = strdup(name)))
		return -ENOMEM;
	o->nnames++;
	return 0;
}

static int name_match(const struct ldso_obj *o, const char *name)
{
	int i;

	if (o->realname && !strcmp(o->realname, name))
		return 1;
	for (i = 0; i < o->nnames; i++)
		if (!strcmp(o->names[i], name))
			return 1;
	return 0;
}

/* ---- /etc/ld.so.cache --------------------------------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static const char *cache_str(const struct ldso *ld, uint32_t off)
{
	if (off >= ld->cache_size || !memchr(ld->cache + off, 0, ld->cache_size - off))
		return NULL;
	return (const char *)ld->cache + off;
}

/* _dl_load_cache_lookup: reads the cache the first time (ld.so mmaps it then, which the plan
 * records); returns the path of the first x86-64 entry for name (NULL: none). */
static const char *cache_lookup(struct vmlab *m, struct ldso *ld, const char *name, int *err)
{
	uint32_t nlibs, i;

	*err = 0;
	if (ld->cache_state == 0) {
		struct file *f;

		ld->cache_state = -1;
		if (!exec_open(m, LD_SO_CACHE, 0, &f)) {
			uint64_t size = f->f_inode->i_size;

			*err = add_event(m, ld, EV_CACHE, size, NULL);
			if (!*err && size >= 48 && size <= CACHE_MAX && (ld->cache = malloc(size)) &&
			    filemap_read(m, f, ld->cache, size, 0) == (int64_t)size &&
			    !memcmp(ld->cache, CACHE_MAGIC, strlen(CACHE_MAGIC))) {
				ld->cache_size = size;
				nlibs = rd32(ld->cache + 20);
				if ((uint64_t)nlibs * 24 <= size - 48)
					ld->cache_state = 1;
			}
			file_put(m, f);
			if (*err)
				return NULL;
		}
	}
	if (ld->cache_state != 1)
		return NULL;
	nlibs = rd32(ld->cache + 20);
	for (i = 0; i < nlibs; i++) {
		const uint8_t *e = ld->cache + 48 + (uint64_t)i * 24;
		const char *key, *value;
		uint64_t hwcap;

		memcpy(&hwcap, e + 16, 8);
		if (rd32(e) != CACHE_FLAGS_X8664 || hwcap)
			continue;
		key = cache_str(ld, rd32(e + 4));
		value = cache_str(ld, rd32(e + 8));
		if (key && value && !strcmp(key, name))
			return value;
	}
	return NULL;
}

/* ---- searching ------------------------------------------------------------------------------ */

static int dir_known(struct ldso *ld, const char *dir)
{
	int i;

	for (i = 0; i < ld->nall_dirs; i++)
		if (!strcmp(ld->all_dirs[i], dir))
			return 1;
	return 0;
}

/* The directory of an object (l_origin): its path without the last component. */
static void origin_of(const struct ldso_obj *o, const char *exec_path, char *out, size_t n)
{
	char real[ELF_PATH_MAX];
	const char *p = o->realname && o->realname[0] ? o->realname : exec_path, *slash;

	/* the program's origin comes from /proc/self/exe: the resolved path */
	if (p == exec_path && realpath(exec_path, real))
		p = real;
	slash = strrchr(p, '/');

	if (!slash)
		snprintf(out, n, ".");
	else if (slash == p)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - p), p);
}

#define DST_LIB "lib/x86_64-linux-gnu"
#define DST_PLATFORM "haswell"

/* is_dst: the length of the token name at s ("$" already skipped: ORIGIN, {ORIGIN}, ...) and
 * its value in *value (NULL for $ORIGIN), or 0. */
static size_t is_dst(const char *s, const char **value)
{
	static const struct {
		const char *name, *value;
	} tok[] = {{"ORIGIN", NULL}, {"LIB", DST_LIB}, {"PLATFORM", DST_PLATFORM}};
	int braced = s[0] == '{';
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tok); i++) {
		size_t len = strlen(tok[i].name);
		const char *n = s + braced, c = n[len];

		if (strncmp(n, tok[i].name, len))
			continue;
		if (braced ? c != '}' : (c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
					 (c >= '0' && c <= '9')))
			continue;
		*value = tok[i].value;
		return len + (braced ? 2 : 0);
	}
	return 0;
}

/* expand_dynamic_string_token: the string with $ORIGIN, $LIB and $PLATFORM replaced; returns
 * how many tokens it had. */
static int expand_dst(const char *in, const char *origin, char *out, size_t n)
{
	size_t o = 0;
	int cnt = 0;

	while (*in && o + 1 < n) {
		const char *value;
		size_t len = in[0] == '$' ? is_dst(in + 1, &value) : 0;

		if (len) {
			o += (size_t)snprintf(out + o, n - o, "%s", value ? value : origin);
			in += 1 + len;
			cnt++;
		} else {
			out[o++] = *in++;
		}
		if (o >= n)
			o = n - 1;
	}
	out[MIN(o, n - 1)] = 0;
	return cnt;
}

/* decompose_rpath + fillin_rpath: the search directories of a DT_RPATH/DT_RUNPATH string,
 * with the minimal-malloc traffic they cause: a copy of the string, the result array, then
 * for each directory its expanded name (strdup, or DL_DST_REQUIRED bytes with tokens) and,
 * unless the directory is known already, a search-path entry (which keeps the name with a
 * trailing slash and the object's name). The program's own origin is looked up (and
 * allocated) the first time one of its tokens needs it. */
static int decompose_rpath(struct vmlab *m, struct ldso *ld, struct ldso_obj *o, const char *path,
			   const char *exec_path, char ***dirs, int *ndirs)
{
	char origin[ELF_PATH_MAX], buf[ELF_PATH_MAX];
	const char *p = path;
	size_t where = strlen(o->realname ? o->realname : "") + 1, dst_len;
	int nelems = 0, err;

	for (; *p; p++)
		nelems += *p == ':';
	err = alloc_ev(m, ld, strlen(path) + 1);                  /* copy = strdup (rpath) */
	err = err ? err : alloc_ev(m, ld, (uint64_t)(nelems + 2) * 8); /* the result array */
	if (err)
		return err;
	*dirs = calloc((size_t)nelems + 2, sizeof(char *));
	if (!*dirs)
		return exec_fail(m, -ENOMEM, "ld.so: out of memory");
	origin_of(o, exec_path, origin, sizeof(origin));
	dst_len = MAX(MAX(strlen(origin), strlen(DST_PLATFORM)), strlen(DST_LIB));
	for (p = path;;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char piece[ELF_PATH_MAX];
		int cnt;

		snprintf(piece, sizeof(piece), "%.*s", (int)MIN(len, sizeof(piece) - 1), p);
		if (!piece[0])
			goto next;
		cnt = expand_dst(piece, origin, buf, sizeof(buf));
		if (cnt && o == ld->objs[0] && !ld->main_origin) {
			ld->main_origin = 1; /* _dl_get_origin: readlink of /proc/self/exe */
			err = alloc_ev(m, ld, strlen(origin) + 1);
			if (err)
				return err;
		}
		err = alloc_ev(m, ld, cnt ? strlen(piece) + (uint64_t)cnt * (dst_len - 4) + 1
					  : strlen(piece) + 1);
		if (err)
			return err;
		len = strlen(buf);
		if (!len) {
			err = add_event(m, ld, EV_FREE_LAST, 0, NULL); /* free (to_free) */
			if (err)
				return err;
			goto next;
		}
		while (len > 1 && buf[len - 1] == '/')
			buf[--len] = 0;
		if (buf[len - 1] != '/' && len + 1 < sizeof(buf)) {
			buf[len++] = '/';
			buf[len] = 0;
		}
		if (dir_known(ld, buf)) {
			err = add_event(m, ld, EV_FREE_LAST, 0, NULL); /* free (to_free): the last block */
		} else {
			char **n = realloc(ld->all_dirs, sizeof(char *) * (size_t)(ld->nall_dirs + 1));

			if (!n)
				return exec_fail(m, -ENOMEM, "ld.so: out of memory");
			ld->all_dirs = n;
			if (!(n[ld->nall_dirs] = strdup(buf)))
				return exec_fail(m, -ENOMEM, "ld.so: out of memory");
			ld->nall_dirs++;
			err = alloc_ev(m, ld, R_SEARCH_PATH_ELEM + NCAPSTR * 4 + where + len + 1);
		}
		if (err)
			return err;
		if (!((*dirs)[(*ndirs)++] = strdup(buf)))
			return exec_fail(m, -ENOMEM, "ld.so: out of memory");
next:
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

/* Tries dir/[glibc-hwcaps subdirectory/]name for each dir: the first compatible ELF shared
 * object wins; files of another class or machine are skipped as open_verify skips them. */
static int open_path(struct vmlab *m, char **dirs, int ndirs, const char *name,
		     struct elf_file **out, int *other_class)
{
	char path[ELF_PATH_MAX];
	int i, k, err;

	for (i = 0; i < ndirs; i++)
		for (k = 0; k < (int)ARRAY_SIZE(hwcaps_dirs); k++) {
			struct elf_file *ef;
			struct file *f;

			if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dirs[i], hwcaps_dirs[k], name) >=
			    sizeof(path))
				continue;
			if (exec_open(m, path, 0, &f))
				continue;
			file_put(m, f);
			err = elf_open_lib(m, path, &ef);
			if (!err) {
				*out = ef;
				return 0;
			}
			if (err == -ELIBBAD && (strstr(m->exec_err, "wrong ELF class") ||
						strstr(m->exec_err, "is not x86-64"))) {
				*other_class = 1; /* open_verify: found_other_class, search on */
				continue;
			}
			return err;
		}
	return -ENOENT;
}

/* _dl_map_object for a DT_NEEDED name of `loader`: an object already loaded under that name
 * (or soname), else the search. Appends a new object (and the events of loading it). */
static int map_object(struct vmlab *m, struct ldso *ld, struct ldso_obj *loader, const char *name,
		      const char *exec_path, struct ldso_obj **out)
{
	struct elf_file *ef = NULL;
	char path[ELF_PATH_MAX];
	struct ldso_obj *o, *all[MAX_OBJECTS + 1];
	int i, n = 0, err = -ENOENT, other_class = 0;

	for (i = 0; i < ld->nobjs; i++)
		all[n++] = ld->objs[i];
	all[n++] = &ld->rtld;
	for (i = 0; i < n; i++) {
		o = all[i];
		if (name_match(o, name)) {
			*out = o;
			return 0;
		}
		if (o->ef->soname && !strcmp(o->ef->soname, name)) {
			/* a match on a new name: add_name_to_object records it */
			if (add_name(o, name))
				return exec_fail(m, -ENOMEM, "ld.so: out of memory");
			err = alloc_ev(m, ld, LIBNAME_LIST_SIZE + strlen(name) + 1);
			*out = o;
			return err;
		}
	}
	if (ld->nobjs >= MAX_OBJECTS)
		return exec_fail(m, -ENOMEM, "ld.so: more than %d objects", MAX_OBJECTS);
	if (strchr(name, '/')) {
		char origin[ELF_PATH_MAX];

		origin_of(loader, exec_path, origin, sizeof(origin));
		(void)expand_dst(name, origin, path, sizeof(path));
		err = elf_open_lib(m, path, &ef);
	} else {
		struct ldso_obj *l;
		int did_main = 0;

		if (!loader->ef->runpath) {
			/* DT_RPATH of the loader, its loader, ..., then of the program */
			for (l = loader; l && err == -ENOENT; l = l->loader) {
				if (!l->rpath_done && l->ef->rpath) {
					l->rpath_done = 1;
					err = decompose_rpath(m, ld, l, l->ef->rpath, exec_path, &l->rpath_dirs,
							      &l->nrpath);
					if (err)
						return err;
					err = -ENOENT;
				}
				if (l->nrpath)
					err = open_path(m, l->rpath_dirs, l->nrpath, name, &ef, &other_class);
				did_main |= l == ld->objs[0];
			}
			if (err == -ENOENT && !did_main && ld->objs[0]->nrpath)
				err = open_path(m, ld->objs[0]->rpath_dirs, ld->objs[0]->nrpath, name, &ef,
						&other_class);
		} else {
			if (!loader->runpath_done) {
				loader->runpath_done = 1;
				err = decompose_rpath(m, ld, loader, loader->ef->runpath, exec_path,
						      &loader->runpath_dirs, &loader->nrunpath);
				if (err)
					return err;
				err = -ENOENT;
			}
			err = open_path(m, loader->runpath_dirs, loader->nrunpath, name, &ef, &other_class);
		}
		if (err == -ENOENT && !(loader->ef->flags_1 & DF_1_NODEFLIB)) {
			const char *c = cache_lookup(m, ld, name, &err);

			if (err)
				return err;
			err = -ENOENT;
			if (c) {
				snprintf(path, sizeof(path), "%s", c);
				err = elf_open_lib(m, path, &ef);
			}
		}
		if (err == -ENOENT && !(loader->ef->flags_1 & DF_1_NODEFLIB))
			err = open_path(m, (char **)system_dirs, (int)ARRAY_SIZE(system_dirs), name, &ef,
					&other_class);
		if (!err)
			snprintf(path, sizeof(path), "%s", ef->name);
	}
	if (err == -ENOENT)
		return exec_fail(m, -ENOENT, "ld.so: %s (needed by %s): cannot open shared object file: %s",
				 name, loader->realname && loader->realname[0] ? loader->realname : exec_path,
				 other_class ? "wrong ELF class or machine" : "No such file or directory");
	if (err)
		return exec_fail_ldso(m, err);
	err = elf_read_dynamic(m, ef);
	if (err) {
		elf_close(m, ef);
		return exec_fail_ldso(m, err);
	}
	o = calloc(1, sizeof(*o));
	if (!o || !(o->realname = strdup(path)) || add_name(o, name)) {
		if (o)
			free(o->realname);
		free(o);
		elf_close(m, ef);
		return exec_fail(m, -ENOMEM, "ld.so: out of memory");
	}
	o->ef = ef;
	o->loader = loader;
	ld->objs[ld->nobjs++] = o;
	/* the cache's (or open_path's) copy of the name, the link map, l_origin */
	err = alloc_ev(m, ld, strlen(path) + 1);
	err = err ? err : alloc_ev(m, ld, LINK_MAP_SIZE + 8 + LIBNAME_LIST_SIZE + strlen(name) + 1);
	err = err ? err : alloc_ev(m, ld, strlen(path) + 1);
	err = err ? err : add_event(m, ld, EV_LOAD, 0, o);
	*out = o;
	return err;
}

/* Marks the reason recorded so far as ld.so's. */
static int exec_fail_ldso(struct vmlab *m, int err)
{
	char old[sizeof(m->exec_err)];

	if (!strncmp(m->exec_err, "ld.so: ", 7))
		return err;
	memcpy(old, m->exec_err, sizeof(old));
	memcpy(m->exec_err, "ld.so: ", 7);
	memcpy(m->exec_err + 7, old, sizeof(old) - 7);
	m->exec_err[sizeof(m->exec_err) - 1] = 0;
	return err;
}

void ldso_free(struct vmlab *m, struct ldso *ld)
{
	int i, k;
	struct ldso_obj *o;

	if (!ld)
		return;
	for (i = 0; i <= ld->nobjs; i++) {
		o = i < ld->nobjs ? ld->objs[i] : &ld->rtld;
		if (i > 0 && i < ld->nobjs)
			elf_close(m, o->ef);
		for (k = 0; k < o->nnames; k++)
			free(o->names[k]);
		for (k = 0; k < o->nrpath; k++)
			free(o->rpath_dirs[k]);
		for (k = 0; k < o->nrunpath; k++)
			free(o->runpath_dirs[k]);
		free(o->names);
		free(o->rpath_dirs);
		free(o->runpath_dirs);
		free(o->realname);
		if (i > 0 && i < ld->nobjs)
			free(o);
	}
	if (ld->nobjs)
		free(ld->objs[0]);
	for (i = 0; i < ld->nall_dirs; i++)
		free(ld->all_dirs[i]);
	free(ld->all_dirs);
	free(ld->cache);
	free(ld->ev);
	free(ld);
}

/* TLS: modids in load order (the program first), _dl_determine_tlsoffset's static layout.
 * Returns dl_tls_static_size. */
static uint64_t tls_layout(struct ldso *ld)
{
	uint64_t offset = 0, freetop = 0, freebottom = 0, max_align = TCB_ALIGNMENT;
	int i;

	ld->tls_modules = 0;
	for (i = 0; i < ld->nobjs; i++) {
		struct ldso_obj *l = ld->objs[i];
		const Elf64_Phdr *t = l->ef->tls;
		uint64_t align, firstbyte, off, size;

		if (!t || !t->p_memsz)
			continue;
		l->tls_modid = ++ld->tls_modules;
		align = t->p_align ? t->p_align : 1;
		size = t->p_memsz;
		firstbyte = (-(t->p_vaddr & (align - 1))) & (align - 1);
		max_align = MAX(max_align, align);
		if (freebottom - freetop >= size) {
			off = (freetop + size - firstbyte + align - 1) / align * align + firstbyte;
			if (off <= freebottom) {
				freetop = off;
				l->tls_offset = off;
				continue;
			}
		}
		off = (offset + size - firstbyte + align - 1) / align * align + firstbyte;
		if (off > offset + size + (freebottom - freetop)) {
			freetop = offset;
			freebottom = off - size;
		}
		offset = off;
		l->tls_offset = off;
	}
	return (offset + TLS_STATIC_SURPLUS + max_align - 1) / max_align * max_align + TLS_TCB_SIZE;
}

/* ---- STB_GNU_UNIQUE symbols ---------------------------------------------------------------- */

#define STB_UNIQUE 10          /* STB_GNU_UNIQUE */
#define MAX_DYNSYM (1u << 22)
#define UNIQUE_SYM_SIZE 32     /* sizeof (struct unique_sym) */
#define RELA_CHUNK 4096        /* relocations read at a time */

/* A set of names (open addressing, FNV-1a), each with the binding of the definition that a
 * lookup finds and, separately, of the one a copy relocation finds (which skips the program). */
struct name_set {
	const char **name;
	signed char *found, *found_copy; /* STB_* of the first definition, -1 none */
	uint8_t *inserted;               /* already in ld.so's unique table */
	uint64_t cap, n;
};

/* FNV-1a over the length and at most the first and last 16 bytes (C++ names are long and
 * differ at both ends; strcmp settles collisions). */
static uint64_t fnv(const char *s)
{
	size_t n = strlen(s), i;
	uint64_t h = 14695981039346656037ull ^ n;

	for (i = 0; i < n && i < 16; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	for (i = n > 32 ? n - 16 : MIN(n, (size_t)16); i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

/* The slot of name: its own, or the empty one where it would go. */
static uint64_t ns_slot(const struct name_set *ns, const char *name)
{
	uint64_t i = fnv(name) & (ns->cap - 1);

	while (ns->name[i] && strcmp(ns->name[i], name))
		i = (i + 1) & (ns->cap - 1);
	return i;
}

static int ns_add(struct name_set *ns, const char *name)
{
	uint64_t i;

	if ((ns->n + 1) * 2 > ns->cap) {
		struct name_set b = {0};
		uint64_t k;

		b.cap = ns->cap ? ns->cap * 2 : 256;
		b.name = calloc(b.cap, sizeof(*b.name));
		b.found = malloc(b.cap);
		b.found_copy = malloc(b.cap);
		b.inserted = calloc(b.cap, 1);
		if (!b.name || !b.found || !b.found_copy || !b.inserted) {
			free(b.name);
			free(b.found);
			free(b.found_copy);
			free(b.inserted);
			return -ENOMEM;
		}
		for (k = 0; k < ns->cap; k++)
			if (ns->name[k]) {
				uint64_t j = ns_slot(&b, ns->name[k]);

				b.name[j] = ns->name[k];
				b.found[j] = ns->found[k];
				b.found_copy[j] = ns->found_copy[k];
			}
		b.n = ns->n;
		free(ns->name);
		free(ns->found);
		free(ns->found_copy);
		free(ns->inserted);
		*ns = b;
	}
	i = ns_slot(ns, name);
	if (!ns->name[i]) {
		ns->name[i] = name;
		ns->found[i] = ns->found_copy[i] = -1;
		ns->n++;
	}
	return 0;
}

/* The number of dynamic symbols: DT_HASH's nchain, or the end of DT_GNU_HASH's last chain. */
static uint64_t dynsym_count(struct vmlab *m, struct elf_file *ef)
{
	uint32_t h[4], i, maxb = 0, b, c;

	if (ef->hash && !elf_read_vaddr(m, ef, ef->hash, h, 8))
		return MIN(h[1], MAX_DYNSYM);
	if (!ef->gnu_hash || elf_read_vaddr(m, ef, ef->gnu_hash, h, 16) || h[0] > MAX_DYNSYM ||
	    h[2] > MAX_DYNSYM)
		return 0;
	for (i = 0; i < h[0]; i++) {
		if (elf_read_vaddr(m, ef, ef->gnu_hash + 16 + (uint64_t)h[2] * 8 + (uint64_t)i * 4, &b, 4))
			return 0;
		maxb = MAX(maxb, b);
	}
	if (maxb < h[1])
		return h[1];
	for (i = maxb; i < MAX_DYNSYM; i++) {
		if (elf_read_vaddr(m, ef, ef->gnu_hash + 16 + (uint64_t)h[2] * 8 + (uint64_t)h[0] * 4 +
						  (uint64_t)(i - h[1]) * 4, &c, 4))
			return 0;
		if (c & 1)
			return i + 1;
	}
	return 0;
}

/* The dynamic symbols of an object (host memory, caller frees), or NULL (none readable). */
static Elf64_Sym *read_dynsym(struct vmlab *m, struct elf_file *ef, uint64_t *n)
{
	Elf64_Sym *sym;

	*n = ef->symtab && ef->strtab ? dynsym_count(m, ef) : 0;
	if (!*n || !(sym = malloc(*n * sizeof(*sym))))
		return NULL;
	if (elf_read_vaddr(m, ef, ef->symtab, sym, *n * sizeof(*sym))) {
		free(sym);
		return NULL;
	}
	return sym;
}

static const char *sym_name(const struct elf_file *ef, const Elf64_Sym *s)
{
	if (s->st_name >= ef->strsz || !memchr(ef->strtab + s->st_name, 0, ef->strsz - s->st_name))
		return NULL;
	return ef->strtab + s->st_name;
}

/* Visible definitions: defined, not local, not hidden or internal. */
static int sym_defines(const Elf64_Sym *s)
{
	unsigned bind = ELF64_ST_BIND(s->st_info), vis = ELF64_ST_VISIBILITY(s->st_other);

	return s->st_shndx != SHN_UNDEF && bind != STB_LOCAL && vis != STV_HIDDEN &&
	       vis != STV_INTERNAL;
}

/* do_lookup_unique's table: relocation looks up symbols; each distinct one whose definition
 * (the first in the search list) is STB_GNU_UNIQUE enters a table of 31 entries of 32 bytes
 * (calloc), grown to the next prime (61, 127, 251 ...) once it is three quarters full. Only
 * the startup relocations count (DT_RELA, and DT_JMPREL when bound now). Simplification:
 * symbol versions are not compared when finding the definition. */
static int unique_symbols(struct vmlab *m, struct ldso *ld)
{
	static const uint64_t primes[] = {31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381,
					  32749, 65521, 131071};
	struct name_set ns = {0};
	Elf64_Rela *rel = NULL;
	Elf64_Sym **syms = calloc((size_t)ld->nscope, sizeof(*syms));
	uint32_t **slot_of = calloc((size_t)ld->nscope, sizeof(*slot_of)); /* slot + 1, 0: none */
	uint64_t *nsyms = calloc((size_t)ld->nscope, sizeof(*nsyms)), count = 0, size = 0, i, k;
	int o, err = 0, p;

	if (!syms || !nsyms || !slot_of) {
		err = exec_fail(m, -ENOMEM, "ld.so: out of memory");
		goto out;
	}
	/* the names some object defines as unique */
	for (o = 0; o < ld->nscope; o++) {
		struct elf_file *ef = ld->scope[o]->ef;

		syms[o] = read_dynsym(m, ef, &nsyms[o]);
		for (i = 0; syms[o] && i < nsyms[o] && !err; i++)
			if (sym_defines(&syms[o][i]) && ELF64_ST_BIND(syms[o][i].st_info) == STB_UNIQUE &&
			    sym_name(ef, &syms[o][i]))
				err = ns_add(&ns, sym_name(ef, &syms[o][i]));
	}
	if (err || !ns.n)
		goto out;
	/* which symbols carry such a name; the first definition of each in the search list (and
	 * the first that skips the program, for copy relocations) */
	for (o = 0; o < ld->nscope; o++) {
		if (syms[o] && !(slot_of[o] = calloc(nsyms[o], sizeof(uint32_t)))) {
			err = exec_fail(m, -ENOMEM, "ld.so: out of memory");
			goto out;
		}
		for (i = 0; syms[o] && i < nsyms[o]; i++) {
			const char *name;
			uint64_t slot;

			if (ELF64_ST_BIND(syms[o][i].st_info) == STB_LOCAL ||
			    !(name = sym_name(ld->scope[o]->ef, &syms[o][i])))
				continue;
			slot = ns_slot(&ns, name);
			if (!ns.name[slot])
				continue;
			slot_of[o][i] = (uint32_t)slot + 1;
			if (!sym_defines(&syms[o][i]))
				continue;
			if (ns.found[slot] < 0)
				ns.found[slot] = (signed char)ELF64_ST_BIND(syms[o][i].st_info);
			if (o > 0 && ns.found_copy[slot] < 0)
				ns.found_copy[slot] = (signed char)ELF64_ST_BIND(syms[o][i].st_info);
		}
	}
	/* the startup relocations of every object, read a chunk at a time */
	rel = malloc(RELA_CHUNK * sizeof(*rel));
	if (!rel) {
		err = exec_fail(m, -ENOMEM, "ld.so: out of memory");
		goto out;
	}
	for (o = 0; o < ld->nscope; o++) {
		struct elf_file *ef = ld->scope[o]->ef;
		uint64_t part[2][2] = {{ef->rela, ef->relasz}, {ef->jmprel, ef->bind_now ? ef->pltrelsz : 0}};

		for (p = 0; p < 2 && syms[o]; p++)
			for (k = 0; k < part[p][1] / sizeof(*rel) && k < (64ull << 20) / sizeof(*rel); k++) {
				const Elf64_Rela *r = &rel[k % RELA_CHUNK];
				uint64_t si, slot;
				int copy;

				if (!(k % RELA_CHUNK) &&
				    elf_read_vaddr(m, ef, part[p][0] + k * sizeof(*rel), rel,
						   MIN((uint64_t)RELA_CHUNK, part[p][1] / sizeof(*rel) - k) *
							   sizeof(*rel)))
					break;
				si = ELF64_R_SYM(r->r_info);
				if (!si || si >= nsyms[o] || !slot_of[o][si])
					continue; /* local, or not a name some object defines as unique */
				slot = slot_of[o][si] - 1;
				copy = ELF64_R_TYPE(r->r_info) == R_X86_64_COPY;
				if (ns.inserted[slot] ||
				    (copy ? ns.found_copy[slot] : ns.found[slot]) != STB_UNIQUE)
					continue;
				ns.inserted[slot] = 1;
				/* enter_unique_sym, growing the table first when it is 3/4 full */
				if (!count) {
					size = 0;
					err = alloc_ev(m, ld, primes[0] * UNIQUE_SYM_SIZE);
				} else if (primes[size] * 3 <= count * 4 && size + 1 < ARRAY_SIZE(primes)) {
					size++;
					err = alloc_ev(m, ld, primes[size] * UNIQUE_SYM_SIZE);
				}
				if (err)
					goto out;
				count++;
			}
	}
out:
	for (o = 0; syms && o < ld->nscope; o++)
		free(syms[o]);
	for (o = 0; slot_of && o < ld->nscope; o++)
		free(slot_of[o]);
	free(slot_of);
	free(syms);
	free(nsyms);
	free(rel);
	free(ns.name);
	free(ns.found);
	free(ns.found_copy);
	free(ns.inserted);
	return err;
}

/* The entries _dlfo_process_initial gives the program: none when its PT_LOADs follow each
 * other page by page (l_contiguous), else one for each. */
static uint64_t main_find_entries(const struct elf_file *ef)
{
	uint64_t expected = 0, n = 0;
	int i, contiguous = 1;

	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &ef->phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		n++;
		if (expected && expected != (ph->p_vaddr & PAGE_MASK))
			contiguous = 0;
		expected = PAGE_ALIGN(ph->p_vaddr + ph->p_memsz);
	}
	return contiguous ? 0 : n;
}

static int in_scope(const struct ldso *ld, const struct ldso_obj *o)
{
	int i;

	for (i = 0; i < ld->nscope; i++)
		if (ld->scope[i] == o)
			return 1;
	return 0;
}

int ldso_prepare(struct vmlab *m, struct linux_binprm *bprm, struct ldso **out)
{
	struct ldso *ld;
	struct ldso_obj *main_map;
	int i, k, err, nlist;
	uint64_t static_size;
	const char *interp = bprm->exec->interp_path;

	*out = NULL;
	ld = calloc(1, sizeof(*ld));
	main_map = calloc(1, sizeof(*main_map));
	if (!ld || !main_map) {
		free(ld);
		free(main_map);
		return exec_fail(m, -ENOMEM, "ld.so: out of memory");
	}
	main_map->ef = bprm->exec;
	main_map->realname = strdup("");
	ld->objs[ld->nobjs++] = main_map;
	ld->rtld.ef = bprm->interp;
	ld->rtld.realname = strdup(interp);
	if (!main_map->realname || !ld->rtld.realname || add_name(&ld->rtld, interp)) {
		ldso_free(m, ld);
		return exec_fail(m, -ENOMEM, "ld.so: out of memory");
	}
	ld->all_dirs = calloc(ARRAY_SIZE(system_dirs), sizeof(char *));
	for (i = 0; ld->all_dirs && i < (int)ARRAY_SIZE(system_dirs); i++)
		if ((ld->all_dirs[i] = strdup(system_dirs[i])))
			ld->nall_dirs++;
	if (ld->nall_dirs != (int)ARRAY_SIZE(system_dirs)) {
		ldso_free(m, ld);
		return exec_fail(m, -ENOMEM, "ld.so: out of memory");
	}
	err = elf_read_dynamic(m, bprm->exec);
	err = err ? err : elf_read_dynamic(m, bprm->interp);
	if (err)
		goto fail;
	if (bprm->interp->soname && strcmp(bprm->interp->soname, interp) &&
	    add_name(&ld->rtld, bprm->interp->soname)) {
		err = exec_fail(m, -ENOMEM, "ld.so: out of memory");
		goto fail;
	}
	/* dl_main: the program's link map, the vDSO's, then _dl_init_paths (hwcaps, the system
	 * directories, the program's RUNPATH or RPATH) */
	err = alloc_ev(m, ld, LINK_MAP_SIZE + AUDIT_SPACE + 8 + LIBNAME_LIST_SIZE + 1);
	err = err ? err : alloc_ev(m, ld, LINK_MAP_SIZE + AUDIT_SPACE + 8 + LIBNAME_LIST_SIZE + 1);
	err = err ? err : alloc_ev(m, ld, 48);  /* compute_priorities (glibc-hwcaps) */
	err = err ? err : alloc_ev(m, ld, 451); /* _dl_important_hwcaps: the subdirectory strings */
	err = err ? err : alloc_ev(m, ld, (ARRAY_SIZE(system_dirs) + 1) * 8);
	err = err ? err : alloc_ev(m, ld, ARRAY_SIZE(system_dirs) *
					      ((2 * R_SEARCH_PATH_ELEM - 1 + NCAPSTR * 4) /
					       R_SEARCH_PATH_ELEM) * R_SEARCH_PATH_ELEM);
	if (err)
		goto fail;
	if (bprm->exec->runpath) {
		main_map->runpath_done = 1;
		err = decompose_rpath(m, ld, main_map, bprm->exec->runpath, bprm->filename,
				      &main_map->runpath_dirs, &main_map->nrunpath);
	} else if (bprm->exec->rpath) {
		main_map->rpath_done = 1;
		err = decompose_rpath(m, ld, main_map, bprm->exec->rpath, bprm->filename,
				      &main_map->rpath_dirs, &main_map->nrpath);
	}
	if (err)
		goto fail;
	/* _dl_map_object_deps: breadth first, each object's DT_NEEDED in order */
	{
		struct ldso_obj **list = ld->scope;

		nlist = 0;
		list[nlist++] = main_map;
		for (i = 0; i < nlist; i++) {
			struct ldso_obj *l = list[i];

			for (k = 0; k < l->ef->nneeded; k++) {
				struct ldso_obj *dep = NULL;
				int j, seen = 0;

				err = map_object(m, ld, l, l->ef->needed[k], bprm->filename, &dep);
				if (err)
					goto fail;
				for (j = 0; j < nlist; j++)
					seen |= list[j] == dep;
				if (!seen) {
					if (nlist >= MAX_OBJECTS + 1) {
						err = exec_fail(m, -ENOMEM, "ld.so: too many objects");
						goto fail;
					}
					list[nlist++] = dep;
				}
			}
			/* every library's dependency list (l_ldnum counts its dynamic entries: any
			 * library has some), even with no DT_NEEDED; not the program's, not ld.so's */
			if (l != main_map && l != &ld->rtld) {
				err = alloc_ev(m, ld, (uint64_t)(2 * (l->ef->nneeded + 1) + 1) * 8);
				if (err)
					goto fail;
			}
		}
		ld->nscope = nlist;
		err = alloc_ev(m, ld, (uint64_t)(2 * nlist + 1) * 8); /* the search list */
		if (err)
			goto fail;
	}
	/* _dl_check_all_versions, in the order of the link map chain: the program, the vDSO
	 * (LINUX_2.6: index 2), then the search list, where dl_main put ld.so back in its place */
	for (i = 0; i <= ld->nscope && !err; i++) {
		unsigned high = i == 0 ? main_map->ef->ver_high : i == 1 ? 2 : ld->scope[i - 1]->ef->ver_high;

		if (high)
			err = alloc_ev(m, ld, (uint64_t)(high + 1) * R_FOUND_VERSION_SIZE);
	}
	if (!err && !in_scope(ld, &ld->rtld) && ld->rtld.ef->ver_high)
		err = alloc_ev(m, ld, (uint64_t)(ld->rtld.ef->ver_high + 1) * R_FOUND_VERSION_SIZE);
	if (err)
		goto fail;
	/* init_tls: the slotinfo list, the static TLS block (with the TCB), the DTV */
	static_size = tls_layout(ld);
	err = alloc_ev(m, ld, 16 + (uint64_t)(ld->tls_modules + 1 + TLS_SLOTINFO_SURPLUS) * 16);
	err = err ? err : alloc_ev(m, ld, static_size + TCB_ALIGNMENT + 8);
	err = err ? err : alloc_ev(m, ld, (uint64_t)(ld->tls_modules + DTV_SURPLUS + 2) * 16);
	/* relocation: the table of STB_GNU_UNIQUE symbols (C++ libraries) */
	err = err ? err : unique_symbols(m, ld);
	/* _dl_find_object_init: an entry for ld.so, the vDSO and each library, and one for each
	 * PT_LOAD of a program whose segments are not contiguous (l_contiguous) */
	err = err ? err : alloc_ev(m, ld, 32 * ((uint64_t)ld->nobjs + 1 + main_find_entries(main_map->ef)));
	if (err)
		goto fail;
	/* a library without PT_GNU_STACK, or with PF_X in it, wants an executable stack */
	for (i = 1; i < ld->nobjs; i++)
		if (ld->objs[i]->ef->exec_stack != EXSTACK_DISABLE_X)
			ld->exec_stack = 1;
	*out = ld;
	return 0;
fail:
	ldso_free(m, ld);
	return exec_fail_ldso(m, err);
}

/* ---- the replay ------------------------------------------------------------------------------ */

/* __minimal_malloc: bump allocation; a request that does not fit mmaps its size rounded up to
 * pages plus one page. */
static int rtld_malloc(struct vmlab *m, struct task_struct *t, struct ldso *ld, uint64_t n)
{
	ld->alloc_ptr = (ld->alloc_ptr + MALLOC_ALIGNMENT - 1) & ~(uint64_t)(MALLOC_ALIGNMENT - 1);
	if (ld->alloc_ptr + n >= ld->alloc_end || n >= -ld->alloc_ptr) {
		uint64_t nup = PAGE_ALIGN(n) + PAGE_SIZE, page;
		int err = do_mmap(m, t, 0, nup, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
				  VMLAB_MAP_PRIVATE | VMLAB_MAP_ANONYMOUS, NULL, 0, &page);

		if (err)
			return err;
		if (page != ld->alloc_end)
			ld->alloc_ptr = page;
		ld->alloc_end = page + nup;
		if (unlikely(explaining(m)))
			explain_note(m, "ld.so: its minimal malloc needs %llu bytes: %llu pages at 0x%llx",
				     (unsigned long long)n, (unsigned long long)(nup >> PAGE_SHIFT),
				     (unsigned long long)page);
	}
	ld->alloc_last = ld->alloc_ptr;
	ld->alloc_ptr += n;
	return 0;
}

static int make_prot(uint32_t f)
{
	return ((f & PF_R) ? VMLAB_PROT_READ : 0) | ((f & PF_W) ? VMLAB_PROT_WRITE : 0) |
	       ((f & PF_X) ? VMLAB_PROT_EXEC : 0);
}

/* _dl_map_segments for one library (always ET_DYN). */
static int map_segments(struct vmlab *m, struct task_struct *t, struct ldso_obj *o)
{
	struct elf_file *ef = o->ef;
	struct mm_struct *mm = t->mm;
	const Elf64_Phdr *c[128], *first, *last;
	uint64_t maplength, align = 0, map_start, l_addr;
	int n = 0, i, err, has_holes = 0;

	for (i = 0; i < ef->ehdr.e_phnum; i++)
		if (ef->phdr[i].p_type == PT_LOAD) {
			if (n == (int)ARRAY_SIZE(c))
				return exec_fail(m, -ELIBBAD, "ld.so: %s: more than %zu PT_LOAD segments",
						 ef->name, ARRAY_SIZE(c));
			c[n++] = &ef->phdr[i];
		}
	if (!n)
		return exec_fail(m, -ELIBBAD, "ld.so: %s: no PT_LOAD segment", ef->name);
	first = c[0];
	last = c[n - 1];
	for (i = 0; i < n; i++) {
		if (i && PAGE_ALIGN(c[i - 1]->p_vaddr + c[i - 1]->p_filesz) != (c[i]->p_vaddr & PAGE_MASK))
			has_holes = 1;
		if (c[i]->p_align > align && !(c[i]->p_align & (c[i]->p_align - 1)))
			align = c[i]->p_align;
	}
	maplength = last->p_vaddr + last->p_memsz - (first->p_vaddr & PAGE_MASK);
	if (has_holes && (last->p_vaddr & PAGE_MASK) < PAGE_ALIGN(first->p_vaddr + first->p_filesz))
		return exec_fail(m, -ELIBBAD, "ld.so: %s: ELF load command address/offset not page-aligned",
				 ef->name);
	if (align <= PAGE_SIZE) {
		err = do_mmap(m, t, 0, maplength, make_prot(first->p_flags), VMLAB_MAP_PRIVATE, ef->file,
			      (first->p_offset & PAGE_MASK) >> PAGE_SHIFT, &map_start);
	} else {
		/* _dl_map_segment: reserve enough to align the start, map there, trim both ends */
		uint64_t maplen = maplength + align - PAGE_SIZE, res, aligned;

		err = do_mmap(m, t, 0, maplen, VMLAB_PROT_NONE, VMLAB_MAP_PRIVATE | VMLAB_MAP_ANONYMOUS,
			      NULL, 0, &res);
		if (!err) {
			aligned = (res + align - 1) & ~(align - 1);
			err = do_mmap(m, t, aligned, maplength, make_prot(first->p_flags),
				      VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, ef->file,
				      (first->p_offset & PAGE_MASK) >> PAGE_SHIFT, &map_start);
			if (!err && aligned > res)
				do_munmap(m, mm, res, aligned - res);
			if (!err && res + maplen > PAGE_ALIGN(aligned + maplength))
				do_munmap(m, mm, PAGE_ALIGN(aligned + maplength),
					  res + maplen - PAGE_ALIGN(aligned + maplength));
		}
	}
	if (err)
		return err;
	l_addr = map_start - (first->p_vaddr & PAGE_MASK);
	o->l_addr = l_addr;
	if (unlikely(explaining(m)))
		explain_note(m, "ld.so: %s (%s) mapped at 0x%llx, %d segments%s", o->names[0], ef->name,
			     (unsigned long long)map_start, n, has_holes ? ", holes made PROT_NONE" : "");
	if (has_holes) {
		uint64_t from = l_addr + PAGE_ALIGN(first->p_vaddr + first->p_filesz);

		err = do_mprotect(m, mm, from, l_addr + (last->p_vaddr & PAGE_MASK) - from, VMLAB_PROT_NONE);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		const Elf64_Phdr *ph = c[i];
		uint64_t mapstart = ph->p_vaddr & PAGE_MASK, mapend = PAGE_ALIGN(ph->p_vaddr + ph->p_filesz);
		uint64_t zero, zeroend, zeropage, addr;
		int prot = make_prot(ph->p_flags);

		if (i && mapend > mapstart) {
			err = do_mmap(m, t, l_addr + mapstart, mapend - mapstart, prot,
				      VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, ef->file,
				      (ph->p_offset & PAGE_MASK) >> PAGE_SHIFT, &addr);
			if (err)
				return err;
		}
		if (ph->p_memsz <= ph->p_filesz)
			continue;
		zero = l_addr + ph->p_vaddr + ph->p_filesz;
		zeroend = l_addr + ph->p_vaddr + ph->p_memsz;
		zeropage = PAGE_ALIGN(zero);
		if (zeroend < zeropage)
			zeropage = zeroend;
		if (zeropage > zero) {
			/* zero the rest of the last file page: a real write (and its fault) */
			if (!(prot & VMLAB_PROT_WRITE))
				do_mprotect(m, mm, zero & PAGE_MASK, PAGE_SIZE, prot | VMLAB_PROT_WRITE);
			err = copy_to_user(m, t, zero, NULL, zeropage - zero);
			if (!(prot & VMLAB_PROT_WRITE))
				do_mprotect(m, mm, zero & PAGE_MASK, PAGE_SIZE, prot);
			if (err)
				return err;
		}
		if (zeroend > zeropage) {
			err = do_mmap(m, t, zeropage, zeroend - zeropage, prot,
				      VMLAB_MAP_PRIVATE | VMLAB_MAP_ANONYMOUS | VMLAB_MAP_FIXED, NULL, 0, &addr);
			if (err)
				return err;
		}
	}
	return 0;
}

/* _dl_protect_relro: [l_addr + p_vaddr, l_addr + p_vaddr + p_memsz) read-only, both ends
 * rounded down to pages. */
static int protect_relro(struct vmlab *m, struct mm_struct *mm, const struct elf_file *ef,
			 uint64_t l_addr)
{
	uint64_t start, end;

	if (!ef->relro)
		return 0;
	start = (l_addr + ef->relro->p_vaddr) & PAGE_MASK;
	end = (l_addr + ef->relro->p_vaddr + ef->relro->p_memsz) & PAGE_MASK;
	return end > start ? do_mprotect(m, mm, start, end - start, VMLAB_PROT_READ) : 0;
}

/* _dl_make_stack_executable: mprotect with PROT_GROWSDOWN of the page at __libc_stack_end,
 * which covers the stack VMA from its start up to that page. */
static int make_stack_executable(struct vmlab *m, struct mm_struct *mm)
{
	struct vm_area_struct *vma = vma_lookup(mm, mm->start_stack);
	uint64_t end = (mm->start_stack & PAGE_MASK) + PAGE_SIZE;

	if (!vma || (vma->vm_flags & VM_EXEC))
		return 0;
	return do_mprotect(m, mm, vma->vm_start, end - vma->vm_start,
			   VMLAB_PROT_READ | VMLAB_PROT_WRITE | VMLAB_PROT_EXEC);
}

int ldso_run(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm, struct ldso *ld)
{
	struct mm_struct *mm = t->mm;
	const struct elf_file *rt = bprm->interp;
	uint64_t end = 0;
	int i, err = 0;

	/* the minimal malloc starts in the rest of ld.so's last data page */
	for (i = 0; i < rt->ehdr.e_phnum; i++)
		if (rt->phdr[i].p_type == PT_LOAD)
			end = MAX(end, rt->phdr[i].p_vaddr + rt->phdr[i].p_memsz);
	ld->rtld.l_addr = bprm->interp_base;
	ld->objs[0]->l_addr = bprm->load_bias;
	ld->alloc_ptr = bprm->interp_base + end;
	ld->alloc_end = PAGE_ALIGN(ld->alloc_ptr);
	for (i = 0; i < ld->nev && !err; i++) {
		const struct ldso_event *e = &ld->ev[i];

		switch (e->type) {
		case EV_ALLOC:
			err = rtld_malloc(m, t, ld, e->size);
			break;
		case EV_FREE_LAST:
			ld->alloc_ptr = ld->alloc_last; /* __minimal_free of the last block */
			break;
		case EV_CACHE: {
			struct file *f;

			/* _dl_sysdep_read_whole_file: the whole cache, read-only, private */
			if (!exec_open(m, LD_SO_CACHE, 0, &f)) {
				err = do_mmap(m, t, 0, e->size, VMLAB_PROT_READ, VMLAB_MAP_PRIVATE, f, 0,
					      &ld->cache_addr);
				ld->cache_len = e->size;
				file_put(m, f);
				if (!err && ld->cache_state != 1) {
					do_munmap(m, mm, ld->cache_addr, e->size); /* not a valid cache */
					ld->cache_addr = 0;
				}
			}
			break;
		}
		case EV_LOAD:
			err = map_segments(m, t, e->obj);
			break;
		}
	}
	if (err)
		return exec_fail_ldso(m, exec_fail(m, err, "%s: mapping the libraries failed (%s)",
						   bprm->filename, vmlab_errno_name(err)));
	/* relocation done: RELRO of each object (ld.so's last), then the cache goes */
	for (i = 0; i < ld->nobjs && !err; i++)
		err = protect_relro(m, mm, ld->objs[i]->ef, ld->objs[i]->l_addr);
	if (!err)
		err = protect_relro(m, mm, rt, ld->rtld.l_addr);
	if (!err && ld->exec_stack && bprm->exec->exec_stack != EXSTACK_ENABLE_X)
		err = make_stack_executable(m, mm);
	if (!err && ld->cache_addr)
		err = do_munmap(m, mm, ld->cache_addr, ld->cache_len);
	if (err)
		return exec_fail_ldso(m, exec_fail(m, err, "%s: protecting RELRO failed", bprm->filename));
	return 0;
}

/* A static glibc program's startup: __libc_setup_tls takes the TLS block with the TCB from
 * the break (_dl_early_allocate), then the first malloc (of ld.so's search paths, in
 * _dl_non_dynamic_init) moves it by 128 KiB of top pad plus a page, ending on a page
 * boundary; the RELRO segment becomes read-only. Programs without the GNU ABI note or
 * without TLS (not glibc: Free Pascal, Go, musl ...) get none of this. */
int libc_static_start(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm)
{
	const struct elf_file *ef = bprm->exec;
	uint64_t memsz = 0, align = TCB_ALIGNMENT, old, tls, heap;
	int err;

	if (!ef->glibc || !ef->tls)
		return 0; /* glibc's crt1 note and libc's TLS (errno, ...): else another runtime */
	if (ef->tls) {
		memsz = ef->tls->p_memsz;
		align = MAX(align, ef->tls->p_align);
	}
	tls = (memsz + TLS_STATIC_SURPLUS_STATIC + align - 1) / align * align + TLS_TCB_SIZE + align;
	err = do_brk(m, t, (int64_t)tls, &old);
	if (!err) {
		heap = PAGE_ALIGN(t->mm->brk + TOP_PAD + PAGE_SIZE);
		err = do_brk(m, t, (int64_t)(heap - t->mm->brk), &old);
	}
	if (!err)
		err = protect_relro(m, t->mm, ef, bprm->load_bias);
	if (err)
		return exec_fail(m, err, "%s: the C library's startup failed (%s)", bprm->filename,
				 vmlab_errno_name(err));
	return 0;
}
