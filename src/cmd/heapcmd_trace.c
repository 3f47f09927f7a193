/* heapcmd_trace.c: `ounce heap trace`: run a program with libounce-heaptrace.so
 * preloaded, so each of its heap calls lands in a log (heapfmt.h), then say what
 * was recorded. The program keeps ounce's stdin, stdout and stderr, and its exit
 * status becomes ounce's. Reading the log properly is heaplog.c's job; this file
 * only checks that one was written. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/heapcmd.h"

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "elf/elffile.h"
#include "heap/heapfmt.h"
#include "heap/heappack.h"
#include "os/fsutil.h"
#include "os/os_linux.h"
#include "os/signals.h"
#include "os/spawn.h"
#include "base/banned.h"

#define HEAPTRACE_LIB "libounce-heaptrace.so"
#define DEFAULT_LOG "ounce-heap.log"

static const char usage[] =
	"usage: ounce heap trace [options] -- CMD ARGS...\n"
	"Run CMD with each malloc, calloc, realloc, free and aligned allocation it makes\n"
	"recorded in a log for 'ounce heap stats|pools|replay'. CMD keeps the terminal,\n"
	"and ounce exits with CMD's status (128+N after signal N).\n"
	"  -o, --output LOG   the log (default " DEFAULT_LOG " in the current directory);\n"
	"                     an existing file that is not a heap log is never overwritten\n"
	"      --follow-fork  trace forked children too, each into LOG.PID\n"
	"      --follow-exec  trace the programs CMD runs too, each into LOG.PID\n"
	"                     (a second log of one pid, after fork and exec, is LOG.PID.1)\n"
	"      --timeout S    stop CMD after S seconds\n"
	"      --stacks N     record a backtrace of up to N frames (1-64) per allocation\n"
	"                     (default 0: none); the log names the loaded objects, for\n"
	"                     symbolising afterwards\n"
	"      --unwind HOW   libunwind (default: DWARF unwind tables, like heaptrack) or\n"
	"                     fp (frame pointers: faster, but only through code built with\n"
	"                     -fno-omit-frame-pointer)\n"
	"The library is $OUNCE_HEAPTRACE_LIB, else the installed one, LIBDIR/ounce/\n"
	HEAPTRACE_LIB " under the prefix the ounce executable runs from, else the\n"
	"one beside the executable in ounce's build directory.\n";

/* What a quick pass over a log found. */
struct log_scan {
	bool header;			/* magic and version are right */
	bool trailer;			/* ended with a TRAILER */
	bool unreadable;		/* an unknown tag: the reader will say more */
	bool cut;			/* ends inside a record: a write of it failed */
	unsigned long long events;	/* event records (the ones with a dt) */
	unsigned long long frames;      /* FRAME records: distinct frames of the stacks */
	bool stacks;                    /* the header says alloc records have a stack id */
	unsigned long long lost;	/* from the trailer */
	unsigned long long flags;	/* from the trailer */
};

/* One unsigned LEB128 value; false at the end of the file or on a value longer
 * than 10 bytes. */
static bool
get_uleb(FILE *f, uint64_t *v)
{
	int c, shift = 0;

	*v = 0;
	do {
		c = getc_unlocked(f);
		if (c == EOF || shift > 63) {
			return false;
		}
		*v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return true;
}

/* Count the records of the log at path. Returns -1 when it cannot be read
 * (not reported: a missing log has its own message). */
static int
scan_log(const char *path, struct log_scan *sc)
{
	unsigned char hdr[HEAPFMT_HEADER_FIXED];
	FILE *f = fopen(path, "re");
	uint64_t v, field[3];
	int tag;

	memset(sc, 0, sizeof(*sc));
	if (!f) {
		return -1;
	}
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    memcmp(hdr, HEAPFMT_MAGIC, HEAPFMT_MAGIC_LEN) || hdr[7] != HEAPFMT_VERSION ||
	    !get_uleb(f, &v) || fseek(f, (long)v, SEEK_CUR) < 0) {
		fclose(f);
		return 0;
	}
	sc->header = true;
	sc->stacks = hdr[9] & HEAPFMT_FLAG_STACKS;
	while ((tag = getc_unlocked(f)) != EOF && !sc->trailer) {
		int n, strings = 0;

		switch (tag) {
		case HEAPFMT_FREE:
		case HEAPFMT_THREAD:
		case HEAPFMT_FORK:
			n = tag == HEAPFMT_FREE ? 2 : 1;
			break;
		case HEAPFMT_FRAME:
			n = 2;
			sc->frames++;
			break;
		case HEAPFMT_OBJECT:
			/* start end bias, then the build-id and the path */
			n = 3;
			strings = 2;
			break;
		case HEAPFMT_MALLOC:
		case HEAPFMT_FAIL:
		case HEAPFMT_TRAILER:
			n = 3;
			break;
		case HEAPFMT_CALLOC:
		case HEAPFMT_REALLOC:
			n = 4;
			break;
		case HEAPFMT_ALIGNED:
			n = 5;
			break;
		default:
			sc->unreadable = true;
			fclose(f);
			return 0;
		}
		if (sc->stacks && (tag == HEAPFMT_MALLOC || tag == HEAPFMT_CALLOC ||
		                   tag == HEAPFMT_REALLOC || tag == HEAPFMT_ALIGNED)) {
			n++;
		}
		for (int i = 0; i < n + strings; i++) {
			if (!get_uleb(f, &v)) {
				sc->cut = true;
				fclose(f);
				return 0;
			}
			if (i >= n && fseek(f, (long)v, SEEK_CUR) < 0) {
				sc->cut = true;
				fclose(f);
				return 0;
			}
			if (i < 3) {
				field[i] = v;
			}
		}
		if (tag == HEAPFMT_TRAILER) {
			sc->trailer = true;
			sc->lost = field[1];
			sc->flags = field[2];
		} else if (tag < HEAPFMT_THREAD) {
			sc->events++;
		}
	}
	fclose(f);
	return 0;
}

