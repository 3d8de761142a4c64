/* tests/fuzz/fuzz_vmscript.c - libFuzzer harness for the scenario parser and runner.
 * Every input is parsed; inputs that parse and stay small (RAM and swap <= 64 MiB, accesses
 * <= 1 MiB, at most 200 statements) also run with every invariant checker on. Nothing may
 * crash, leak, hang or trip a sanitizer. Built and run by `make fuzz` (or `make fuzz-vmscript`). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/vmscript.h"

static int small_enough(const struct vms_script *s)
{
	int i;

	if (s->cfg.ram > (64ull << 20) || s->cfg.swap > (64ull << 20) || s->n > 200)
		return 0;
	for (i = 0; i < s->n; i++) {
		const struct vms_stmt *st = &s->stmts[i];

		if ((st->op == VMS_TOUCH || st->op == VMS_LOAD || st->op == VMS_MMAP ||
		     st->op == VMS_MREMAP) && (st->len > (1u << 20) || st->len2 > (1u << 20)))
			return 0;
		if (st->op == VMS_STORE && st->data.len > (1u << 20))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_script s;
	char err[600];
	vmlab_run_opts_t o = {.check = 1, .quiet = 1};
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		return 0;
	if (!vms_parse_text("fuzz.vms", (const char *)data, size, &s, err, sizeof(err)) &&
	    small_enough(&s))
		vms_run(&s, &o, null, null);
	vms_free(&s);
	fclose(null);
	return 0;
}
