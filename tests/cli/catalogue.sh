#!/bin/sh
# The bad-input catalogue (docs/bad-input.md) and tests/bad/ agree: every malformed scenario
# is a row of the catalogue, and every file a scenario row names exists.
set -e
doc=docs/bad-input.md
[ -f "$doc" ] || { echo "no $doc"; exit 1; }
rc=0
for f in tests/bad/*.vms; do
	n=$(basename "$f" .vms)
	if ! grep -qE "(^|[^A-Za-z0-9-])$n([^A-Za-z0-9-]|$)" "$doc"; then
		echo "catalogue: $f is not in $doc"; rc=1
	fi
done
# the last column of the scenario table: comma-separated names of tests/bad files
for n in $(awk '/^## Scenario files/ { on = 1; next } /^## / { on = 0 }
	on && /^\| / && !/^\|---/ && !/invalid form/ { c = split($0, a, "|"); print a[c - 1] }' "$doc" | tr ',' ' '); do
	if [ ! -f "tests/bad/$n.vms" ]; then echo "catalogue: $doc names tests/bad/$n.vms, which does not exist"; rc=1; fi
done
exit $rc
