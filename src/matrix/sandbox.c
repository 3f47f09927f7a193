/* sandbox.c: the launcher every build step runs through (ounce __launch), and the
 * check that the user's tree was not written. The launcher ties the step's life to
 * ounce's (PR_SET_PDEATHSIG) and reaps what the step leaves running (a subreaper,
 * or the init of a pid namespace); where the machine allows namespaces, it mounts
 * the project read-only first, so a build that writes an absolute path into it
 * fails instead of changing the user's files. No dependency: unshare and mount. */
#define _GNU_SOURCE /* unshare, pipe2 */
#include "matrix/sandbox.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/project.h"
#include "matrix/run.h"
#include "matrix/stage.h"
#include "os/clock.h"
#include "os/fsutil.h"
#include "os/hash.h"
#include "os/os_linux.h"
#include "os/spawn.h"
#include <xxhash.h>
#include "base/banned.h"

extern char **environ;

/* ---- the launcher: a process of its own, single-threaded, that exits with _exit */

struct launch {
	bool ns, probe;
	char **ro, **rw;	/* NULL-terminated */
	pid_t parent;		/* ounce */
	int report;		/* the pipe to spawn_run, or -1 */
	char *path;		/* the program, its argv and environment */
	char **argv;
	char **envp;
	sigset_t orig;		/* the signal mask the program gets back */
	sigset_t set;		/* what the launcher waits for */
};

/* A line for spawn_run on l's report pipe (nothing when there is none). */
static void OUNCE_PRINTF(2, 3)
report(const struct launch *l, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && l->report >= 0) {
		ssize_t w = write(l->report, line, (size_t)n < sizeof(line) ? (size_t)n
									 : sizeof(line) - 1);
		(void)w;
	}
}

/* The sandbox could not be set up (errno says why): say so (on stdout for a
 * probe, which ounce reads; else in the log) and end. */
static _Noreturn void
setup_failed(const struct launch *l, const char *what)
{
	int e = errno;

	if (l->probe) {
		printf("%s: %s\n", what, strerror(e));
		fflush(stdout);
	} else {
		fprintf(stderr, "ounce: error: cannot sandbox the build: %s: %s\n", what,
			strerror(e));
		report(l, "n %d %s\n", e, what);
	}
	_exit(127);
}

static int
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return -1;
	}
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The flags that remount a bind mount read-only (ro) or writable, with those it
 * has (sv): a user namespace may not drop nosuid, nodev, noexec or the atime mode. */
static unsigned long
remount_flags(const struct statvfs *sv, bool ro)
{
	static const struct {
		unsigned long st, ms;
	} keep[] = {
		{ST_NOSUID, MS_NOSUID},     {ST_NODEV, MS_NODEV},	  {ST_NOEXEC, MS_NOEXEC},
		{ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
	};
	unsigned long flags = MS_BIND | MS_REMOUNT | (ro ? MS_RDONLY : 0);

	for (size_t i = 0; i < sizeof(keep) / sizeof(*keep); i++) {
		if (sv->f_flag & keep[i].st) {
			flags |= keep[i].ms;
		}
	}
	return flags;
}

/* Bind-mount dir on itself and remount it read-only (ro) or writable. Returns 0
 * or -1 with errno set. */
static int
rebind(const char *dir, bool ro)
{
	struct statvfs sv;

	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0 || statvfs(dir, &sv) < 0) {
		return -1;
	}
	return mount(NULL, dir, NULL, remount_flags(&sv, ro), NULL);
}

/* Make every mount below dir read-only too (a recursive bind mount brings them
 * along as they were), as rebind does dir. Returns 0 or -1 with errno set. */
static int
ro_below(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[PATH_MAX + 512], mp[PATH_MAX];
	size_t n = strlen(dir);
	int rc = 0;

	if (!f) {
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *p = line, *q = mp;

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...", with ' ', '\t', '\n' and
		 * '\\' in octal escapes */
		for (int field = 0; field < 4 && p; field++) {
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
		if (!p) {
			continue;
		}
		while (*p && *p != ' ' && q < mp + sizeof(mp) - 1) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				*q++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
				p += 4;
			} else {
				*q++ = *p++;
			}
		}
		*q = '\0';
		if (!strncmp(mp, dir, n) && mp[n] == '/') {
			struct statvfs sv;

			rc = statvfs(mp, &sv) < 0 ? -1
			     : mount(NULL, mp, NULL, remount_flags(&sv, true), NULL);
		}
	}
	fclose(f);
	return rc;
}