/* Is the file system that holds path full (or nearly: less than a block for
 * ordinary users)? */
static bool
disk_full(const char *path)
{
	struct statvfs vfs;

	return statvfs(path, &vfs) == 0 && (vfs.f_bavail == 0 || vfs.f_favail == 0);
}

/* Why a log has no trailer: the tracer writes one at exit, _exit and exec, so
 * the program was killed, or the log could not be written. */
static const char *
no_trailer_cause(const char *path, const struct log_scan *sc)
{
	struct rlimit rl;
	struct stat st;

	if (disk_full(path)) {
		return "the disk that holds it is full";
	}
	/* the program inherited ounce's limit */
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    stat(path, &st) == 0 && (rlim_t)st.st_size >= rl.rlim_cur) {
		return "it reached the file size limit (ulimit -f)";
	}
	if (sc->cut) {
		return "it ends inside a record: writing it failed (a full disk or a file size "
		       "limit?)";
	}
	return "the program was killed by a signal, or closed or replaced the log's "
	       "descriptor";
}

/* Say what one log holds; false when it has no header. The log of a followed
 * process often ends in exec with nothing allocated: no warning for that. */
static bool
report_log(const char *path, bool followed, const struct log_scan *given)
{
	struct log_scan sc;
	bool exec;

	if (given) {
		sc = *given;
	} else if (scan_log(path, &sc) < 0) {
		return false;
	}
	if (!sc.header) {
		return false;
	}
	exec = sc.trailer && (sc.flags & HEAPFMT_TRAILER_EXEC);
	if (sc.stacks) {
		info("heap log: %s (%llu events, %llu distinct frames%s)", path, sc.events,
		     sc.frames, exec ? ", then exec" : "");
	} else {
		info("heap log: %s (%llu events%s)", path, sc.events, exec ? ", then exec" : "");
	}
	if (sc.unreadable) {
		warn("'%s' has a record this ounce does not know", path);
	} else if (!sc.trailer) {
		warn("'%s' has no trailer: %s", path, no_trailer_cause(path, &sc));
	} else if (sc.flags & HEAPFMT_TRAILER_INTERRUPTED) {
		warn("'%s': exit was called from a signal handler that interrupted an allocation; "
		     "the last records may be missing",
		     path);
	} else if (exec && !sc.events && !followed) {
		info("'%s': the program allocated nothing before it exec'd another "
		     "(--follow-exec traces the programs it runs)",
		     path);
	}
	if (sc.lost) {
		warn("'%s': %llu calls were not recorded (%s)", path, sc.lost,
		     sc.flags & HEAPFMT_TRAILER_BOOT_LOST
			     ? "some before the tracer could open its log"
			     : "made from inside the tracer, by a signal handler that interrupted "
			       "an allocation");
	}
	if (sc.events == 0 && !followed && !exec) {
		warn("no allocations seen (a static or bundled allocator?)");
	}
	return true;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Put the packed form of the raw log at path in its place, from the follower
 * that made it (NULL: pack it now), and say what the log holds, as report_log
 * does. A log that cannot be packed stays raw, which every command reads as
 * well. Returns report_log's answer. */
static bool
pack_and_report(const char *path, struct heappack_follower *f, bool followed)
{
	char *packed = xasprintf("%s.packing", path);
	struct heappack_summary sum;
	struct log_scan sc;
	struct stat raw, st;
	int rc = f ? heappack_follow_end(f, &sum) : heappack_file(path, packed, &sum);
	bool ok;

	if (rc < 0) {
		/* a log the reader refuses: scanning it says why */
		warn("'%s' stays unpacked", path);
		free(packed);
		return report_log(path, followed, NULL);
	}
	memset(&sc, 0, sizeof(sc));
	sc.header = sum.header;
	sc.trailer = sum.ended;
	sc.cut = sum.cut;
	sc.events = sum.records;
	sc.frames = sum.frames;
	sc.stacks = sum.header_flags & HEAPFMT_FLAG_STACKS;
	sc.lost = sum.lost;
	sc.flags = sum.trailer_flags;
	/* said before the raw log goes: no_trailer_cause looks at its size */
	ok = report_log(path, followed, &sc);
	if (rc > 0 && stat(path, &raw) == 0 && stat(packed, &st) == 0) {
		if (rename(packed, path) < 0) {
			error_errno("cannot rename '%s' to '%s'; the raw log stays", packed, path);
			unlink(packed);
		} else {
			debug("'%s' packed: %lld bytes, %lld raw", path, (long long)st.st_size,
			      (long long)raw.st_size);
		}
	}
	free(packed);
	return ok;
}

/* The logs of followed processes: LOG.PID and LOG.PID.N beside LOG, written
 * since the run started (older ones are from earlier runs), in name order; each
 * is packed after it is reported when pack is set. */
static void
report_child_logs(const char *log, time_t since, bool pack)
{
	char *dir = xstrdup(log), *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : log;
	size_t blen = strlen(base);
	struct strv found = STRV_INIT;
	struct dirent *d;
	DIR *dp;

	if (slash) {
		*slash = '\0';
	}
	dp = opendir(slash && *dir ? dir : "/");
	while (dp && (d = readdir(dp))) {
		const char *s = d->d_name + blen;
		char *path;
		struct stat st;

		if (strncmp(d->d_name, base, blen) || s[0] != '.' ||
		    strspn(s + 1, "0123456789.") != strlen(s + 1) || !s[1]) {
			continue;
		}
		path = xasprintf("%s/%s", slash && *dir ? dir : "", d->d_name);
		if (stat(path, &st) == 0 && st.st_mtime >= since) {
			strv_push_owned(&found, path);
		} else {
			free(path);
		}
	}
	if (dp) {
		closedir(dp);
	}
	if (found.n) {
		qsort(found.v, found.n, sizeof(*found.v), cmp_str);
	}
	for (size_t i = 0; i < found.n; i++) {
		if (pack) {
			pack_and_report(found.v[i], NULL, true);
		} else {
			report_log(found.v[i], true, NULL);
		}
	}
	strv_release(&found);
	free(dir);
}

/* The preload library: $OUNCE_HEAPTRACE_LIB, the installed one (LIBDIR/ounce of
 * the prefix ounce runs from), or the one in the build tree beside the executable.
 * Returns an absolute path the caller frees, or NULL after reporting. */
static char *
find_library(void)
{
	const char *env = getenv("OUNCE_HEAPTRACE_LIB");
	char *self, *slash, *cand[2];
	char *found = NULL;

	if (env && *env) {
		if (!fs_exists(env)) {
			error("OUNCE_HEAPTRACE_LIB '%s' does not exist", env);
			return NULL;
		}
		return fs_realpath(env);
	}
	self = os_self_exe();
	cand[0] = os_install_path(OUNCE_INSTALL_LIBDIR, "ounce/" HEAPTRACE_LIB);
	if (!self || !cand[0]) {
		free(self);
		free(cand[0]);
		return NULL;
	}
	slash = strrchr(self, '/');
	if (slash) {
		*slash = '\0';
	}
	cand[1] = xasprintf("%s/%s", self, HEAPTRACE_LIB);
	for (int i = 0; i < 2 && !found; i++) {
		if (fs_exists(cand[i])) {
			found = fs_realpath(cand[i]);
		}
	}
	if (!found) {
		error("cannot find '%s' (looked for '%s' and '%s'); set OUNCE_HEAPTRACE_LIB",
		      HEAPTRACE_LIB, cand[0], cand[1]);
	} else {
		debug("heap tracer '%s'", found);
	}
	free(cand[0]);
	free(cand[1]);
	free(self);
	return found;
}

/* Does symbol table t define a function called malloc? */
static bool
defines_malloc(const struct elffile *f, const struct elffile_symtab *t)
{
	for (size_t i = 1; i < t->count; i++) {
		const char *name;
		GElf_Sym sym;

		if (elffile_symbol(f, t, i, &sym, &name) && sym.st_shndx != SHN_UNDEF &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC && name && !strcmp(name, "malloc")) {
			return true;
		}
	}
	return false;
}

/* Check that the preload can reach path's allocations. Returns -1 after
 * reporting a static binary; warns about a program with its own malloc or a
 * setuid bit. A file that is not ELF (a script) is left to the run. */
static int
check_program(const char *path)
{
	struct elffile f = ELFFILE_INIT;
	struct elffile_symtab t = {0};
	bool interp = false, own_malloc = false;
	size_t nph = 0;
	struct stat st;
	int rc = 0;

	if (elffile_open(&f, path, NULL, 0) != ELFFILE_OK || elf_getphdrnum(f.e, &nph) < 0) {
		debug("'%s' is not an ELF file; tracing whatever runs it", path);
		goto out;
	}
	elffile_kind(&f, &interp);
	if (!interp) {
		rc = error("'%s' is a static binary: LD_PRELOAD cannot trace it", path);
		goto out;
	}
	while (!own_malloc && elffile_next_symtab(&f, &t)) {
		own_malloc = defines_malloc(&f, &t);
	}
	if (own_malloc) {
		warn("'%s' defines malloc itself: the trace may see nothing or only part", path);
	}
	if (fstat(f.fd, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID))) {
		warn("'%s' is setuid or setgid: the loader ignores LD_PRELOAD for it", path);
	}
out:
	elffile_release(&f);
	return rc;
}

