/* sim/mrc.c - miss-ratio curves: LRU over every memory size in one pass, other policies by a
 * sweep of replays on several threads.
 *
 * No kernel twin. LRU is a stack algorithm (Mattson et al., 1970): an access hits in an LRU
 * memory of C pages exactly when its stack distance (1 + the distinct pages touched since the
 * last access to the same page) is at most C, so one histogram of stack distances gives the
 * misses at every size. The distance is counted with a Fenwick tree over access times: each
 * page's last access time holds a 1, so the pages touched since time s are the ones after s.
 * A page map (sim/pagemap.h) gives each page's last time. When the times run out of room the
 * live ones are renumbered 0..D-1 in order (compaction), so memory stays proportional to the
 * distinct pages D, and each access costs O(log D).
 *
 * --sample R is SHARDS (Waldspurger et al., FAST 2015), fixed rate: only pages whose hash
 * falls below R * 2^24 go through the tree, and a sampled distance d stands for d / R.
 *
 * Other policies have no such inclusion property; their curve is one replay a size
 * (resident_pages = size) through replay_sweep, one machine a thread.
 *
 * Entry point: vmlab_mrc.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pagemap.h"
#include "sim/trace.h"

#define MIN_TIMES (1u << 16) /* the fewest time slots the tree is built with */
#define NO_OWNER UINT32_MAX
#define SAMPLE_BITS 24

struct sd {
	struct pagemap map; /* page -> its last access time (the value) */
	uint32_t *tree;     /* Fenwick tree over times 1..cap: 1 at each page's last time */
	uint32_t *owner;    /* time -> map slot of the page whose last access it is, or NO_OWNER */
	uint64_t cap;       /* time slots */
	uint64_t now;       /* the next time */
	uint64_t live;      /* distinct pages (ones in the tree) */
	uint64_t *hist;     /* hist[d]: references at stack distance d (1-based) */
	uint64_t hist_cap;
	uint64_t cold;      /* first references */
	uint64_t refs;      /* references through the tree (sampled ones) */
	uint64_t accesses;  /* every access */
	uint64_t last_vpn;  /* the previous reference: distance 1 without touching the tree */
	uint32_t last_pid;
	int have_last;
	uint32_t threshold; /* sampling: hash below this (1 << SAMPLE_BITS: everything) */
};

static int sd_times(struct sd *s, uint64_t cap)
{
	uint32_t *tree = calloc(cap + 1, sizeof(*tree)), *owner = malloc(cap * sizeof(*owner));
	uint64_t i, k = 0;

	if (!tree || !owner) {
		free(tree);
		free(owner);
		return -1;
	}
	/* renumber the live times 0..live-1 in order */
	for (i = 0; i < s->now; i++)
		if (s->owner[i] != NO_OWNER) {
			s->map.e[s->owner[i]].val = (uint32_t)k;
			owner[k++] = s->owner[i];
		}
	for (i = k; i < cap; i++)
		owner[i] = NO_OWNER;
	/* a tree of k ones at 1..k: node i covers (i - lowbit(i), i] */
	for (i = 1; i <= cap; i++) {
		uint64_t lo = i - (i & (0 - i));

		tree[i] = (uint32_t)((i < k ? i : k) - (lo < k ? lo : k));
	}
	free(s->tree);
	free(s->owner);
	s->tree = tree;
	s->owner = owner;
	s->cap = cap;
	s->now = k;
	return 0;
}

static int sd_init(struct sd *s, double rate)
{
	memset(s, 0, sizeof(*s));
	s->threshold = rate > 0 && rate < 1 ? (uint32_t)ceil(rate * (1 << SAMPLE_BITS)) : 1u << SAMPLE_BITS;
	if (pagemap_init(&s->map))
		return -1;
	s->owner = malloc(sizeof(*s->owner));
	s->hist_cap = 1024;
	s->hist = calloc(s->hist_cap, sizeof(*s->hist));
	if (!s->owner || !s->hist)
		return -1;
	return sd_times(s, MIN_TIMES);
}

static void sd_free(struct sd *s)
{
	pagemap_free(&s->map);
	free(s->tree);
	free(s->owner);
	free(s->hist);
}

