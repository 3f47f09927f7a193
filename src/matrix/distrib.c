/* distrib.c: compiles on distcc or icecream (distrib.h). distcc is asked for its
 * hosts (`distcc --show-hosts`, which reads DISTCC_HOSTS, ~/.distcc/hosts and
 * /etc/distcc/hosts as every distcc call does) and their slots (`distcc -j`);
 * each host compiles a probe with each compiler the run uses, alone and with
 * distcc's fallback off, and its object must be this machine's byte for byte.
 * icecream ships this machine's compiler to its hosts, so no probe is needed. */
#define _GNU_SOURCE /* environ */
#include "matrix/distrib.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "report/result.h"
#include "base/banned.h"

/* Enough code for a compiler's version to show: a loop gcc and clang vectorise
 * and unroll differently from one release to the next, and a string. */
static const char probe_src[] =
	"static const char ounce_probe_name[] = \"ounce distcc probe\";\n"
	"int ounce_probe(const int *v, int n)\n"
	"{\n"
	"\tint s = 0;\n"
	"\tfor (int i = 0; i < n; i++) {\n"
	"\t\ts += v[i] * (i | 3) + ounce_probe_name[i & 15];\n"
	"\t}\n"
	"\treturn s;\n"
	"}\n";

int
distrib_known(const char *name)
{
	return name && (!strcmp(name, "distcc") || !strcmp(name, "icecc"));
}

/* Run argv in dir with env (NULL: ounce's), its output into out (may be NULL);
 * returns its exit status, or -1 when it did not run to the end. */
static int
run_in(const char *const *argv, char **env, const char *dir, struct buf *out, double timeout)
{
	struct spawn_opts o = {0};
	struct spawn_result r;
	struct strv args = STRV_INIT;
	char *log = xasprintf("%s/probe.log", dir);
	int rc;

	for (size_t i = 0; argv[i]; i++) {
		strv_push(&args, argv[i]);
	}
	o.argv = strv_array(&args);
	o.envp = env;
	o.cwd = dir;
	o.out = out;
	o.log_path = log;
	o.timeout = timeout;
	rc = spawn_run(&o, &r) == 0 && r.end == SPAWN_EXITED ? r.status : -1;
	strv_release(&args);
	free(log);
	return rc;
}

/* The "GCC: (...)" or "clang version ..." string an object carries (.comment),
 * or "?" ; static storage, for a message. */
static const char *
ident(const struct buf *obj)
{
	static char out[160];
	static const char *const marks[] = {"GCC: (", "clang version"};

	snprintf(out, sizeof(out), "?");
	for (size_t m = 0; m < sizeof(marks) / sizeof(*marks); m++) {
		size_t k = strlen(marks[m]);

		for (size_t i = 0; obj->s && i + k <= obj->len; i++) {
			if (!memcmp(obj->s + i, marks[m], k)) {
				int k2 = (int)strnlen(obj->s + i, obj->len - i);

				snprintf(out, sizeof(out), "%.*s", k2, obj->s + i);
				return out;
			}
		}
	}
	return out;
}

/* The last line of dir's probe.log that says why distcc failed ("ERROR: ..."), or
 * a general reason. Caller frees. */