/* Make sure path can be the log: not a directory, not someone else's file, and
 * writable. Leaves it empty. Returns 0, or -1 after reporting (*status set). */
static int
prepare_log(const char *path, int *status)
{
	char magic[HEAPFMT_MAGIC_LEN];
	struct stat st;
	int fd;

	*status = 2;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			return error("the log '%s' is a directory", path);
		}
		if (S_ISREG(st.st_mode) && st.st_size > 0) {
			FILE *f = fopen(path, "re");
			bool ours = f && fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
				    !memcmp(magic, HEAPFMT_MAGIC, sizeof(magic));

			if (f) {
				fclose(f);
			}
			if (!ours) {
				return error("'%s' exists and is not an ounce heap log; not "
					     "overwriting it (choose another with -o)",
					     path);
			}
		}
	}
	*status = 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return error_errno("cannot write the log '%s'", path);
	}
	close(fd);
	return 0;
}

static bool
is_heaptrace_var(const char *e)
{
	static const char *const names[] = {HEAPFMT_ENV_LOG,         HEAPFMT_ENV_FOLLOW_FORK,
	                                    HEAPFMT_ENV_FOLLOW_EXEC, HEAPFMT_ENV_STACKS,
	                                    HEAPFMT_ENV_UNWIND,      "LD_PRELOAD"};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		size_t n = strlen(names[i]);

		if (!strncmp(e, names[i], n) && e[n] == '=') {
			return true;
		}
	}
	return false;
}

