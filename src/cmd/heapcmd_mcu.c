/* heapcmd_mcu.c: `ounce heap mcu-source`: prints the heap tracer for bare-metal
 * firmware (data/ounce-heaptrace-mcu.c, installed as DATADIR/ounce/data/), which
 * writes a log that `ounce heap stats|pools|replay` read like a Linux one. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/heapcmd.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "os/os_linux.h"
#include "base/banned.h"

/* the tracer, relative to ounce's data directory (os_data_dir) */
#define MCU_SOURCE "data/ounce-heaptrace-mcu.c"

static const char usage[] =
	"usage: ounce heap mcu-source [--path] > heaptrace.c\n"
	"Print the heap tracer for bare-metal firmware: a C file to build into it and\n"
	"link with -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc; its\n"
	"log (over semihosting, or a RAM buffer a debugger dumps) is read by stats,\n"
	"pools and replay. Its comment lists its options.\n"
	"  --path           print the installed file's path instead\n";

int
heapcmd_mcu_source(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"path", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	struct buf b = BUF_INIT;
	bool path_only = false;
	char *data, *path;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path_only = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	data = os_data_dir();
	if (!data) {
		return 1;
	}
	path = xasprintf("%s/%s", data, MCU_SOURCE);
	free(data);
	if (fs_read_file(path, &b) < 0) {
		rc = 1;
	} else {
		if (path_only) {
			puts(path);
		} else {
			fwrite(b.s, 1, b.len, stdout);
		}
		if (ferror(stdout) || fflush(stdout) != 0) {
			error_errno("cannot write to stdout");
			rc = 1;
		}
	}
	buf_release(&b);
	free(path);
	return rc;
}
