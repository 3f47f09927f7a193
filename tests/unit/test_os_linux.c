/* test_os_linux.c: the core count follows the CPU affinity mask and the cgroup's
 * CPU quota; an installed ounce finds its files under the prefix it runs from. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "os/os_linux.h"
#include "testutil.h"

static void
test_os_linux_cpu_max_parse(void **state)
{
	(void)state;
	assert_int_equal(os_cpu_max_parse("max 100000\n"), 0);
	assert_int_equal(os_cpu_max_parse("max"), 0);
	assert_int_equal(os_cpu_max_parse("200000 100000\n"), 2);
	assert_int_equal(os_cpu_max_parse("150000 100000"), 2);
	assert_int_equal(os_cpu_max_parse("50000 100000\n"), 1);
	assert_int_equal(os_cpu_max_parse("100000 100000\n"), 1);
	assert_int_equal(os_cpu_max_parse("18446744073709551615 1\n"), 2147483647);
	assert_int_equal(os_cpu_max_parse(""), -1);
	assert_int_equal(os_cpu_max_parse("200000\n"), -1);
	assert_int_equal(os_cpu_max_parse("200000 0\n"), -1);
	assert_int_equal(os_cpu_max_parse("0 100000\n"), -1);
	assert_int_equal(os_cpu_max_parse("-1 100000\n"), -1);
	assert_int_equal(os_cpu_max_parse("2e5 100000\n"), -1);
	assert_int_equal(os_cpu_max_parse("maximum 100000\n"), -1);
}

/* A cgroup tree under the test's directory: the smallest quota of the process's
 * cgroup and its ancestors counts, v2 at the root or in unified/, v1 in cpu/. */
static void
test_os_linux_cgroup_cpus(void **state)
{
	struct tu_tmp *t = *state;
	char sys[128], *f = tu_write_file(t->dir, "self", "0::/a/b\n");

	snprintf(sys, sizeof(sys), "%s/sys", t->dir);
	{
		/* no files: no limit */
		assert_int_equal(os_cgroup_cpus(sys, f), 0);
		free(tu_write_file(t->dir, "sys/a/b/cpu.max", "max 100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 0);
		/* the smallest on the way to the root */
		free(tu_write_file(t->dir, "sys/a/cpu.max", "300000 100000\n"));
		free(tu_write_file(t->dir, "sys/cpu.max", "100000 100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 1);
		free(tu_write_file(t->dir, "sys/cpu.max", "max 100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 3);
		free(tu_write_file(t->dir, "sys/a/b/cpu.max", "250000 100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 3);
		free(tu_write_file(t->dir, "sys/a/b/cpu.max", "150000 100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 2);
		/* a hybrid machine: v2 in unified/; v1's cpu controller in cpu/ */
		free(f);
		f = tu_write_file(t->dir, "self", "4:memory:/m\n3:cpu,cpuacct:/c\n0::/u\n");
		assert_int_equal(os_cgroup_cpus(sys, f), 0);
		free(tu_write_file(t->dir, "sys/unified/u/cpu.max", "400000 100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 4);
		free(tu_write_file(t->dir, "sys/cpu/c/cpu.cfs_quota_us", "-1\n"));
		free(tu_write_file(t->dir, "sys/cpu/c/cpu.cfs_period_us", "100000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 4);
		free(tu_write_file(t->dir, "sys/cpu/c/cpu.cfs_quota_us", "120000\n"));
		assert_int_equal(os_cgroup_cpus(sys, f), 2);
		/* cpuacct alone is not the cpu controller; a path never leaves */
		free(f);
		f = tu_write_file(t->dir, "self", "2:cpuacct:/c\n0::/../a/b\n");
		assert_int_equal(os_cgroup_cpus(sys, f), 0);
	}
	free(f);
	assert_int_equal(os_cgroup_cpus(t->dir, "/nonexistent/cgroup"), 0);
}

/* The affinity mask of this process bounds the count, and one CPU gives 1 (what
 * `taskset -c 0 ounce matrix` gets). */
static void
test_os_linux_ncpu_follows_affinity(void **state)
{
	cpu_set_t old, one;
	int first = -1;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++) {
		if (CPU_ISSET(i, &old)) {
			first = i;
		}
	}
	assert_true(first >= 0);
	assert_true(os_ncpu() >= 1);
	assert_true(os_ncpu() <= CPU_COUNT(&old));
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(os_ncpu(), 1);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	assert_true(os_ncpu() <= CPU_COUNT(&old));
}

/* An installed ounce finds its files under the prefix it runs from: its directory
 * less the configured bindir, so a DESTDIR install reads DESTDIR's files; a build
 * directory's ounce looks above itself; a directory outside the prefix stays put. */
static void
test_os_linux_install_path(void **state)
{
	static const struct {
		const char *exe_dir, *prefix, *bindir, *dir, *want;
	} cases[] = {
		{"/usr/bin", "/usr", "bin", "share", "/usr/share/ounce"},
		{"/tmp/d/usr/local/bin", "/usr/local", "bin", "share",
		 "/tmp/d/usr/local/share/ounce"},
		/* absolute directories under the prefix move with it */
		{"/tmp/d/usr/local/bin", "/usr/local", "/usr/local/bin",
		 "/usr/local/lib/x86_64-linux-gnu", "/tmp/d/usr/local/lib/x86_64-linux-gnu/ounce"},
		{"/opt/o/sbin/tools", "/opt/o", "sbin/tools", "share", "/opt/o/share/ounce"},
		/* not the installed layout: the directory above the executable */
		{"/src/ounce/build", "/usr/local", "bin", "share", "/src/ounce/build/../share/ounce"},
		{"/x/cabin", "/usr/local", "bin", "share", "/x/cabin/../share/ounce"},
		/* outside the prefix: as configured */
		{"/tmp/d/usr/bin", "/usr", "bin", "/etc", "/etc/ounce"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = os_install_path_for(cases[i].exe_dir, cases[i].prefix, cases[i].bindir,
						cases[i].dir, "ounce");

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_linux_cpu_max_parse),
		cmocka_unit_test_setup_teardown(test_os_linux_cgroup_cpus, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_os_linux_ncpu_follows_affinity),
		cmocka_unit_test(test_os_linux_install_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
