/* test_demangle.c: demangling (C++, Rust, plain C) and folding template and
 * generic arguments for tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "base/demangle.h"

static void
check_shorten(const char *in, const char *want)
{
	char *got = demangle_shorten(in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_demangle_names(void **state)
{
	char *d;

	(void)state;
	d = demangle("_ZNSt6vectorIiSaIiEE9push_backERKi");
	assert_string_equal(d, "std::vector<int, std::allocator<int> >::push_back(int const&)");
	free(d);
	d = demangle("_ZN10tinyrocket4main17h67792ca37d7948cfE");
	assert_string_equal(d, "tinyrocket::main");
	free(d);
	d = demangle("main");
	assert_string_equal(d, "main");
	free(d);
}

static void
test_demangle_shorten(void **state)
{
	(void)state;
	check_shorten("std::vector<int, std::allocator<int> >::push_back(int const&)",
		      "std::vector<...>::push_back(int const&)");
	check_shorten(
	    "<std::sync::once::Once>::call_once_force::<<std::sync::OnceLock<u8>>::f>::{closure#0}",
	    "<std::sync::once::Once>::call_once_force::<...>::{closure#0}");
	check_shorten("<alloc::vec::Vec<u8> as core::ops::Drop>::drop",
		      "<alloc::vec::Vec<...> as core::ops::Drop>::drop");
	check_shorten("operator<<(std::ostream&, int)", "operator<<(std::ostream&, int)");
	check_shorten("bool operator< <int>(int, int)", "bool operator< <int>(int, int)");
	check_shorten("plain_c_function", "plain_c_function");
	/* unbalanced: left as it is */
	check_shorten("broken<name", "broken<name");
	check_shorten("", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demangle_names),
		cmocka_unit_test(test_demangle_shorten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
