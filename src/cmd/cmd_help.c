/* cmd_help.c: the manual page behind `ounce help [COMMAND]`: the installed page,
 * else the one in the build tree, shown by man(1). main.c prints the command's
 * --help text instead when there is no page or no man. */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "os/os_linux.h"
#include "os/spawn.h"
#include "base/banned.h"

/* The file of manual page NAME(1): the installed one (MANDIR/man1 of the prefix
 * ounce runs from), else the one ninja built in the build tree, doc/ beside the
 * executable. NULL when neither exists; the caller frees it. */
static char *
find_page(const char *name)
{
	char *sub = xasprintf("man1/%s.1", name), *path, *self, *slash;

	path = os_install_path(OUNCE_INSTALL_MANDIR, sub);
	free(sub);
	if (path && fs_exists(path)) {
		return path;
	}
	free(path);
	self = os_self_exe();
	slash = self ? strrchr(self, '/') : NULL;
	if (!slash) {
		free(self);
		return NULL;
	}
	*slash = '\0';
	path = xasprintf("%s/doc/%s.1", self, name);
	free(self);
	if (fs_exists(path)) {
		return path;
	}
	free(path);
	return NULL;
}

int
cmd_help_page(const char *name)
{
	char *page = find_page(name), *man = spawn_which("man", NULL);
	char *argv[4];

	if (!page || !man) {
		debug("no %s to show: printing the --help text",
		      !page ? "manual page" : "man command");
		free(page);
		free(man);
		return -1;
	}
	/* man replaces ounce: it and its pager own the terminal and its signals
	 * (Ctrl-C in the pager), and its exit status is ounce's */
	argv[0] = man;
	argv[1] = xstrdup("-l");
	argv[2] = page;
	argv[3] = NULL;
	fflush(NULL);
	debug("man -l '%s'", page);
	spawn_exec(argv);
	free(argv[1]);
	free(page);
	free(man);
	return -1;
}