/* Enter mount and pid namespaces (with a user namespace when ounce may not create
 * them alone), mount the ro directories read-only and the rw ones inside them
 * writable again. Ends the launcher when it cannot. */
static void
enter_ns(const struct launch *l)
{
	char cwd[PATH_MAX], map[64];

	if (!getcwd(cwd, sizeof(cwd))) {
		setup_failed(l, "getcwd");
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) {
		uid_t uid = geteuid();
		gid_t gid = getegid();

		if (errno != EPERM) {
			setup_failed(l, "cannot create mount and pid namespaces");
		}
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0) {
			/* ENOSPC: the user.max_user_namespaces sysctl's limit */
			setup_failed(l, errno == ENOSPC ? "cannot create a user namespace (the "
							  "limit of user.max_user_namespaces)"
							: "cannot create a user namespace");
		}
		/* the same ids inside, so files keep their owners */
		snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)uid, (unsigned long)uid);
		if ((write_text("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) ||
		    write_text("/proc/self/uid_map", map) < 0) {
			setup_failed(l, "cannot map the user id in a user namespace");
		}
		snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)gid, (unsigned long)gid);
		if (write_text("/proc/self/gid_map", map) < 0) {
			setup_failed(l, "cannot map the group id in a user namespace");
		}
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		setup_failed(l, "cannot make the mounts private");
	}
	for (char **d = l->ro; *d; d++) {
		if (rebind(*d, true) < 0 || ro_below(*d) < 0) {
			setup_failed(l, "cannot mount the project read-only");
		}
	}
	for (char **d = l->rw; *d; d++) {
		if (rebind(*d, false) < 0) {
			setup_failed(l, "cannot keep the work directory writable");
		}
	}
	/* the working directory still holds the mount it was on: look it up again */
	if (chdir(cwd) < 0) {
		setup_failed(l, "chdir");
	}
}

/* The program itself: the signals ounce's launcher blocked back, then exec. */
static _Noreturn void
run_program(const struct launch *l)
{
	sigprocmask(SIG_SETMASK, &l->orig, NULL);
	execve(l->path, l->argv, l->envp);
	report(l, "x %d\n", errno);
	_exit(127);
}

/* Kill every child of this process (orphans reparented to it included) found in
 * /proc. Returns how many there were. */
