/* cmd_heap.c: `ounce heap trace|stats|pools|replay|...`: heap tracing (and the
 * tracer for firmware) and fixed-block pool layouts. Dispatches to the
 * heapcmd_*.c files. */
#include "cmd/cmd.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cmd/heapcmd.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce heap COMMAND ...\n"
	"  trace [-o LOG] [--stacks N] [--follow-fork] [--follow-exec] -- CMD ARGS...\n"
	"                                             record every allocation (and who made it)\n"
	"  stats LOG [--align N] [--at-peak]          Block Size | Max Load | Total Allocations\n"
	"  pools LOG --pools N                        the fixed-block pool layout that serves it\n"
	"  replay LOG --layout FILE [--borrow]        replay against a layout; exit 0 if nothing failed\n"
	"  sites LOG [-n N] [--stack] [--skip FUNC]   allocation sites of a log traced with --stacks\n"
	"  flame LOG [--by peak|count|total] > SVG    a flame graph of those stacks\n"
	"  mcu-source [--path] > heaptrace.c          the tracer for bare-metal firmware (its\n"
	"                                             log over semihosting or from RAM)\n";

int
cmd_heap(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} sub[] = {
		{"flame", heapcmd_flame},
		{"mcu-source", heapcmd_mcu_source},
		{"pools", heapcmd_pools},
		{"replay", heapcmd_replay},
		{"sites", heapcmd_sites},
		{"stats", heapcmd_stats},
		{"trace", heapcmd_trace},
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(*sub); i++) {
		if (!strcmp(argv[1], sub[i].name)) {
			return sub[i].fn(argc - 1, argv + 1);
		}
	}
	error("unknown heap command '%s'; 'ounce heap --help' lists them", argv[1]);
	return 2;
}