/* Pages whose times precede or equal time t (0-based). */
static inline uint64_t tree_prefix(const struct sd *s, uint64_t t)
{
	uint64_t i = t + 1, sum = 0;

	for (; i; i &= i - 1)
		sum += s->tree[i];
	return sum;
}

static inline void tree_add(struct sd *s, uint64_t t, int32_t v)
{
	uint64_t i = t + 1;

	for (; i <= s->cap; i += i & (0 - i))
		s->tree[i] += (uint32_t)v;
}

static inline uint64_t sample_hash(uint64_t vpn, uint32_t pid)
{
	uint64_t z = vpn ^ ((uint64_t)pid << 40) ^ 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One reference. 0, or -1 (host memory). */
static int sd_access(struct sd *s, uint64_t vpn, uint32_t pid)
{
	struct pagemap_ent *e;
	uint64_t slot, d;
	int grew;

	s->accesses++;
	if (s->threshold != 1u << SAMPLE_BITS &&
	    (sample_hash(vpn, pid) & ((1u << SAMPLE_BITS) - 1)) >= s->threshold)
		return 0;
	s->refs++;
	if (s->have_last && vpn == s->last_vpn && pid == s->last_pid) {
		s->hist[1]++; /* the most recent page stays where it is */
		return 0;
	}
	s->last_vpn = vpn;
	s->last_pid = pid;
	s->have_last = 1;
	if (s->now == s->cap && sd_times(s, 2 * s->live + MIN_TIMES))
		return -1;
	slot = pagemap_slot(&s->map, vpn, pid);
	if (s->map.e[slot].vpn == PAGEMAP_EMPTY) {
		if ((grew = pagemap_reserve(&s->map)) < 0)
			return -1;
		if (grew) {
			uint64_t i;

			for (i = 0; i <= s->map.mask; i++)
				if (s->map.e[i].vpn != PAGEMAP_EMPTY)
					s->owner[s->map.e[i].val] = (uint32_t)i;
			slot = pagemap_slot(&s->map, vpn, pid);
		}
		e = &s->map.e[slot];
		e->vpn = vpn;
		e->pid = pid;
		s->map.n++;
		s->live++;
		s->cold++;
		if (s->live >= s->hist_cap) {
			uint64_t *h = realloc(s->hist, 2 * s->hist_cap * sizeof(*h));

			if (!h)
				return -1;
			memset(h + s->hist_cap, 0, s->hist_cap * sizeof(*h));
			s->hist = h;
			s->hist_cap *= 2;
		}
	} else {
		e = &s->map.e[slot];
		d = s->live - tree_prefix(s, e->val) + 1;
		s->hist[d]++;
		tree_add(s, e->val, -1);
		s->owner[e->val] = NO_OWNER;
	}
	e->val = (uint32_t)s->now;
	s->owner[s->now] = (uint32_t)slot;
	tree_add(s, s->now, 1);
	s->now++;
	return 0;
}

/* ---- the curve --------------------------------------------------------------------------- */

struct point {
	uint64_t pages;
	uint64_t misses;
	double ratio;
};

/* The sizes to report: explicit, `points` evenly spaced up to max, or every size to max. */
static uint64_t *choose_sizes(const vmlab_mrc_opts_t *o, uint64_t max, unsigned dflt_points,
			      size_t *n)
{
	uint64_t *v, points;
	size_t i, k = 0;

	if (o->sizes && o->nsizes) {
		v = malloc(o->nsizes * sizeof(*v));
		if (v)
			memcpy(v, o->sizes, o->nsizes * sizeof(*v));
		*n = o->nsizes;
		return v;
	}
	if (max == 0)
		max = 1;
	points = o->points ? o->points : dflt_points ? dflt_points : max;
	if (points > max)
		points = max;
	v = malloc(points * sizeof(*v));
	for (i = 1; v && i <= points; i++) {
		uint64_t p = (uint64_t)((max * (unsigned __int128)i + points - 1) / points);

		if (!k || p != v[k - 1])
			v[k++] = p;
	}
	*n = k;
	return v;
}

static int write_csv(FILE *out, const struct point *p, size_t n)
{
	size_t i;

	fprintf(out, "pages,misses,miss_ratio\n");
	for (i = 0; i < n; i++)
		fprintf(out, "%llu,%llu,%.6f\n", (unsigned long long)p[i].pages,
			(unsigned long long)p[i].misses, p[i].ratio);
	return 0;
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

/* A step between ticks of about span/5: 1, 2 or 5 times a power of ten. */
static uint64_t tick_step(uint64_t span)
{
	uint64_t step = 1;

	while (step * 10 <= span / 5 + 1 && step < UINT64_MAX / 10)
		step *= 10;
	if (step * 5 <= span / 4)
		return step * 5;
	if (step * 2 <= span / 4)
		return step * 2;
	return step;
}

/* The top of the miss-ratio axis: the highest ratio rounded up to 1, 2 or 5 times a power
 * of ten (at most 1). */
static double ratio_top(const struct point *p, size_t n)
{
	double top = 0, step = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].ratio > top)
			top = p[i].ratio;
	if (top <= 0 || top >= 0.5)
		return 1;
	while (step / 10 >= top && step > 1e-9)
		step /= 10;
	/* now top is in (step / 10, step] */
	if (top <= step / 5)
		return step / 5;
	if (top <= step / 2)
		return step / 2;
	return step;
}