static int
kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();
	int n = 0;

	if (!d) {
		return 0;
	}
	while ((e = readdir(d))) {
		char path[300], text[512], *p;
		long ppid = 0;
		ssize_t len;
		int fd;

		if (!isdigit((unsigned char)e->d_name[0])) {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (len <= 0) {
			continue;
		}
		text[len] = '\0';
		/* "PID (COMM) STATE PPID ...": COMM may hold anything, ')' included */
		p = strrchr(text, ')');
		if (p && sscanf(p, ") %*c %ld", &ppid) == 1 && ppid == (long)me) {
			kill((pid_t)strtol(e->d_name, NULL, 10), SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Without a pid namespace: kill and reap everything left below the launcher (a
 * subreaper, so a daemon the build started with setsid is its child by now), for
 * at most 5 s. */
static void
kill_descendants(void)
{
	struct timespec nap = {0, 2000000};

	for (int i = 0; i < 2500; i++) {
		int found = kill_children(), reaped = 0;
		pid_t r;

		while ((r = waitpid(-1, NULL, WNOHANG)) > 0) {
			reaped++;
		}
		if (r < 0 && errno == ECHILD) {
			return;
		}
		if (!found && !reaped) {
			nanosleep(&nap, NULL);
		}
	}
}

/* Reap children until pid ends (orphans reparented here go too), then report
 * its peak RSS (with report_rss) and return its status as a shell gives it
 * (128+N after signal N). When ounce goes away (SIGUSR1, the launcher's
 * PR_SET_PDEATHSIG), kill what runs (victim, or every descendant) and end. */
static int
reap_until(const struct launch *l, pid_t pid, bool report_rss, pid_t victim)
{
	double kill_at = 0;

	for (;;) {
		struct timespec tick = {0, 50000000};
		siginfo_t si;
		int sig = kill_at ? sigtimedwait(&l->set, &si, &tick) : sigwaitinfo(&l->set, &si);

		if (kill_at && clock_now() >= kill_at) {
			/* the program did not stop when its group was told to: kill it
			 * and all it started before ounce's SIGKILL would end the
			 * launcher and leave a daemon of the program's running */
			kill_descendants();
			return 128 + SIGKILL;
		}
		if (sig == SIGUSR1) {
			if (victim > 0) {
				kill(victim, SIGKILL);
			} else {
				kill_descendants();
			}
			_exit(128 + SIGKILL);
		}
		if (sig != SIGCHLD) {
			/* a signal to the build's process group reaches the build
			 * itself: the launcher stays until the build ends, for a
			 * while when ounce sent it (from outside a pid namespace, the
			 * sender's pid is 0) */
			if (sig > 0 && !kill_at && victim <= 0 &&
			    (si.si_pid == l->parent || (l->ns && si.si_pid == 0))) {
				kill_at = clock_now() + SPAWN_KILL_GRACE - 0.5;
			}
			continue;
		}
		for (;;) {
			struct rusage ru;
			int st;
			pid_t r = wait4(-1, &st, WNOHANG, &ru);

			if (r < 0 && errno == ECHILD) {
				/* reaped by no one can tell: it is gone */
				return 255;
			}
			if (r <= 0) {
				break;
			}
			if (r == pid) {
				if (report_rss) {
					report(l, "r %ld\n", ru.ru_maxrss);
				}
				return WIFEXITED(st)     ? WEXITSTATUS(st)
				       : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
							 : 255;
			}
		}
	}
}

/* pid 1 of the new pid namespace: run the program and end with it, so that the
 * kernel kills whatever else still runs in the namespace. */
static _Noreturn void
init_main(const struct launch *l, int alive)
{
	struct pollfd p = {alive, POLLIN, 0};
	pid_t pid;

	/* the launcher's end of the pipe closes when it dies: if it did before
	 * PR_SET_PDEATHSIG took effect, end here */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&p, 1, 0) != 0) {
		_exit(128 + SIGKILL);
	}
	close(alive);
	if (l->probe) {
		_exit(0);
	}
	/* the program's pids are the namespace's: the /proc it reads should be
	 * too (a build reading /proc/$$ would find another process); where that
	 * is refused (a container that masks parts of /proc), the host's stays */
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	pid = fork();
	if (pid < 0) {
		setup_failed(l, "fork");
	}
	if (pid == 0) {
		run_program(l);
	}
	_exit(reap_until(l, pid, true, 0));
}

/* Parse the launcher's arguments into l. Returns 0 or -1. */
static int
parse_launch(int argc, char **argv, struct launch *l)
{
	size_t nro = 0, nrw = 0;
	int i;

	l->ro = xcalloc((size_t)argc + 1, sizeof(*l->ro));
	l->rw = xcalloc((size_t)argc + 1, sizeof(*l->rw));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ns")) {
			l->ns = true;
		} else if (!strcmp(argv[i], "--probe")) {
			l->probe = true;
		} else if (!strcmp(argv[i], "--ro") && i + 1 < argc) {
			l->ro[nro++] = argv[++i];
		} else if (!strcmp(argv[i], "--rw") && i + 1 < argc) {
			l->rw[nrw++] = argv[++i];
		} else if (!strcmp(argv[i], "--parent") && i + 1 < argc) {
			l->parent = (pid_t)strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--report") && i + 1 < argc) {
			l->report = (int)strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			return -1;
		}
	}
	if (i + 1 < argc) {
		l->path = argv[i];
		l->argv = argv + i + 1;
	}
	return l->parent > 0 && (l->path || l->probe) ? 0 : -1;
}

