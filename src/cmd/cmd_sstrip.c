/* cmd_sstrip.c: `ounce sstrip FILE...`: drop the section header table and the
 * bytes no segment covers (the sstrip profile's post-link step). */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>

#include "base/log.h"
#include "elf/sstrip.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce sstrip [options] FILE...\n"
	"Remove the section header table of each ELF executable or shared library, and\n"
	"every byte after the end of its last segment, in place (after strip --strip-all,\n"
	"that is the non-allocated sections strip keeps). The program still runs;\n"
	"objdump, gdb, strip and readelf -S can no longer see its sections.\n"
	"  -q, --quiet   do not print the bytes removed\n";

int
cmd_sstrip(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool quiet = false;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		long long before = 0, after = 0;

		switch (sstrip_file(argv[i], &before, &after)) {
		case SSTRIP_DONE:
			if (quiet) {
				break;
			}
			if (before == after) {
				info("sstrip '%s': nothing to remove (%lld bytes)", argv[i], after);
			} else {
				info("sstrip '%s': %lld -> %lld bytes (-%lld)", argv[i], before,
				     after, before - after);
			}
			break;
		case SSTRIP_BAD_FILE:
			rc = 2;
			break;
		case SSTRIP_FAILED:
			rc = rc ? rc : 1;
			break;
		}
	}
	return rc;
}
