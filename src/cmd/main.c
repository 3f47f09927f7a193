/* main.c: only main: wrapper mode by argv[0], the build steps' launcher, then the
 * subcommand table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cmd/cmd.h"
#include "matrix/sandbox.h"
#include "os/spawn.h"

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
};

/* sorted by name */
static const struct command commands[] = {
	{"advise", cmd_advise, "say which profiles are likely to pay for a binary, and why"},
	{"cc", cmd_cc, "run a compiler with the flags of the current cell (wrapper mode)"},
	{"diff", cmd_diff, "compare two builds by symbol, section and component"},
	{"heap", cmd_heap, "trace heap allocations; statistics and fixed-block pool layouts"},
	{"matrix", cmd_matrix, "rebuild a project under the size profiles and print the table"},
	{"pick", cmd_pick, "choose the winning cell of a run; --emit its settings"},
	{"profiles", cmd_profiles, "list the size profiles and their trade-offs"},
	{"report", cmd_report, "write a saved run as one self-contained HTML page"},
	{"size", cmd_size, "where the bytes of an ELF file go: sections, symbols, components"},
	{"sstrip", cmd_sstrip, "drop an ELF file's section headers and what no segment holds"},
	{"table", cmd_table, "print the table of a saved run again"},
};

static int
help(FILE *f)
{
	fprintf(f, "usage: ounce COMMAND [options] [args]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\n'ounce COMMAND --help' describes a command's options.\n");
	return f == stdout ? 0 : 2;
}

static bool
is_compiler_name(const char *base)
{
	static const char *const names[] = {"cc", "c++", "gcc", "g++", "clang", "clang++"};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!strcmp(base, names[i])) {
			return true;
		}
	}
	return false;
}

int
main(int argc, char **argv)
{
	const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
	const char *wrap = getenv("OUNCE_WRAP");

	base = base ? base + 1 : argv[0] ? argv[0] : "ounce";
	if (wrap && !strcmp(wrap, "1") && is_compiler_name(base)) {
		return cmd_cc_wrapper(base, argc, argv);
	}
	if (argc > 1 && !strcmp(argv[1], SPAWN_LAUNCH_CMD)) {
		/* ounce running a build step for itself (sandbox.h) */
		return sandbox_launch(argc - 1, argv + 1);
	}
	if (argc < 2) {
		return help(stderr);
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		return help(stdout);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ounce %s\n", OUNCE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	error("unknown command '%s'; 'ounce help' lists them", argv[1]);
	return 2;
}
