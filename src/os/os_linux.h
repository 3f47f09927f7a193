/* os_linux.h: what ounce needs from Linux beyond POSIX. */
#ifndef OUNCE_OS_LINUX_H
#define OUNCE_OS_LINUX_H

/* Where meson.build configured ounce to be installed, as get_option() gives the
 * directories (relative to the prefix, or absolute); these defaults are for a
 * compile without it. */
#ifndef OUNCE_INSTALL_PREFIX
#define OUNCE_INSTALL_PREFIX "/usr/local"
#endif
#ifndef OUNCE_INSTALL_BINDIR
#define OUNCE_INSTALL_BINDIR "bin"
#endif
#ifndef OUNCE_INSTALL_DATADIR
#define OUNCE_INSTALL_DATADIR "share"
#endif
#ifndef OUNCE_INSTALL_LIBDIR
#define OUNCE_INSTALL_LIBDIR "lib"
#endif
#ifndef OUNCE_INSTALL_MANDIR
#define OUNCE_INSTALL_MANDIR "share/man"
#endif

/* Absolute path of the running ounce executable; the caller frees it; NULL after
 * reporting. */
char *os_self_exe(void);
/* Number of processors ounce may use (at least 1): the online ones, fewer when
 * the CPU affinity mask (taskset, a cpuset) or a cgroup CPU quota (cgroup v2
 * cpu.max, v1 cpu.cfs_quota_us, as a container's --cpus sets) allows fewer. */
int os_ncpu(void);
/* The CPUs a cgroup v2 cpu.max line allows ("200000 100000": 2, rounded up);
 * 0 for "max" (no limit); -1 when it is neither. */
int os_cpu_max_parse(const char *s);
/* The smallest CPU quota of this process's cgroups and their ancestors, from the
 * cgroup file proc_cgroup (/proc/self/cgroup) and the hierarchies mounted under
 * sysfs (/sys/fs/cgroup: v2 there or in unified/, v1 in cpu/); 0 when none. */
int os_cgroup_cpus(const char *sysfs, const char *proc_cgroup);
/* DIR/SUB of the installation ounce runs from: DIR is a configured install
 * directory (datadir, libdir, mandir: relative to the prefix, or absolute), found
 * from the executable's path with the configured bindir taken off its end (else
 * its parent directory), so that an install copied elsewhere (a DESTDIR) finds its
 * own files. A DIR outside the prefix is used as it is. The path may not exist;
 * the caller frees it; NULL after reporting. */
char *os_install_path(const char *dir, const char *sub);
/* os_install_path's answer for an executable in exe_dir of an installation
 * configured with prefix and bindir; the caller frees it. */
char *os_install_path_for(const char *exe_dir, const char *prefix, const char *bindir,
			  const char *dir, const char *sub);
/* The directory holding ounce's data (profiles/, recipes/): $OUNCE_DATADIR, else
 * the installed DATADIR/ounce (os_install_path), else the source tree it was built
 * from; logs which at debug level. The caller frees it; NULL after reporting. */
char *os_data_dir(void);

#endif
