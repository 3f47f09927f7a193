/* smoke.c: pass or fail by exit status within a timeout; the peak RSS is what
 * wait4 reports for the smoke command's tree (the largest process it waited for). */
#include "smoke.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "result.h"
#include "run.h"
#include "spawn.h"
#include "strv.h"
#include "tmpl.h"
#include "banned.h"

int
smoke_run(const struct run *run, struct cell *c, const char *dir, struct strv *env)
{
	struct strv argv = STRV_INIT;
	struct tmpl_var vars[] = {{"artifact", c->artifact}, {"dir", dir}};
	struct spawn_opts o = {0};
	struct spawn_result res;
	char errbuf[128];
	const char *err = NULL;

	if (!run->smoke) {
		c->smoke = SMOKE_NONE;
		return 0;
	}
	if (tmpl_expand(&argv, run->smoke, vars, 2, errbuf, sizeof(errbuf), &err) < 0 ||
	    !argv.n) {
		c->smoke = SMOKE_FAIL;
		c->status = CELL_SMOKE_FAILED;
		c->reason = xasprintf("smoke command: %s", err ? err : "empty command");
		strv_release(&argv);
		return 0;
	}
	o.argv = strv_array(&argv);
	o.envp = strv_array(env);
	o.cwd = dir;
	o.log_path = c->log;
	o.timeout = run->smoke_timeout;
	o.cancel = run->cancel;
	if (spawn_run(&o, &res) < 0 && res.end != SPAWN_NOT_STARTED) {
		strv_release(&argv);
		return -1;
	}
	strv_release(&argv);
	if (res.end == SPAWN_CANCELLED) {
		c->status = CELL_INTERRUPTED;
		c->reason = xstrdup("interrupted during the smoke test");
		return 0;
	}
	c->peak_rss_kb = res.end == SPAWN_EXITED ? res.maxrss_kb : -1;
	if (res.end == SPAWN_EXITED && res.status == 0) {
		c->smoke = SMOKE_PASS;
		return 0;
	}
	c->smoke = SMOKE_FAIL;
	c->status = CELL_SMOKE_FAILED;
	c->reason = xasprintf("smoke test failed: %s", spawn_describe(&res, run->smoke_timeout));
	return 0;
}
