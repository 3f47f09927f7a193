/* test_mem.c: the growing array every append loop uses (xgrowarray): it doubles,
 * keeps what it held, and never shrinks or moves when there is room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "base/mem.h"

static void
test_grow_doubles_and_keeps_the_elements(void **state)
{
	int *v = NULL;
	size_t cap = 0, grown = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		size_t before = cap;

		v = xgrowarray(v, &cap, (size_t)i + 1, sizeof(*v));
		assert_true(cap >= (size_t)i + 1);
		if (cap != before) {
			grown++;
			/* at least double: appending n elements moves them O(log n) times */
			assert_true(cap >= 2 * before);
		}
		v[i] = i * 7;
	}
	/* 8, 16, ..., 1024 */
	assert_int_equal(grown, 8);
	assert_int_equal(cap, 1024);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(v[i], i * 7);
	}
	free(v);
}

static void
test_grow_with_room_returns_the_same_array(void **state)
{
	size_t cap = 0;
	char *p = xgrowarray(NULL, &cap, 5, 1), *q;

	(void)state;
	assert_int_equal(cap, 8);
	q = xgrowarray(p, &cap, 8, 1);
	assert_ptr_equal(p, q);
	assert_int_equal(cap, 8);
	free(q);
}

static void
test_grow_to_more_than_double_takes_what_is_needed(void **state)
{
	size_t cap = 0;
	long *v = xgrowarray(NULL, &cap, 1, sizeof(*v));

	(void)state;
	v = xgrowarray(v, &cap, 100, sizeof(*v));
	assert_int_equal(cap, 100);
	v[99] = 1;
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grow_doubles_and_keeps_the_elements),
	    cmocka_unit_test(test_grow_with_room_returns_the_same_array),
	    cmocka_unit_test(test_grow_to_more_than_double_takes_what_is_needed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