int
sandbox_launch(int argc, char **argv)
{
	struct launch l = {.report = -1};
	size_t n = 0, k = strlen(SPAWN_LAUNCH_ENV);
	int alive[2] = {-1, -1}, st;
	pid_t pid;

	if (parse_launch(argc, argv, &l) < 0) {
		fprintf(stderr, "ounce: error: '%s' is for ounce's own use\n", SPAWN_LAUNCH_CMD);
		free(l.ro);
		free(l.rw);
		return 2;
	}
	/* the loader's variables go back to their names for the program */
	while (environ[n]) {
		n++;
	}
	l.envp = xcalloc(n + 1, sizeof(*l.envp));
	for (size_t i = 0; i < n; i++) {
		l.envp[i] = environ[i] + (strncmp(environ[i], SPAWN_LAUNCH_ENV, k) ? 0 : k);
	}
	/* the report pipe is the launcher's, not the program's */
	if (l.report >= 0 && fcntl(l.report, F_SETFD, FD_CLOEXEC) < 0) {
		l.report = -1;
	}
	/* an ignored SIGCHLD (inherited through exec) would reap the program
	 * before the launcher could see how it ended */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&l.set);
	sigaddset(&l.set, SIGCHLD);
	sigaddset(&l.set, SIGUSR1);
	sigaddset(&l.set, SIGTERM);
	sigaddset(&l.set, SIGINT);
	sigaddset(&l.set, SIGHUP);
	sigaddset(&l.set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &l.set, &l.orig);
	/* ounce may have died before PR_SET_PDEATHSIG took effect: then the
	 * launcher has another parent already */
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0 || getppid() != l.parent) {
		_exit(128 + SIGKILL);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (l.ns) {
		enter_ns(&l);
		for (char **d = l.ro; l.probe && *d; d++) {
			struct statvfs sv;

			if (statvfs(*d, &sv) < 0) {
				setup_failed(&l, "statvfs");
			}
			if (!(sv.f_flag & ST_RDONLY)) {
				errno = EPERM;
				setup_failed(&l, "the project stays writable");
			}
		}
		if (pipe2(alive, O_CLOEXEC) < 0) {
			setup_failed(&l, "pipe");
		}
	}
	pid = fork();
	if (pid < 0) {
		setup_failed(&l, l.ns ? "cannot start a process in a pid namespace" : "fork");
	}
	if (pid == 0) {
		if (l.ns) {
			close(alive[1]);
			init_main(&l, alive[0]);
		}
		run_program(&l);
	}
	if (l.ns) {
		close(alive[0]);
		/* the init ends with the program, and the namespace with it */
		st = reap_until(&l, pid, false, pid);
	} else {
		st = reap_until(&l, pid, true, 0);
		kill_descendants();
	}
	_exit(st);
}

/* ---- in ounce: set-up, and the check of the tree */

struct sandbox {
	struct spawn_sandbox sp;
	struct strv ro, rw;
	char *dir;		/* the tree checked: the project's (stage_dir) */
	struct strv exclude;
	char *skip;		/* the work directory */
	XXH128_hash_t hash;
	char *self;		/* ounce's path when sandbox_for looked it up */
	struct strv files;	/* "PATH\tKIND MODE SIZE MTIME" of each entry, sorted: to name changes */
	char *given;		/* the directory the user named, when it holds the project */
	struct strv given_files;	/* its entries but the project's and the work directory's */
	/* ounce's stdout and stderr when they are files ("@DEV:INO"), which the user
	 * may have put in the tree (ounce matrix > sizes.txt): not a change */
	char own[2][48];
};

/* Add dir (absolute) to ro unless a directory of ro holds it; drop those it holds. */
static void
add_ro(struct strv *ro, const char *dir)
{
	struct strv keep = STRV_INIT;

	for (size_t i = 0; i < ro->n; i++) {
		if (fs_path_inside(dir, ro->v[i])) {
			strv_release(&keep);
			return;
		}
	}
	for (size_t i = 0; i < ro->n; i++) {
		if (!fs_path_inside(ro->v[i], dir)) {
			strv_push(&keep, ro->v[i]);
		}
	}
	strv_push(&keep, dir);
	strv_release(ro);
	*ro = keep;
}

/* What each entry below dir is (rel: its path in the tree), into files: enough
 * to name what changed (any write changes a file's time). Not listed: .git and the
 * names in exclude (may be NULL) at the top, the directories skip and skip2 (may
 * be NULL). */
static void
list_tree(const char *dir, const char *rel, const struct strv *exclude, const char *skip,
	  const char *skip2, struct strv *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		char *path, *name;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (!*rel && (!strcmp(e->d_name, ".git") ||
			       (exclude && strv_has(exclude, e->d_name))))) {
			continue;
		}
		path = xasprintf("%s/%s", dir, e->d_name);
		name = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (lstat(path, &st) == 0 && !(skip && !strcmp(path, skip)) &&
		    !(skip2 && !strcmp(path, skip2))) {
			/* a directory's own times change with what it holds */
			if (S_ISDIR(st.st_mode)) {
				strv_push_owned(files, xasprintf("%s\td", name));
				list_tree(path, name, exclude, skip, skip2, files);
			} else {
				strv_push_owned(files, xasprintf("%s\t%c %o %lld %lld.%09ld @%ju:%ju", name,
								 S_ISLNK(st.st_mode) ? 'l' : 'f',
								 (unsigned)st.st_mode & 07777,
								 (long long)st.st_size,
								 (long long)st.st_mtim.tv_sec,
								 st.st_mtim.tv_nsec,
								 (uintmax_t)st.st_dev,
								 (uintmax_t)st.st_ino));
			}
		}
		free(path);
		free(name);
	}
	closedir(d);
}

