/* cmd_size.c: `ounce size FILE`: where the bytes of one ELF file go. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "elf/flame.h"
#include "elf/regions.h"
#include "elf/size.h"
#include "os/fsutil.h"
#include "report/sizeout.h"
#include "report/table.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce size [options] FILE\n"
	"Break an ELF file (executable, shared library, object) down by section, symbol and\n"
	"component. Components come from the linker map (FILE.map, which ounce's builds\n"
	"write, NAME.map beside NAME.elf, or --map), else from DWARF compile units,\n"
	"else from Rust crate names.\n"
	"For firmware, the memory regions of the link (FLASH, RAM: the map's Memory\n"
	"Configuration, or a linker script's MEMORY) follow, with how full each is.\n"
	"  -f, --format F        text, md, csv or json (default text)\n"
	"  -n N                  at most N symbol and component rows (the rest are summed)\n"
	"      --map FILE        the linker map to attribute symbols and read regions with\n"
	"      --ld-script FILE  the linker script to read memory regions from (MEMORY)\n"
	"      --flame           print an SVG flame graph (component, file, symbol) instead\n";

int
cmd_size(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"map", required_argument, NULL, 'M'},
		{"ld-script", required_argument, NULL, 'L'},
		{"flame", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text", *map = NULL, *script = NULL;
	struct size_report r = SIZE_REPORT_INIT;
	struct regions rs = REGIONS_INIT;
	struct buf b = BUF_INIT;
	char err[512], *end, *beside;
	long limit = 0;
	bool flame = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 0) {
				error("-n needs a number of rows, not '%s'", optarg);
				return 2;
			}
			break;
		case 'M':
			map = optarg;
			break;
		case 'L':
			script = optarg;
			break;
		case 'F':
			flame = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	enum table_format fmt;

	if (!table_format_option(format, &fmt)) {
		return 2;
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return 2;
	}
	beside = size_map_beside(argv[optind]);
	if (size_read(argv[optind], &r, err, sizeof(err)) < 0 ||
	    size_attribute(&r, map, err, sizeof(err)) < 0) {
		error("%s", err);
		size_report_release(&r);
		free(beside);
		return 2;
	}
	if (!flame && (script || map || beside)) {
		/* the regions of the same map the symbols were attributed with */
		if (regions_read(&rs, map ? map : beside, script) < 0 ||
		    (rs.n && regions_place(&rs, argv[optind]) < 0)) {
			regions_release(&rs);
			size_report_release(&r);
			free(beside);
			return 2;
		}
		if (script && !rs.n) {
			warn("'%s' declares no MEMORY regions", script);
		}
	}
	free(beside);
	if (flame) {
		flame_svg(&r, &b);
	} else {
		sizeout_report_regions(&r, &rs, format, (size_t)limit, &b);
	}
	fputs(buf_str(&b), stdout);
	buf_release(&b);
	regions_release(&rs);
	size_report_release(&r);
	return 0;
}