static char *
probe_why(const char *dir)
{
	char *path = xasprintf("%s/distcc.log", dir), *why = NULL;
	struct buf b = BUF_INIT;

	if (fs_exists(path) && fs_read_file(path, &b) == 0 && b.s) {
		char *save = NULL;

		for (char *line = strtok_r(b.s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *e = strstr(line, "ERROR: ");

			if (e) {
				free(why);
				why = xstrdup(e + 7);
			}
		}
	}
	buf_release(&b);
	free(path);
	return why ? why : xstrdup("it did not answer");
}

/* Compile the probe with cc (a path) on host, into dir/host.o; compare it with
 * here (this machine's object). Returns 1 when it is the same, 0 when the host did
 * not answer (why set), -1 when its bytes differ (reported). */
static int
probe_host(const struct distrib *d, const char *cc, const char *host, const char *dir,
	   const struct buf *here, double timeout, char **why)
{
	struct strv env = STRV_INIT;
	const char *argv[] = {d->path, cc, "-O2", "-c", "probe.c", "-o", "host.o", NULL};
	char *obj = xasprintf("%s/host.o", dir), *log = xasprintf("%s/distcc.log", dir);
	struct buf there = BUF_INIT;
	int rc;

	strv_pushv(&env, environ);
	strv_setenv(&env, "DISTCC_HOSTS", host);
	/* a host that fails must say so here, not be replaced by this machine */
	strv_setenv(&env, "DISTCC_FALLBACK", "0");
	strv_setenv(&env, "DISTCC_SKIP_LOCAL_RETRY", "1");
	strv_setenv(&env, "DISTCC_LOG", log);
	strv_unsetenv(&env, "DISTCC_VERBOSE");
	unlink(obj);
	unlink(log);
	if (run_in(argv, strv_array(&env), dir, NULL, timeout) != 0 ||
	    fs_read_file(obj, &there) < 0) {
		*why = probe_why(dir);
		rc = 0;
	} else if (there.len != here->len || memcmp(there.s, here->s, here->len)) {
		char mine[160];

		snprintf(mine, sizeof(mine), "%s", ident(here));
		error("distcc host %s: its %s compiles other bytes than this machine's ('%s' "
		      "there, '%s' here); the sizes would not be this machine's, so ounce does "
		      "not use it (the same compiler version on every host, or leave it out of "
		      "DISTCC_HOSTS)",
		      host, cc, ident(&there), mine);
		rc = -1;
	} else {
		rc = 1;
	}
	buf_release(&there);
	strv_release(&env);
	free(obj);
	free(log);
	return rc;
}

/* distcc's hosts, one per line of `distcc --show-hosts`, into hosts. */
static int
show_hosts(const struct distrib *d, const char *dir, struct strv *hosts, double timeout)
{
	const char *argv[] = {d->path, "--show-hosts", NULL};
	struct buf out = BUF_INIT;

	if (run_in(argv, NULL, dir, &out, timeout) != 0) {
		buf_release(&out);
		error("distcc --show-hosts failed: no host to send compiles to (set "
		      "DISTCC_HOSTS, or list them in ~/.distcc/hosts)");
		return -1;
	}
	strv_split(hosts, out.s ? out.s : "");
	buf_release(&out);
	if (!hosts->n) {
		error("distcc has no hosts: set DISTCC_HOSTS, or list them in ~/.distcc/hosts");
		return -1;
	}
	return 0;
}

/* The slots of the hosts in d->hosts, as distcc -j counts them. */
static int
count_slots(const struct distrib *d, const char *dir, double timeout)
{
	const char *argv[] = {d->path, "-j", NULL};
	struct strv env = STRV_INIT;
	struct buf out = BUF_INIT;
	int n = 0;

	strv_pushv(&env, environ);
	strv_setenv(&env, "DISTCC_HOSTS", d->hosts);
	if (run_in(argv, strv_array(&env), dir, &out, timeout) == 0 && out.s) {
		n = atoi(out.s);
	}
	buf_release(&out);
	strv_release(&env);
	return n > 0 ? n : 1;
}

/* Probe every host with every compiler; d->hosts becomes those that answered.
 * Returns 0, or -1 after reporting. */
static int
probe_hosts(struct distrib *d, const struct strv *compilers, const char *dir, double timeout)
{
	struct strv hosts = STRV_INIT, good = STRV_INIT, down = STRV_INIT;
	bool *down_at;
	int rc = 0;

	if (show_hosts(d, dir, &hosts, timeout) < 0) {
		return -1;
	}
	down_at = xcalloc(hosts.n ? hosts.n : 1, sizeof(*down_at));
	/* each compiler's object here once, then every host that still answers */
	for (size_t i = 0; rc == 0 && i < compilers->n; i++) {
		char *cc = spawn_which(compilers->v[i], NULL);
		const char *argv[] = {cc, "-O2", "-c", "probe.c", "-o", "here.o", NULL};
		char *obj = xasprintf("%s/here.o", dir);
		struct buf here = BUF_INIT;

		if (!cc) {
			/* a compiler this machine lacks: its cells fail here, not there */
		} else if (run_in(argv, NULL, dir, NULL, timeout) != 0 ||
			   fs_read_file(obj, &here) < 0) {
			error("%s cannot compile a probe here: is it installed whole?", cc);
			rc = -1;
		}
		for (size_t h = 0; cc && rc == 0 && h < hosts.n; h++) {
			char *why = NULL;
			int r;

			if (down_at[h]) {
				continue;
			}
			if ((r = probe_host(d, cc, hosts.v[h], dir, &here, timeout, &why)) < 0) {
				rc = -1;
			} else if (r == 0) {
				strv_push_owned(&down, xasprintf("%s (%s)", hosts.v[h], why));
				down_at[h] = true;
			}
			free(why);
		}
		buf_release(&here);
		free(obj);
		free(cc);
	}
	for (size_t h = 0; rc == 0 && h < hosts.n; h++) {
		if (!down_at[h]) {
			strv_push(&good, hosts.v[h]);
		}
	}
	if (rc == 0 && !good.n) {
		char *j = strv_join(&down, "; ");

		error("no distcc host compiles: %s", j);
		free(j);
		rc = -1;
	} else if (rc == 0) {
		for (size_t i = 0; i < down.n; i++) {
			warn("distcc host %s: left out", down.v[i]);
		}
		d->hosts = strv_join(&good, " ");
		d->slots = count_slots(d, dir, timeout);
		info("distcc: %zu host%s, %d slots (%s); links and measuring stay here", good.n,
		     good.n == 1 ? "" : "s", d->slots, d->hosts);
	}
	free(down_at);
	strv_release(&hosts);
	strv_release(&good);
	strv_release(&down);
	return rc;
}

int
distrib_open(struct distrib *d, const char *tool, const struct strv *compilers,
	     const char *tmpdir, double timeout)
{
	char *src;
	int rc;

	memset(d, 0, sizeof(*d));
	d->tool = xstrdup(tool);
	if (!(d->path = spawn_which(tool, NULL))) {
		error("--distribute %s: '%s' is not installed (Debian package %s)", tool, tool,
		      tool);
		return 2;
	}
	if (!strcmp(tool, "icecc")) {
		info("icecc: its scheduler chooses the hosts and sends them this machine's "
		     "compiler; links and measuring stay here");
		return 0;
	}
	if (fs_mkdirs(tmpdir) < 0) {
		return 2;
	}
	src = xasprintf("%s/probe.c", tmpdir);
	rc = fs_write_file(src, probe_src, sizeof(probe_src) - 1) < 0 ||
			     probe_hosts(d, compilers, tmpdir, timeout) < 0
		     ? 2
		     : 0;
	free(src);
	fs_remove_tree(tmpdir);
	return rc;
}

void
distrib_env(const struct distrib *d, const char *dir, struct strv *env)
{
	char *v;

	strv_setenv(env, "OUNCE_DISTRIBUTE", d->path);
	if (strcmp(d->tool, "distcc")) {
		return;
	}
	strv_setenv(env, "DISTCC_HOSTS", d->hosts);
	/* where each compile went, for the cell's row; distcc's messages go there
	 * instead of the build's log */
	v = xasprintf("%s/distcc.log", dir);
	strv_setenv(env, "DISTCC_LOG", v);
	free(v);
	strv_unsetenv(env, "DISTCC_VERBOSE");
	/* a host that fails: the compile runs here, as distcc does by default */
	strv_unsetenv(env, "DISTCC_FALLBACK");
	strv_unsetenv(env, "DISTCC_SKIP_LOCAL_RETRY");
}

/* The host of "... on HOST completed ok" or "exec on HOST: ...", its slot count
 * and options dropped; caller frees. */
static char *
host_of(const char *s, size_t n)
{
	size_t k = strcspn(s, "/,:");

	if (s[k] == ':' && s[k + 1] >= '0' && s[k + 1] <= '9') {
		/* host:port */
		k += 1 + strspn(s + k + 1, "0123456789");
	}
	return xstrndup(s, k < n ? k : n);
}

/* What one distcc process of the log is doing: the host it last sent to. */
struct sender {
	char pid[16];
	char *host;	/* NULL: none, or it failed already */
	bool failed;	/* a host failed its compile: the next one is a retry */
};

/* The sender of the line "distcc[PID] ...", added when new. */
static struct sender *
sender_of(const char *line, struct sender **v, size_t *n, size_t *cap)
{
	const char *p = strchr(line, '['), *q = p ? strchr(p, ']') : NULL;
	char pid[16];

	if (!p || !q || q - p - 1 <= 0 || q - p - 1 >= (long)sizeof(pid)) {
		return NULL;
	}
	snprintf(pid, sizeof(pid), "%.*s", (int)(q - p - 1), p + 1);
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*v)[i].pid, pid)) {
			return &(*v)[i];
		}
	}
	*v = xgrowarray(*v, cap, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	snprintf((*v)[*n].pid, sizeof((*v)[*n].pid), "%s", pid);
	return &(*v)[(*n)++];
}

