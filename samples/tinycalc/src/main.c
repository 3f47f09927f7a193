/* main.c: tinycalc's command line. Arguments form one RPN expression; with
 * none, each line of standard input is an expression of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpn.h"

static const char progname[] = "tinycalc";

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [EXPRESSION...]\n"
	           "Evaluates the arguments as one reverse Polish expression, or each line of\n"
	           "standard input when there are none, and prints the result (\"2 3 +\" is 5).\n"
	           "operators:",
	        progname);
	for (size_t i = 0; rpn_op_name(i); i++) {
		fprintf(f, " %s", rpn_op_name(i));
	}
	fputc('\n', f);
}

static void
print_value(double x)
{
	printf("%.15g\n", x);
}

/* Evaluates the arguments as one expression: 0 on success, 1 on failure. */
static int
eval_args(int argc, char **argv)
{
	struct rpn r;
	double x;

	rpn_reset(&r);
	for (int i = 1; i < argc; i++) {
		if (rpn_eval(&r, argv[i]) != 0) {
			fprintf(stderr, "%s: %s\n", progname, r.error);
			return 1;
		}
	}
	if (rpn_result(&r, &x) != 0) {
		fprintf(stderr, "%s: %s\n", progname, r.error);
		return 1;
	}
	print_value(x);
	return 0;
}

/* Evaluates each non-blank line of f: 0 if every one succeeded, else 1. */
static int
eval_lines(FILE *f)
{
	struct rpn r;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int status = 0;
	double x;

	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if (line[strspn(line, " \t\r\n\v\f")] == '\0') {
			continue;
		}
		rpn_reset(&r);
		if (rpn_eval(&r, line) != 0 || rpn_result(&r, &x) != 0) {
			fprintf(stderr, "%s: line %lu: %s\n", progname, lineno, r.error);
			status = 1;
			continue;
		}
		print_value(x);
	}
	if (ferror(f)) {
		perror(progname);
		status = 1;
	}
	free(line);
	return status;
}

int
main(int argc, char **argv)
{
	int status;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	status = argc > 1 ? eval_args(argc, argv) : eval_lines(stdin);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror(progname);
		return 1;
	}
	return status;
}