/* Hash and list the tree into *hash and files, and list the directory the user
 * named around it into given. Returns 0 or -1 (reported). */
static int
snapshot(const struct sandbox *sb, XXH128_hash_t *hash, struct strv *files, struct strv *given)
{
	XXH3_state_t *st = hash_new();
	int rc;

	rc = stage_hash(sb->dir, &sb->exclude, sb->skip, st);
	*hash = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	list_tree(sb->dir, "", &sb->exclude, sb->skip, NULL, files);
	strv_sort(files);
	if (sb->given) {
		list_tree(sb->given, "", NULL, sb->skip, sb->dir, given);
		strv_sort(given);
	}
	return rc;
}

/* Ask the launcher to set up the namespaces and change nothing: NULL when it can,
 * else why not (the caller frees it). */
static char *
probe(const struct sandbox *sb)
{
	struct strv argv = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	struct buf out = BUF_INIT;
	char *why = NULL;

	strv_push(&argv, sb->sp.launcher);
	strv_push(&argv, SPAWN_LAUNCH_CMD);
	strv_push(&argv, "--ns");
	strv_push(&argv, "--probe");
	for (size_t i = 0; i < sb->ro.n; i++) {
		strv_push(&argv, "--ro");
		strv_push(&argv, sb->ro.v[i]);
	}
	for (size_t i = 0; i < sb->rw.n; i++) {
		strv_push(&argv, "--rw");
		strv_push(&argv, sb->rw.v[i]);
	}
	strv_push(&argv, "--parent");
	strv_push_owned(&argv, xasprintf("%ld", (long)getpid()));
	o.argv = strv_array(&argv);
	o.out = &out;
	o.timeout = 30;
	if (spawn_run(&o, &res) < 0) {
		why = xstrdup("cannot run ounce's launcher");
	} else if (res.end != SPAWN_EXITED || res.status != 0) {
		const char *s = buf_str(&out);

		why = *s ? xstrndup(s, strcspn(s, "\n")) : xstrdup(spawn_describe(&res, 30));
	}
	buf_release(&out);
	strv_release(&argv);
	return why;
}

/* Is the listed entry s ounce's stdout or stderr? */
static bool
is_own(const struct sandbox *sb, const char *s)
{
	size_t n = strlen(s);

	for (int i = 0; i < 2; i++) {
		size_t m = strlen(sb->own[i]);

		if (m && n > m && !strcmp(s + n - m, sb->own[i])) {
			return true;
		}
	}
	return false;
}

/* Up to 5 names of what differs between the sorted listings a and b, in out,
 * but ounce's own output files (sb->own), of which *own_changed tells. */
static void
name_changes(const struct sandbox *sb, const struct strv *a, const struct strv *b,
	     struct buf *out, bool *own_changed)
{
	struct strv names = STRV_INIT;
	size_t i = 0, j = 0, n = 0;

	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);
		const char *s;

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		s = c < 0 ? a->v[i++] : b->v[j++];
		if (is_own(sb, s)) {
			*own_changed = true;
			continue;
		}
		strv_push_owned(&names, xstrndup(s, strcspn(s, "\t")));
	}
	/* an entry that changed is in both lists: name it once */
	strv_sort(&names);
	for (size_t k = 0; k < names.n; k++) {
		if (k && !strcmp(names.v[k], names.v[k - 1])) {
			continue;
		}
		if (n < 5) {
			buf_printf(out, "%s%s", n ? ", " : "", names.v[k]);
		}
		n++;
	}
	if (n > 5) {
		buf_printf(out, " (and %zu more)", n - 5);
	}
	strv_release(&names);
}

/* Make dirs (absolute; NULL-terminated) read-only to sb's build steps when the
 * machine allows it, workdir (when inside one of them) writable; when it does not,
 * warn (with say) or note it at debug level. */