static void
add_failed(struct strv *failed, const char *host)
{
	if (!strv_has(failed, host)) {
		strv_push(failed, host);
	}
}

/* One line of distcc's log into st: where a compile ran, or that a host failed. */
static void
read_line(char *line, struct sender *who, struct cell_steps *st, struct strv *failed,
	  int *here)
{
	char *p = strstr(line, "] compile "), *on, *end;

	if (p && (on = strstr(p, " on ")) && (end = strstr(on, " completed ok"))) {
		char *h = host_of(on + 4, (size_t)(end - on - 4));

		if (!strcmp(h, "localhost")) {
			(*here)++;
		} else {
			st->remote++;
			/* sent again after a host failed */
			st->retried += who && who->failed;
		}
		free(h);
		if (who) {
			free(who->host);
			who->host = NULL;
			who->failed = false;
		}
	} else if ((p = strstr(line, "] exec on ")) && who) {
		free(who->host);
		who->host = host_of(p + 10, strlen(p + 10));
		if (!strcmp(who->host, "localhost")) {
			free(who->host);
			who->host = NULL;
		}
	} else if (strstr(line, "running locally instead") ||
		   strstr(line, "failed, retrying locally")) {
		st->fallback++;
		if (who && who->host) {
			add_failed(failed, who->host);
			free(who->host);
			who->host = NULL;
		}
		if (who) {
			who->failed = false;
		}
	} else if (strstr(line, "ERROR: ") && who && who->host) {
		/* the host failed this compile: distcc tries another or runs it here */
		add_failed(failed, who->host);
		free(who->host);
		who->host = NULL;
		who->failed = true;
	}
}

void
distrib_read_log(const char *path, struct cell_steps *st)
{
	struct buf b = BUF_INIT;
	struct strv failed = STRV_INIT;
	struct sender *who = NULL;
	size_t n = 0, cap = 0;
	int here = 0;
	char *save = NULL;

	if (!fs_exists(path) || fs_read_file(path, &b) < 0 || !b.s) {
		buf_release(&b);
		return;
	}
	for (char *line = strtok_r(b.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		read_line(line, sender_of(line, &who, &n, &cap), st, &failed, &here);
	}
	/* a fallback's compile here is logged as one on localhost too */
	st->local += here > st->fallback ? here - st->fallback : 0;
	if (failed.n) {
		free(st->failed_hosts);
		st->failed_hosts = strv_join(&failed, ", ");
	}
	for (size_t i = 0; i < n; i++) {
		free(who[i].host);
	}
	free(who);
	strv_release(&failed);
	buf_release(&b);
}

void
distrib_close(struct distrib *d)
{
	free(d->tool);
	free(d->path);
	free(d->hosts);
	memset(d, 0, sizeof(*d));
}
