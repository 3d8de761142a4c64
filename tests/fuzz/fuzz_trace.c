/* tests/fuzz/fuzz_trace.c - libFuzzer on the trace readers (sim/trace*.c): any bytes, read
 * as each format (raw or zstd: readers decide by the magic), must end cleanly or with a
 * message, never crash or read out of bounds. make fuzz-trace FUZZ_SECONDS=600 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "include/vmlab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vmlab_trace_rec_t r[64];
	uint64_t lines[64];
	int format;

	if (size < 1)
		return 0;
	for (format = VMLAB_TRACE_AUTO; format <= VMLAB_TRACE_VMT; format++) {
		int fd = memfd_create("trace", 0);
		vmlab_trace_t *t;
		size_t k, total = 0;

		if (fd < 0)
			return 0;
		if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
			close(fd);
			return 0;
		}
		if (vmlab_trace_fdopen(fd, "fuzz", format, &t, NULL))
			continue; /* a failed open closes fd too */
		while ((k = vmlab_trace_read(t, r, (data[0] & 1) ? lines : NULL, 1 + data[0] % 64)) > 0)
			total += k;
		(void)total;
		(void)vmlab_trace_error(t);
		vmlab_trace_close(t);
	}
	return 0;
}