static void
confine(struct sandbox *sb, const char *const *dirs, const char *workdir, bool say)
{
	char *why;

	for (const char *const *d = dirs; *d; d++) {
		add_ro(&sb->ro, *d);
	}
	for (size_t i = 0; workdir && i < sb->ro.n; i++) {
		if (fs_path_inside(workdir, sb->ro.v[i])) {
			strv_push(&sb->rw, workdir);
			break;
		}
	}
	why = probe(sb);
	if (why && say) {
		warn("builds are not sandboxed: %s (a build can write into '%s'; the tree is "
		     "checked after the run)",
		     why, dirs[0]);
	} else if (why) {
		debug("builds are not sandboxed: %s", why);
	} else {
		sb->sp.ns = true;
		sb->sp.ro = strv_array(&sb->ro);
		sb->sp.rw = strv_array(&sb->rw);
		debug("builds run with '%s' read-only", dirs[0]);
	}
	free(why);
}

struct sandbox *
sandbox_open(struct run *run, const char *given, bool enabled)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	const struct project *p = run->project;
	char *g = given ? fs_realpath(given) : NULL;
	const char *dirs[] = {p->stage_dir, p->dir, g, NULL};

	sb->sp.launcher = run->self;
	sb->dir = xstrdup(p->stage_dir);
	strv_extend(&sb->exclude, &p->exclude);
	sb->skip = run->workdir ? xstrdup(run->workdir) : NULL;
	for (int fd = 1; fd <= 2; fd++) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			/* the end of a listed entry's line (is_own) */
			snprintf(sb->own[fd - 1], sizeof(sb->own[0]), " @%ju:%ju", (uintmax_t)st.st_dev,
				 (uintmax_t)st.st_ino);
		}
	}
	if (enabled) {
		confine(sb, dirs, run->workdir, true);
	}
	if (g && strcmp(g, p->stage_dir) && fs_path_inside(p->stage_dir, g)) {
		sb->given = g;
		g = NULL;
	}
	free(g);
	if (snapshot(sb, &sb->hash, &sb->files, &sb->given_files) < 0) {
		sandbox_free(sb);
		return NULL;
	}
	run->sandbox = &sb->sp;
	return sb;
}

const struct spawn_sandbox *
sandbox_for(const char *dir, const char *workdir, struct sandbox **owner)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	const char *dirs[] = {dir, NULL};

	sb->sp.launcher = sb->self = os_self_exe();
	*owner = sb;
	if (!sb->self) {
		return NULL;
	}
	confine(sb, dirs, workdir, false);
	return &sb->sp;
}

void
sandbox_free(struct sandbox *sb)
{
	if (!sb) {
		return;
	}
	strv_release(&sb->files);
	strv_release(&sb->given_files);
	free(sb->given);
	strv_release(&sb->ro);
	strv_release(&sb->rw);
	strv_release(&sb->exclude);
	free(sb->dir);
	free(sb->skip);
	free(sb->self);
	free(sb);
}

/* Say that sb's tree (what: its name) changed during the run (names: what
 * changed): where the builds could not write it, a warning (it was edited, and the
 * results describe the snapshot the run took first); else an error. Returns 0 or
 * -1 for an error. */
static int
changed(const struct sandbox *sb, const char *what, const char *names)
{
	if (sb->sp.ns) {
		warn("%s changed during the run: %s; not by a build (it was read-only to them): it "
		     "was edited meanwhile, and the results describe it as it was when the run "
		     "started",
		     what, names);
		return 0;
	}
	return error("%s changed during the run: %s; a build wrote into it (builds are not "
		     "sandboxed here), or it was edited during the run",
		     what, names);
}

int
sandbox_close(struct sandbox *sb)
{
	XXH128_hash_t now;
	struct strv files = STRV_INIT, given = STRV_INIT;
	struct buf names = BUF_INIT;
	bool own = false;
	int rc = 0;

	if (!sb) {
		return 0;
	}
	if (snapshot(sb, &now, &files, &given) < 0) {
		rc = -1;
	} else {
		char *what;

		name_changes(sb, &sb->files, &files, &names, &own);
		/* the hash also sees what keeps its size and times; a change of
		 * ounce's own output file alone is none */
		if (names.len || (!XXH128_isEqual(now, sb->hash) && !own)) {
			rc = changed(sb, "the project tree", names.len ? buf_str(&names) : sb->dir);
		}
		buf_reset(&names);
		name_changes(sb, &sb->given_files, &given, &names, &own);
		if (names.len) {
			what = xasprintf("'%s', the directory the run was given,", sb->given);
			rc = changed(sb, what, buf_str(&names)) < 0 ? -1 : rc;
			free(what);
		}
	}
	buf_release(&names);
	strv_release(&files);
	strv_release(&given);
	sandbox_free(sb);
	return rc;
}
