#!/bin/sh
# Runs every benchmark of bench/ RUNS times (default 5) and prints the median of each figure
# as a Markdown table, with the machine and the command; BENCH_WRITE=1 also rewrites the
# results section of BENCHMARKS.md.
BUILD=${1:-build}
RUNS=${RUNS:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	i=0
	while [ $i -lt "$RUNS" ]; do
		"$b" >> "$tmp/all" || exit 1
		i=$((i+1))
	done
done
{
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
	echo "Command: make bench (RUNS=$RUNS, medians), $(date -u +%Y-%m-%d)"
	echo
	echo "| benchmark | median | unit | runs |"
	echo "|---|---:|---|---:|"
	grep -v '^#' "$tmp/all" | awk '{ v[$1] = v[$1] " " $2; u[$1] = $3; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
	END { for (i = 1; i <= n; i++) { k = order[i]; c = split(v[k], a, " ");
		for (x = 1; x <= c; x++) for (y = x + 1; y <= c; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
		med = (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2;
		printf "| %s | %s | %s | %d |\n", k, med, u[k], c } }'
} > "$tmp/table"
cat "$tmp/table"
if [ "${BENCH_WRITE:-0}" = 1 ] && [ -f BENCHMARKS.md ]; then
	awk -v table="$tmp/table" '/^<!-- results -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/^<!-- end results -->/ { skip = 0 } !skip' BENCHMARKS.md > "$tmp/b" && cp "$tmp/b" BENCHMARKS.md
fi
