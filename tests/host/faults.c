/* tests/host/faults.c - the same access patterns as vmlab's scenarios, run on the host
 * kernel, printing the minor faults each one costs (getrusage deltas). tests/cli/host.sh
 * compares them with what vmlab predicts: "a scenario predicts what the real kernel does". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB (1024L * 1024)

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void touch(volatile char *p, long len, int write)
{
	long i;

	for (i = 0; i < len; i += 4096) {
		if (write)
			p[i] = 1;
		else
			(void)p[i];
	}
}

int main(int argc, char **argv)
{
	long before, len = 64 * MB;
	char *p;
	int fd;
	pid_t c;

	/* warm up libc paths so that their first-use faults are not counted below */
	before = minflt();
	(void)before;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, len, MADV_NOHUGEPAGE);
	before = minflt();
	touch(p, len, 1);
	printf("anon_write %ld\n", minflt() - before);
	munmap(p, len);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, len, MADV_NOHUGEPAGE);
	before = minflt();
	touch(p, len, 0);
	touch(p, len, 1);
	printf("anon_read_then_write %ld\n", minflt() - before);
	munmap(p, len);

	before = minflt();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	printf("populate_in_mmap %ld\n", minflt() - before);
	munmap(p, len);

	len = 16 * MB;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, len, MADV_NOHUGEPAGE);
	touch(p, len, 1);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		long r, w;

		before = minflt();
		touch(p, len, 0);
		r = minflt() - before;
		before = minflt();
		touch(p, len, 1);
		w = minflt() - before;
		printf("fork_child_reads %ld\nfork_child_writes %ld\n", r, w);
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	before = minflt();
	touch(p, len, 1);
	printf("fork_parent_writes_after_child_exit %ld\n", minflt() - before);
	munmap(p, len);

	/* shared anonymous memory: fault-around on a 64 KiB-aligned mapping */
	len = 256 * 1024;
	p = mmap((void *)0x7f0000000000L, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED) {
		touch(p, len, 1);
		fflush(stdout);
		c = fork();
		if (c == 0) {
			before = minflt();
			touch(p, len, 0);
			printf("shmem_child_reads_aligned %ld\n", minflt() - before);
			fflush(stdout);
			_exit(0);
		}
		waitpid(c, NULL, 0);
	}

	/* a cached file through a private read-only mapping, 64 KiB aligned */
	if (argc > 1 && (fd = open(argv[1], O_RDONLY)) >= 0) {
		len = 64 * MB;
		p = mmap((void *)0x7e0000000000L, len, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
		if (p != MAP_FAILED) {
			madvise(p, len, MADV_NOHUGEPAGE);
			touch(p, len, 0); /* bring it into the page cache */
			munmap(p, len);
			p = mmap((void *)0x7e0000000000L, len, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE,
				 fd, 0);
			madvise(p, len, MADV_NOHUGEPAGE);
			before = minflt();
			touch(p, len, 0);
			printf("file_cached_read_aligned %ld\n", minflt() - before);
		}
		close(fd);
	}
	return 0;
}
