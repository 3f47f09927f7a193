/* os_linux.h: what ounce needs from Linux beyond POSIX. */
#ifndef OUNCE_OS_LINUX_H
#define OUNCE_OS_LINUX_H

/* Absolute path of the running ounce executable; the caller frees it; NULL after
 * reporting. */
char *os_self_exe(void);
/* Number of online processors (at least 1). */
int os_ncpu(void);
/* The directory holding ounce's data (profiles/, recipes/): $OUNCE_DATADIR, else
 * ../share/ounce beside the executable, else the source tree it was built from.
 * The caller frees it; NULL after reporting. */
char *os_data_dir(void);

#endif
