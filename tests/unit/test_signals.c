/* test_signals.c: the interrupt flag: a caught signal is recorded, not acted on
 * (the process goes on), and SIGPIPE is ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>

#include "os/signals.h"

static void
test_signals_caught_are_recorded(void **state)
{
	volatile sig_atomic_t *flag = signals_install();

	(void)state;
	assert_int_equal(*flag, 0);
	/* the same flag however often it is installed */
	assert_ptr_equal(signals_install(), flag);
	assert_int_equal(raise(SIGPIPE), 0);
	assert_int_equal(*flag, 0);
	assert_int_equal(raise(SIGTERM), 0);
	assert_int_equal(*flag, SIGTERM);
	assert_int_equal(raise(SIGINT), 0);
	assert_int_equal(*flag, SIGINT);
	*flag = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signals_caught_are_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
