/* os_linux.h: what ounce needs from Linux beyond POSIX. */
#ifndef OUNCE_OS_LINUX_H
#define OUNCE_OS_LINUX_H

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
/* The directory holding ounce's data (profiles/, recipes/): $OUNCE_DATADIR, else
 * ../share/ounce beside the executable, else the source tree it was built from.
 * The caller frees it; NULL after reporting. */
char *os_data_dir(void);

#endif
