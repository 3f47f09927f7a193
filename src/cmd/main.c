/* main.c: only main: wrapper mode by argv[0], the build steps' launcher, then the
 * subcommand table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "cmd/cmd.h"
#include "matrix/sandbox.h"
#include "os/spawn.h"

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
};

static int help_command(int argc, char **argv);

/* sorted by name */
static const struct command commands[] = {
	{"advise", cmd_advise, "say which profiles are likely to pay for a binary, and why"},
	{"cc", cmd_cc, "run a compiler with the flags of the current cell (wrapper mode)"},
	{"check", cmd_check, "hold a build to its size budgets (for CI; a pull-request comment)"},
	{"diff", cmd_diff, "compare two builds by symbol, section and component"},
	{"heap", cmd_heap, "trace heap allocations; statistics and fixed-block pool layouts"},
	{"help", help_command, "show the manual page of ounce or of a command"},
	{"matrix", cmd_matrix, "rebuild a project under the size profiles and print the table"},
	{"pick", cmd_pick, "choose the winning cell of a run; --emit its settings"},
	{"profile", cmd_profile, "a time flame graph of a cell's workload; of two, the change"},
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
	fprintf(f, "\n'ounce COMMAND --help' describes a command's options, 'ounce help COMMAND'\n"
		   "shows its manual page.\n");
	return f == stdout ? 0 : 2;
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		if (!strcmp(name, commands[i].name)) {
			return &commands[i];
		}
	}
	return NULL;
}

/* `ounce help [COMMAND [SUBCOMMAND]]`: the manual page through man, else (no page,
 * no man) the --help text of COMMAND (SUBCOMMAND: heap's), or ounce's list. */
static int
help_command(int argc, char **argv)
{
	static const char usage[] =
		"usage: ounce help [COMMAND]\n"
		"Show the manual page of COMMAND (of ounce without one) with man; without\n"
		"man or the page, print 'ounce COMMAND --help'.\n";
	const struct command *c = argc > 1 ? find_command(argv[1]) : NULL;
	char *page, *args[4], opt[] = "--help";
	int n = 0;

	if (argc > 1 && argv[1][0] == '-') {
		bool asked = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");

		fputs(usage, asked ? stdout : stderr);
		return asked ? 0 : 2;
	}
	if (argc > 1 && !c) {
		error("unknown command '%s'; 'ounce --help' lists them", argv[1]);
		return 2;
	}
	if (argc > (c && c->fn == cmd_heap ? 3 : 2)) {
		fputs(usage, stderr);
		return 2;
	}
	if (!c || c->fn == help_command) {
		cmd_help_page("ounce");
		return help(stdout);
	}
	page = xasprintf("ounce-%s", c->name);
	cmd_help_page(page);
	free(page);
	args[n++] = argv[1];
	if (argc > 2) {
		args[n++] = argv[2];
	}
	args[n++] = opt;
	args[n] = NULL;
	return c->fn(n, args);
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
	const struct command *cmd;

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
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		return help(stdout);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ounce %s\n", OUNCE_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (cmd) {
		return cmd->fn(argc - 1, argv + 1);
	}
	error("unknown command '%s'; 'ounce --help' lists them", argv[1]);
	return 2;
}
