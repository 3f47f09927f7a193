/* cmd_profiles.c: `ounce profiles [DIR]`: every profile, what it does and what it
 * costs; with DIR, including the project's own from its ounce.ini. */
#include "cmd/cmd.h"

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

int
cmd_profiles(int argc, char **argv)
{
	struct profile_set set = PROFILE_SET_INIT;
	struct project proj = PROJECT_INIT;
	struct buf b = BUF_INIT;
	char *data, *dir;
	int rc = 2;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fputs("usage: ounce profiles [DIR]\n"
		      "List the size profiles (and DIR's own, from its ounce.ini).\n",
		      argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	data = os_data_dir();
	if (!data) {
		return 1;
	}
	dir = xasprintf("%s/profiles", data);
	if (profile_load_dir(&set, dir) < 0) {
		goto out;
	}
	if (argc == 2 && project_load(&proj, argv[1], &set) < 0) {
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
