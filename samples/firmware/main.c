/* main.c: a small command interpreter. It runs a fixed script at boot (the
 * board has no input to wait for, so every run prints the same text), printing
 * integers and one float with printf and allocating with malloc, and returns 0,
 * which the startup code hands to exit(): qemu ends with that status.
 *
 * Commands: echo WORDS, add A B, mul A B, fact N, area R (a circle's, as a
 * float), alloc BYTES (a new block, numbered from 0), free N, heap (live blocks
 * and bytes, and the peak), exit STATUS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* picolibc's float-only printf (PICOLIBC_FLOAT_PRINTF_SCANF) takes a float
 * packed by printf_float(), not the double C's varargs promote it to; its
 * stdio.h defines the macro, the other C libraries need the plain cast */
#ifndef printf_float
#define printf_float(x) ((double)(x))
#endif

#define MAX_ARGS 4
#define MAX_BLOCKS 8

static const char *const script[] = {
	"echo ounce firmware sample",
	"add 40 2",
	"mul -7 6",
	"fact 10",
	"area 2",
	"alloc 24",
	"alloc 100",
	"alloc 512",
	"free 1",
	"alloc 64",
	"free 0",
	"alloc 100000",
	"heap",
	"frobnicate",
	"free 7",
	"exit 0",
};

static struct {
	void *p;
	size_t size;
} blocks[MAX_BLOCKS];
static int nblocks;
static size_t live_bytes, peak_bytes;

/* a decimal integer, with an optional sign; 0 on success */
static int
parse_long(const char *s, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	return *s == '\0' || *end != '\0';
}

static int
cmd_alloc(long size)
{
	if (nblocks == MAX_BLOCKS || size <= 0) {
		printf("alloc: no room\n");
		return 1;
	}
	void *p = malloc((size_t)size);
	if (!p) {
		/* more than the heap reservation: _sbrk said ENOMEM (in picolibc,
		 * errno is thread-local: this checks the startup set the block up) */
		printf("alloc: out of memory%s\n", errno == ENOMEM ? " (ENOMEM)" : "");
		return 1;
	}
	/* the block is really written, as a program would */
	memset(p, 0xa5, (size_t)size);
	blocks[nblocks].p = p;
	blocks[nblocks].size = (size_t)size;
	live_bytes += (size_t)size;
	if (live_bytes > peak_bytes) {
		peak_bytes = live_bytes;
	}
	printf("block %d: %ld bytes\n", nblocks++, size);
	return 0;
}

static int
cmd_free(long n)
{
	if (n < 0 || n >= nblocks || !blocks[n].p) {
		printf("free: no block %ld\n", n);
		return 1;
	}
	free(blocks[n].p);
	blocks[n].p = NULL;
	live_bytes -= blocks[n].size;
	printf("block %ld freed\n", n);
	return 0;
}

static void
cmd_heap(void)
{
	int live = 0;

	for (int i = 0; i < nblocks; i++) {
		live += blocks[i].p != NULL;
	}
	printf("heap: %d blocks live, %u bytes, peak %u\n", live, (unsigned)live_bytes,
	       (unsigned)peak_bytes);
}

/* one line of the script: the command's status, or -1 - STATUS for "exit" */
static int
run(const char *line)
{
	char buf[64];
	char *argv[MAX_ARGS];
	long a, b;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < MAX_ARGS; tok = strtok(NULL, " ")) {
		argv[argc++] = tok;
	}
	if (argc == 0) {
		return 0;
	}
	const char *cmd = argv[0];
	if (!strcmp(cmd, "echo")) {
		for (int i = 1; i < argc; i++) {
			printf(i > 1 ? " %s" : "%s", argv[i]);
		}
		printf("\n");
	} else if ((!strcmp(cmd, "add") || !strcmp(cmd, "mul")) && argc == 3 &&
		   !parse_long(argv[1], &a) && !parse_long(argv[2], &b)) {
		printf("%s %ld\n", cmd, cmd[0] == 'a' ? a + b : a * b);
	} else if (!strcmp(cmd, "fact") && argc == 2 && !parse_long(argv[1], &a) && a >= 0 &&
		   a <= 12) {
		unsigned long f = 1;

		for (long i = 2; i <= a; i++) {
			f *= (unsigned long)i;
		}
		printf("fact %lu\n", f);
	} else if (!strcmp(cmd, "area") && argc == 2 && !parse_long(argv[1], &a)) {
		float r = (float)a;

		printf("area %.3f\n", printf_float(3.14159265f * r * r));
	} else if (!strcmp(cmd, "alloc") && argc == 2 && !parse_long(argv[1], &a)) {
		return cmd_alloc(a);
	} else if (!strcmp(cmd, "free") && argc == 2 && !parse_long(argv[1], &a)) {
		return cmd_free(a);
	} else if (!strcmp(cmd, "heap") && argc == 1) {
		cmd_heap();
	} else if (!strcmp(cmd, "exit") && argc == 2 && !parse_long(argv[1], &a)) {
		return -1 - (int)a;
	} else {
		printf("unknown command: %s\n", line);
		return 1;
	}
	return 0;
}

int
main(void)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		int rc = run(script[i]);

		if (rc < 0) {
			printf("exit %d (%d commands failed)\n", -1 - rc, failed);
			return -1 - rc;
		}
		failed += rc != 0;
	}
	return 0;
}