/* A hand-written plot: miss ratio (0 to the axis top) against memory size in pages. Same
 * input, same bytes: coordinates are printed with one decimal, and nothing depends on the
 * time. */
static void write_svg(FILE *f, const struct point *p, size_t n, const char *title,
		      const char *policy)
{
	const double W = 640, H = 400, L = 70, R = 20, T = 40, B = 50;
	const double pw = W - L - R, ph = H - T - B;
	uint64_t xmax = 1, step, x;
	double lastx = -1, top = ratio_top(p, n);
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		if (p[i].pages > xmax)
			xmax = p[i].pages;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		   "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
	fprintf(f, "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">", L + pw / 2);
	xml_text(f, title);
	fprintf(f, " (");
	xml_text(f, policy);
	fprintf(f, ")</text>\n");
	/* axes, grid and ticks */
	fprintf(f, "<g stroke=\"#ccc\">\n");
	for (k = 0; k <= 4; k++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L, T + ph * k / 4,
			L + pw, T + ph * k / 4);
	fprintf(f, "</g>\n<g text-anchor=\"end\">\n");
	for (k = 0; k <= 4; k++)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%.4g</text>\n", L - 6, T + ph * k / 4 + 4,
			top * (1.0 - k / 4.0));
	fprintf(f, "</g>\n<g text-anchor=\"middle\">\n");
	step = tick_step(xmax);
	for (x = 0; x <= xmax; x += step) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%llu</text>\n", L + pw * (double)x / (double)xmax,
			T + ph + 18, (unsigned long long)x);
		if (x > UINT64_MAX - step)
			break;
	}
	fprintf(f, "</g>\n");
	fprintf(f, "<path d=\"M%.1f %.1fV%.1fH%.1f\" fill=\"none\" stroke=\"black\"/>\n", L, T, T + ph,
		L + pw);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">memory (pages)</text>\n",
		L + pw / 2, H - 12);
	fprintf(f, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">"
		   "miss ratio</text>\n", T + ph / 2, T + ph / 2);
	/* the curve: at most one point a tenth of a pixel */
	fprintf(f, "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.5\" points=\"");
	for (i = 0; i < n; i++) {
		double px = L + pw * (double)p[i].pages / (double)xmax;
		double py = T + ph * (1.0 - (p[i].ratio > top ? 1 : p[i].ratio / top));

		px = floor(px * 10 + 0.5) / 10;
		if (px == lastx && i + 1 < n && p[i + 1].pages != p[i].pages &&
		    floor((L + pw * (double)p[i + 1].pages / (double)xmax) * 10 + 0.5) / 10 == px)
			continue;
		fprintf(f, "%s%.1f,%.1f", i ? " " : "", px, py);
		lastx = px;
	}
	fprintf(f, "\"/>\n</svg>\n");
}

/* ---- the passes ---------------------------------------------------------------------------- */