/* What `ounce heap trace` asks of the tracer. */
struct trace_opts {
	bool follow_fork, follow_exec;
	int stacks;     /* frames per stack, 0: none */
	bool unwind_fp; /* --unwind fp */
};

/* ounce's environment with the preload and the tracer's variables set. */
static void
trace_env(struct strv *env, const char *lib, const char *log, const struct trace_opts *t)
{
	extern char **environ;
	const char *preload = getenv("LD_PRELOAD");
	char *v;

	for (char **e = environ; e && *e; e++) {
		if (!is_heaptrace_var(*e)) {
			strv_push(env, *e);
		}
	}
	v = preload && *preload ? xasprintf("%s:%s", lib, preload) : xstrdup(lib);
	strv_setenv(env, "LD_PRELOAD", v);
	free(v);
	strv_setenv(env, HEAPFMT_ENV_LOG, log);
	if (t->follow_fork) {
		strv_setenv(env, HEAPFMT_ENV_FOLLOW_FORK, "1");
	}
	if (t->follow_exec) {
		strv_setenv(env, HEAPFMT_ENV_FOLLOW_EXEC, "1");
	}
	if (t->stacks) {
		char n[16];

		snprintf(n, sizeof(n), "%d", t->stacks);
		strv_setenv(env, HEAPFMT_ENV_STACKS, n);
		strv_setenv(env, HEAPFMT_ENV_UNWIND, t->unwind_fp ? "fp" : "libunwind");
	}
}

