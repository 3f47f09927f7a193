/* cmd_profiles.c: `ounce profiles [-v] [DIR]`: every profile, what it does and what it
 * costs; with DIR, including the project's own from its ounce.ini. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "config/profile.h"
#include "config/project.h"
#include "os/os_linux.h"
#include "base/banned.h"

static const char usage[] =
	"usage: ounce profiles [options] [DIR]\n"
	"List the size profiles (and DIR's own, from its ounce.ini).\n"
	"  -v, --verbose   also say where the profiles were read from (on stderr)\n"
	"  -q, --quiet     fewer messages\n";

int
cmd_profiles(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct profile_set set = PROFILE_SET_INIT;
	struct project proj = PROJECT_INIT;
	struct buf b = BUF_INIT;
	const char *project_dir;
	char *data, *dir;
	int opt, rc = 2;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
		case 'q':
			log_adjust(opt == 'q' ? -1 : 1);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(usage, stderr);
		return 2;
	}
	project_dir = optind < argc ? argv[optind] : NULL;
	data = os_data_dir();
	if (!data) {
		return 1;
	}
	dir = xasprintf("%s/profiles", data);
	if (profile_load_dir(&set, dir) < 0) {
		goto out;
	}
	if (project_dir && project_load(&proj, project_dir, &set) < 0) {
		goto out;
	}
	buf_printf(&b, "%-10s %-9s %-9s %-7s %-13s %s\n", "profile", "stage", "matrix", "for",
		   "trade-off", "what it does");
	for (size_t i = 0; i < set.n; i++) {
		const struct profile *p = set.v[i];

		bool c = profile_applies(p, NULL), rust = profile_applies(p, "cargo");

		buf_printf(&b, "%-10s %-9s %-9s %-7s %-13s %s", p->name, profile_stage_name(p->stage),
			   profile_is_security(p) ? "each only" : p->in_default ? "yes" : "no",
			   c && rust ? "C, Rust" : rust ? "Rust" : "C", p->tradeoff, p->summary);
		if (proj.ini && !strcmp(p->file, proj.ini)) {
			buf_adds(&b, " [ounce.ini]");
		}
		buf_addc(&b, '\n');
		if (p->tradeoff_note) {
			buf_printf(&b, "%-52s cost: %s\n", "", p->tradeoff_note);
		}
		if (p->targets.n) {
			/* left out of a matrix for other targets (src/config/cross.c) */
			char *t = strv_join(&p->targets, ", ");

			buf_printf(&b, "%-52s only for: %s targets\n", "", t);
			free(t);
		}
	}
	fputs(buf_str(&b), stdout);
	rc = 0;
out:
	buf_release(&b);
	project_release(&proj);
	profile_set_release(&set);
	free(data);
	free(dir);
	return rc;
}