static int lru_pass(const char *path, const vmlab_mrc_opts_t *o, struct sd *s, char *msg,
		    size_t msgsz, FILE *perr)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct progress pr;
	vmlab_trace_t *t;
	size_t n, i;
	int status = 0;

	if (sd_init(s, o->sample) || !b) {
		free(b);
		snprintf(msg, msgsz, "vmlab: %s: out of memory", path);
		return -1;
	}
	if (trace_open(path, -1, o->replay.format, &t, msg, msgsz)) {
		free(b);
		return -1;
	}
	progress_start(&pr, perr != NULL, "mrc");
	while (!status && (n = batch_read(t, b)) > 0) {
		const vmlab_trace_rec_t *rec = b->rec;

		for (i = 0; i < n; i++) {
			uint64_t a[4], last = rec[i].addr + rec[i].size - 1;
			uint8_t k[4];
			int c, j;

			if (last >= TRACE_USER_END || last < rec[i].addr) {
				snprintf(msg, msgsz, "%s:%llu: error: address outside user space (0x%llx)", path,
					 (unsigned long long)batch_line(b, i), (unsigned long long)rec[i].addr);
				status = -1;
				break;
			}
			if (likely(rec[i].kind != VMLAB_ACC_MODIFY && !((last ^ rec[i].addr) >> 12))) {
				if (sd_access(s, rec[i].addr >> 12, rec[i].pid))
					status = -1;
				continue;
			}
			c = trace_expand(&rec[i], a, k);
			for (j = 0; j < c; j++)
				if (sd_access(s, a[j] >> 12, rec[i].pid))
					status = -1;
		}
		if (status && !*msg)
			snprintf(msg, msgsz, "vmlab: %s: out of memory", path);
		progress_tick(&pr, t, s->accesses, perr);
	}
	progress_end(&pr, perr);
	if (!status && vmlab_trace_error(t)) {
		snprintf(msg, msgsz, "%s", vmlab_trace_error(t));
		status = -1;
	}
	vmlab_trace_close(t);
	free(b);
	return status;
}

/* The LRU curve from the histogram at the chosen sizes. */
static int lru_curve(const vmlab_mrc_opts_t *o, const struct sd *s, struct point **pts, size_t *np)
{
	double rate = (double)s->threshold / (double)(1u << SAMPLE_BITS);
	uint64_t max = o->max ? o->max : (uint64_t)ceil((double)s->live / rate - 1e-9);
	uint64_t *sizes, *above, d;
	size_t n, i;

	sizes = choose_sizes(o, max, 0, &n);
	/* above[d] = references with distance > d, plus the cold ones */
	above = malloc((s->live + 2) * sizeof(*above));
	*pts = calloc(n ? n : 1, sizeof(**pts));
	if (!sizes || !above || !*pts) {
		free(sizes);
		free(above);
		free(*pts);
		return -1;
	}
	above[s->live + 1] = s->cold;
	for (d = s->live + 1; d > 0; d--)
		above[d - 1] = above[d] + (d <= s->live ? s->hist[d] : 0);
	for (i = 0; i < n; i++) {
		/* a sampled distance d stands for d / rate: a miss at size C when d > C * rate */
		double t = rate < 1 ? floor((double)sizes[i] * rate + 1e-9) : (double)sizes[i];
		uint64_t th = t > (double)s->live ? s->live : (uint64_t)t;
		uint64_t miss = above[th];

		(*pts)[i].pages = sizes[i];
		(*pts)[i].ratio = s->refs ? (double)miss / (double)s->refs : 0;
		(*pts)[i].misses = rate < 1 ? (uint64_t)floor((*pts)[i].ratio * (double)s->accesses + 0.5)
					    : miss;
	}
	*np = n;
	free(sizes);
	free(above);
	return 0;
}

/* Distinct pages of the trace (the default largest size of a sweep). */
static int count_pages(const char *path, const vmlab_mrc_opts_t *o, uint64_t *pages, char *msg,
		       size_t msgsz)
{
	vmlab_mrc_opts_t one = *o;
	struct sd s;
	int rc;

	one.sample = 0;
	rc = lru_pass(path, &one, &s, msg, msgsz, NULL);
	*pages = s.live;
	sd_free(&s);
	return rc;
}

