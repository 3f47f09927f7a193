/* cmd_cc.c: the compiler wrapper. Builds run it as CC/CXX (and as cc, gcc, clang
 * ... first in PATH); it appends the cell's flags, read from the environment,
 * and replaces itself with the real compiler. */
#include "cmd/cmd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/spawn.h"
#include "wrap/ltrans.h"
#include "wrap/relink.h"
#include "wrap/wrap.h"
#include "base/banned.h"

/* One line per call in $OUNCE_WRAP_LOG, written with a single append. */
static void
trace(char *const *argv)
{
	const char *path = getenv("OUNCE_WRAP_LOG");
	char *q;
	int fd;

	if (!path || !*path) {
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		return;
	}
	q = spawn_quote_argv(argv);
	size_t n = strlen(q);
	q[n] = '\n';
	if (write(fd, q, n + 1) < 0) {
		/* tracing is best effort: the build must not fail for it */
	}
	q[n] = '\0';
	free(q);
	close(fd);
}

/* An LTO link of a cell that may share its code generation with another
 * (OUNCE_LTO_DIR set: ltrans.h): run it so, and return its exit status; -1 when
 * out is not such a link, for the caller to run. */
static int
lto_shared(struct strv *out)
{
	const char *dir = getenv("OUNCE_LTO_DIR");
	char key[LTRANS_KEY_LEN + 1], *cwd;
	int rc;

	if (!dir || !*dir || !ltrans_applies(out->v, out->n)) {
		return -1;
	}
	cwd = getcwd(NULL, 0);
	rc = cwd && ltrans_key(getenv("OUNCE_LTO_SIG"), getenv("OUNCE_CELL_DIR"), cwd, out->v,
			       out->n, key) == 0
		     ? ltrans_link(dir, key, strv_array(out), trace)
		     : -1;
	free(cwd);
	return rc;
}

static int
run_real(const char *real, char **args, int nargs)
{
	struct strv cflags = STRV_INIT, ldflags = STRV_INIT, libs = STRV_INIT, out = STRV_INIT;

	wrap_decode(&cflags, getenv("OUNCE_CFLAGS"));
	wrap_decode(&ldflags, getenv("OUNCE_LDFLAGS"));
	wrap_decode(&libs, getenv("OUNCE_LIBS"));
	struct strv with_map = STRV_INIT;
	const char *keep = getenv("OUNCE_KEEP_LINK"), *root = getenv("OUNCE_KEEP_ROOT");

	if (keep && *keep && root && *root && wrap_classify(args, (size_t)nargs) == WRAP_LINK) {
		/* a Cargo cell: rustc deletes its objects after this link, and a cell
		 * that only adds link arguments links them again (best effort: the
		 * cell is built from scratch when nothing was kept) */
		struct strv roots = STRV_INIT;
		const char *tmp = getenv("TMPDIR");

		/* the cell's directory, and the temporary directory, where older
		 * rustc made its own (symbols.o; newer ones make it in deps/) */
		strv_push(&roots, root);
		strv_push(&roots, tmp && *tmp == '/' ? tmp : "/tmp");
		relink_keep(keep, &roots, real, args, (size_t)nargs);
		strv_release(&roots);
	}

	if (getenv("OUNCE_MAP") && !strcmp(getenv("OUNCE_MAP"), "1")) {
		char *map = wrap_map_flag(args, (size_t)nargs);

		if (map) {
			/* first, so the profile's flags still end the line */
			strv_push_owned(&with_map, map);
			for (int i = 0; i < nargs; i++) {
				strv_push(&with_map, args[i]);
			}
			args = with_map.v;
			nargs++;
		}
	}
	const char *ccache = getenv("OUNCE_CCACHE");

	if (ccache && *ccache && wrap_classify(args, (size_t)nargs) == WRAP_COMPILE) {
		/* cells with the same compile flags share objects: ccache hashes the
		 * source, its headers and the flags, so a hit is what the compile gives */
		strv_push(&out, ccache);
	}
	wrap_argv(&out, real, args, (size_t)nargs, &cflags, &ldflags, &libs);
	strv_release(&with_map);
	int st = lto_shared(&out);

	if (st >= 0) {
		strv_release(&cflags);
		strv_release(&ldflags);
		strv_release(&libs);
		strv_release(&out);
		return st;
	}
	trace(strv_array(&out));
	spawn_exec(strv_array(&out));
	strv_release(&cflags);
	strv_release(&ldflags);
	strv_release(&libs);
	strv_release(&out);
	return 127;
}

int
cmd_cc_wrapper(const char *name, int argc, char **argv)
{
	bool cxx = strstr(name, "++") != NULL;
	const char *real = getenv(cxx ? "OUNCE_REAL_CXX" : "OUNCE_REAL_CC");
	const char *by_name = getenv("OUNCE_REAL_PATH");

	if (by_name && *by_name && strcmp(name, "cc") && strcmp(name, "c++")) {
		/* a Cargo cell: rustc runs the linker the project's configuration
		 * names (linker = "clang"), which the cell's compiler does not replace */
		char *path = xasprintf("PATH=%s", by_name);
		char *envp[] = {path, NULL};
		char *found = spawn_which(name, envp);

		free(path);
		if (!found) {
			error("'%s' (the linker Cargo was told to use) is not in PATH", name);
			return 127;
		}
		return run_real(found, argv + 1, argc - 1);
	}

	if (!real || !*real) {
		error("'%s' is ounce's compiler wrapper, but %s is not set", name,
		      cxx ? "OUNCE_REAL_CXX" : "OUNCE_REAL_CC");
		return 127;
	}
	return run_real(real, argv + 1, argc - 1);
}

int
cmd_cc(int argc, char **argv)
{
	int i = 1;

	bool asked = i < argc && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"));

	if (i < argc && !strcmp(argv[i], "--")) {
		i++;
	}
	if (i >= argc || asked) {
		fprintf(asked ? stdout : stderr,
			"usage: ounce cc -- COMPILER ARGS...\n"
			"  runs COMPILER with ARGS and the flags in OUNCE_CFLAGS, "
			"OUNCE_LDFLAGS and OUNCE_LIBS\n"
			"  (one flag per line), as ounce's builds do\n");
		return asked ? 0 : 2;
	}
	return run_real(argv[i], argv + i + 1, argc - i - 1);
}
