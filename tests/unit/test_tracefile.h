/* tests/unit/test_tracefile.h - writing a trace file for the trace tests (test_trace.c,
 * test_trace_ring.c): records through vmlab's trace writer in any format, zstd or not. */
#ifndef VMLAB_TEST_TRACEFILE_H
#define VMLAB_TEST_TRACEFILE_H
#include <stdio.h>

#include "include/vmlab.h"

/* Writes r[0..n) to path: 0, or -1 when the file or the writer failed. */
static inline int test_write_trace(const char *path, int format, int zstd,
				   const vmlab_trace_rec_t *r, size_t n)
{
	FILE *f = fopen(path, "wb");
	vmlab_trace_writer_t *w;
	size_t i;
	int rc;

	if (!f)
		return -1;
	if (vmlab_trace_writer_open(f, path, format, zstd, &w, NULL)) {
		fclose(f);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (vmlab_trace_write(w, &r[i]))
			break;
	rc = vmlab_trace_writer_close(w, NULL);
	fclose(f);
	return rc ? -1 : 0;
}
#endif