static int sweep_curve(const char *path, const vmlab_mrc_opts_t *o, struct point **pts,
		       size_t *np, char *msg, size_t msgsz)
{
	vmlab_replay_opts_t ro = o->replay;
	struct next_use nu = {0};
	vmlab_config_t base, *cfgs = NULL;
	struct replay_counters *res = NULL;
	uint64_t max = o->max, *sizes = NULL;
	size_t n = 0, i;
	int status = -1;

	if (!ro.policy)
		ro.policy = "lru";
	ro.progress = 0;
	if (replay_config(&ro, &base, msg, msgsz))
		return -1;
	if (!strcmp(path, "-")) {
		snprintf(msg, msgsz, "vmlab: mrc with a sweep reads the trace once a size: it needs a file");
		return -1;
	}
	if (!max && !(o->sizes && o->nsizes) && count_pages(path, o, &max, msg, msgsz))
		goto out;
	sizes = choose_sizes(o, max, 20, &n);
	cfgs = calloc(n ? n : 1, sizeof(*cfgs));
	res = calloc(n ? n : 1, sizeof(*res));
	*pts = calloc(n ? n : 1, sizeof(**pts));
	if (!sizes || !cfgs || !res || !*pts) {
		snprintf(msg, msgsz, "vmlab: %s: out of memory", path);
		goto out;
	}
	for (i = 0; i < n; i++) {
		cfgs[i] = base;
		cfgs[i].resident_pages = sizes[i];
		if (!ro.swap)
			replay_default_swap(&cfgs[i]);
		/* Without --ram, each machine gets room for its resident pages and the kernel's. */
		if (!ro.ram) {
			uint64_t want = (64ull << 20) + sizes[i] * 4096 / 4 * 5;

			want = (want + (2ull << 20) - 1) & ~((2ull << 20) - 1);
			if (want > cfgs[i].ram)
				cfgs[i].ram = want;
		}
	}
	{
		/* a machine that rejects the settings fails before any (long) pass over the trace */
		vmlab_t *m;

		if (replay_create(&cfgs[0], &m)) {
			snprintf(msg, msgsz, "vmlab: %s: the machine rejects --policy %s with a resident "
				 "limit (a bad value)", path, base.policy);
			goto out;
		}
		vmlab_destroy(m);
	}
	if (!strcmp(base.policy, "opt") && next_use_compute(path, &ro, &nu, msg, msgsz))
		goto out;
	if (replay_sweep(path, &ro, cfgs, n, o->threads, &nu, res, msg, msgsz))
		goto out;
	for (i = 0; i < n; i++) {
		(*pts)[i].pages = sizes[i];
		(*pts)[i].misses = res[i].pgfault;
		(*pts)[i].ratio = res[i].accesses ? (double)res[i].pgfault / (double)res[i].accesses : 0;
	}
	*np = n;
	status = 0;
out:
	if (status) {
		free(*pts);
		*pts = NULL;
	}
	next_use_free(&nu);
	free(sizes);
	free(cfgs);
	free(res);
	return status;
}

int vmlab_mrc(const char *path, const vmlab_mrc_opts_t *o, FILE *out, FILE *err)
{
	char msg[TRACE_MSG] = "";
	const char *policy;
	struct point *pts = NULL;
	size_t n = 0;
	int status;

	if (!path || !o || !out || !err)
		return 2;
	policy = o->replay.policy ? o->replay.policy : "lru";
	if (o->sample < 0 || o->sample > 1) {
		fprintf(err, "vmlab: --sample must be above 0 and at most 1\n");
		return 2;
	}
	if (o->sample > 0 && o->sample < 1 && (strcmp(policy, "lru") || o->sweep)) {
		fprintf(err, "vmlab: --sample is for the one-pass LRU curve only\n");
		return 2;
	}
	if (!strcmp(policy, "lru") && !o->sweep) {
		struct sd s;

		status = lru_pass(path, o, &s, msg, sizeof(msg), o->replay.progress ? err : NULL);
		if (!status && lru_curve(o, &s, &pts, &n)) {
			snprintf(msg, sizeof(msg), "vmlab: %s: out of memory", path);
			status = -1;
		}
		sd_free(&s);
	} else {
		status = sweep_curve(path, o, &pts, &n, msg, sizeof(msg));
	}
	if (status) {
		fprintf(err, "%s\n", msg);
		free(pts);
		return 2;
	}
	write_csv(out, pts, n);
	if (o->svg)
		write_svg(o->svg, pts, n, o->svg_title ? o->svg_title : path, policy);
	free(pts);
	return 0;
}