/* Run CMD under the preload; the result's status is CMD's. CMD stays in
 * ounce's process group, so Ctrl-C reaches it from the terminal; ounce's own
 * SIGINT, SIGTERM or SIGHUP (os/signals.c's flag) stops it too. */
static int
run_traced(char **cmd, char *const *envp, double timeout, struct spawn_result *res)
{
	struct spawn_opts o;

	memset(&o, 0, sizeof(o));
	o.argv = cmd;
	o.envp = envp;
	o.timeout = timeout;
	o.cancel = signals_install();
	o.inherit_output = true;
	o.inherit_stdin = true;
	return spawn_run(&o, res);
}

int
heapcmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"follow-fork", no_argument, NULL, 'F'},
		{"follow-exec", no_argument, NULL, 'E'},
		{"timeout", required_argument, NULL, 'T'},
		{"stacks", required_argument, NULL, 'S'},
		{"unwind", required_argument, NULL, 'U'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = DEFAULT_LOG;
	struct trace_opts t = {0};
	struct strv env = STRV_INIT;
	struct spawn_result res;
	char *log = NULL, *lib = NULL, *prog = NULL, *end;
	struct heappack_follower *packer = NULL;
	double timeout = 0;
	bool reported;
	time_t start;
	long n;
	int c, status = 1;

	optind = 1;
	/* '+': options end at CMD, whose own options are its business */
	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'F':
			t.follow_fork = true;
			break;
		case 'E':
			t.follow_exec = true;
			break;
		case 'S':
			n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 0 || n > HEAPFMT_STACKS_MAX) {
				error("--stacks needs a number of frames from 0 to %d, not '%s'",
				      HEAPFMT_STACKS_MAX, optarg);
				return 2;
			}
			t.stacks = (int)n;
			break;
		case 'U':
			if (strcmp(optarg, "libunwind") && strcmp(optarg, "fp")) {
				error("--unwind takes 'libunwind' or 'fp', not '%s'", optarg);
				return 2;
			}
			t.unwind_fp = !strcmp(optarg, "fp");
			break;
		case 'T':
			timeout = strtod(optarg, &end);
			if (*end || end == optarg || timeout < 0) {
				error("--timeout needs a number of seconds, not '%s'", optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (!*out || strchr(out, '%')) {
		error("-o takes a plain path, not '%s': the logs of followed processes are LOG.PID",
		      out);
		return 2;
	}
	prog = spawn_which(argv[optind], NULL);
	if (!prog) {
		error("cannot run '%s': command not found", argv[optind]);
		return 127;
	}
	if (check_program(prog) < 0) {
		goto done;
	}
	lib = find_library();
	if (!lib) {
		goto done;
	}
	if (strpbrk(lib, ": ")) {
		error("cannot preload '%s': LD_PRELOAD cannot hold a path with ':' or ' '", lib);
		goto done;
	}
	/* absolute, so followed children that chdir write beside it */
	log = fs_resolve_future(out);
	if (!log || prepare_log(log, &status) < 0) {
		goto done;
	}
	trace_env(&env, lib, log, &t);
	if (t.stacks) {
		/* a log with stacks is packed while the program writes it */
		char *packed = xasprintf("%s.packing", log);

		packer = heappack_follow_start(log, packed);
		free(packed);
	}
	start = time(NULL);
	if (run_traced(argv + optind, strv_array(&env), timeout, &res) < 0) {
		/* could not start: reported */
		status = res.status ? res.status : 1;
		goto done;
	}
	status = res.status;
	if (res.end == SPAWN_TIMEOUT) {
		error("'%s' %s", argv[optind], spawn_describe(&res, timeout));
	}
	if (packer) {
		reported = pack_and_report(log, packer, false);
		packer = NULL;
	} else {
		reported = report_log(log, false, NULL);
	}
	if (!reported) {
		error("the tracer was not loaded (static or setuid program?): '%s' is empty", log);
		if (!status) {
			status = 1;
		}
	}
	if (t.follow_fork || t.follow_exec) {
		report_child_logs(log, start, t.stacks > 0);
	}
done:
	if (packer) {
		/* the program did not start: nothing to pack */
		heappack_follow_end(packer, NULL);
	}
	strv_release(&env);
	free(prog);
	free(lib);
	free(log);
	return status;
}
