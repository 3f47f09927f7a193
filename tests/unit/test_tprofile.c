/* test_tprofile.c: time profiles: perf script samples and callgrind contexts folded
 * into stacks (names demangled, versions and " (inlined)" cut, recursion levels
 * and compressed names of callgrind), malformed input refused, and the
 * differential graph's colours and titles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "report/tprofile.h"
#include "flameboxes.h"
#include "testutil.h"

/* The node at the path of names (outermost first) under n, or NULL. */
static const struct flamegraph_node *
at(const struct flamegraph_node *n, const char *const *path)
{
	for (; *path; path++) {
		const struct flamegraph_node *k = NULL;

		for (size_t i = 0; i < n->nkids; i++) {
			if (!strcmp(n->kids[i]->name, *path)) {
				k = n->kids[i];
			}
		}
		if (!k) {
			return NULL;
		}
		n = k;
	}
	return n;
}

static unsigned long long
value_at(const struct flamegraph_node *root, const char *const *path)
{
	const struct flamegraph_node *n = at(root, path);

	if (!n) {
		struct buf b = BUF_INIT;

		for (const char *const *q = path; *q; q++) {
			buf_printf(&b, "%s;", *q);
		}
		fail_msg("no node at %s", buf_str(&b));
	}
	return n->value;
}

/* perf script -F comm,pid,period,ip,sym: three samples of "prog", one of a
 * command whose name has a space, one without frames */
static const char perf_text[] = "prog 100     250000 \n"
                                "\t            11d4 hot_loop\n"
                                "\t            1087 main\n"
                                "\t           27249 __libc_start_call_main\n"
                                "\n"
                                "prog 100     250000 \n"
                                "\t            11d7 hot_loop.cold (inlined)\n"
                                "\t            1087 main\n"
                                "\t           27249 __libc_start_call_main\n"
                                "\n"
                                "prog 100     250000 \n"
                                "\t            2000 _ZNSt6vectorIiSaIiEE9push_backERKi.isra.0\n"
                                "\t            1087 main\n"
                                "\t           27249 __libc_start_call_main\n"
                                "\n"
                                "Web Content 7 250000 \n"
                                "\tffffffff81000000 [unknown]\n"
                                "\t           20d07 memcpy@@GLIBC_2.14\n"
                                "\n"
                                "prog 101 1000\n";

static void
test_tprofile_perf_stacks(void **state)
{
	struct tprofile p;
	const struct flamegraph_node *r;

	(void)state;
	tprofile_init(&p, "cell", TPROFILE_PERF);
	assert_int_equal(tprofile_add_perf(&p, perf_text, "perf.data"), 5);
	flamegraph_finish(&p.root);
	r = &p.root;
	assert_int_equal(p.total, 5);
	assert_int_equal(p.period_ns, 4 * 250000 + 1000);
	assert_int_equal(r->value, 5);
	assert_int_equal(value_at(r, (const char *const[]){"prog", NULL}), 4);
	/* outermost first; an inlined frame and a clone count with the function */
	assert_int_equal(value_at(r, (const char *const[]){"prog", "__libc_start_call_main", "main",
	                                                   "hot_loop", NULL}),
	                 2);
	assert_int_equal(
	    value_at(r, (const char *const[]){"prog", "__libc_start_call_main", "main",
	                                      "std::vector<...>::push_back(int const&)", NULL}),
	    1);
	/* a command with a space; a symbol version cut */
	assert_int_equal(
	    value_at(r, (const char *const[]){"Web Content", "memcpy", "[unknown]", NULL}), 1);
	/* a sample without frames stands on its process */
	assert_int_equal(at(r, (const char *const[]){"prog", NULL})->self, 1);
	tprofile_release(&p);
}

/* Another program's samples compared as the first's: its process (perf's comm,
 * cut at 15 bytes) renamed; another process keeps its name. The SVG says what
 * measured it. */
static void
test_tprofile_perf_renamed(void **state)
{
	static const char text[] = "a_long_program_ 1 1000000\n\t1 f\n\n"
	                           "sh 2 1000000\n\t1 g\n\n";
	struct tprofile p;
	struct buf svg = BUF_INIT;

	(void)state;
	tprofile_init(&p, "./a_long_program_name", TPROFILE_PERF);
	p.program = xstrdup("a_long_program_name");
	p.program_as = xstrdup("prog");
	assert_int_equal(tprofile_add_perf(&p, text, "t"), 2);
	tprofile_svg(&p, "./a_long_program_name", &svg);
	assert_int_equal(value_at(&p.root, (const char *const[]){"prog", "f", NULL}), 1);
	assert_int_equal(value_at(&p.root, (const char *const[]){"sh", "g", NULL}), 1);
	tu_assert_contains(buf_str(&svg), ">Time flame graph of ./a_long_program_name</text>");
	tu_assert_contains(
	    buf_str(&svg),
	    ">2 cpu-clock samples by perf (DWARF call chains), 0.00 s of CPU</text>");
	buf_release(&svg);
	tprofile_release(&p);
}

/* --process: only the named program's stacks are kept (a perf comm cut at 15
 * bytes matches the whole name), the others counted apart. */
static void
test_tprofile_only(void **state)
{
	static const char text[] = "a_long_program_ 1 1000000\n\t1 f\n\n"
	                           "sh 2 1000000\n\t1 g\n\n"
	                           "sh 2 1000000\n\t1 g\n\n";
	struct tprofile p;

	(void)state;
	tprofile_init(&p, "cell", TPROFILE_PERF);
	strv_push(&p.only, "a_long_program_name");
	tprofile_add_perf(&p, text, "t");
	flamegraph_finish(&p.root);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.left_out, 2);
	assert_int_equal(value_at(&p.root, (const char *const[]){"a_long_program_", "f", NULL}), 1);
	assert_null(at(&p.root, (const char *const[]){"sh", NULL}));
	tprofile_release(&p);
}

/* The functions table of a differential: a function inlined into main in A and
 * called in B is one line; the largest change of share comes first. */
static void
test_tprofile_functions_diff(void **state)
{
	static const char ta[] = "prog 1 1000\n\t1 main\n\n"
	                         "prog 1 1000\n\t1 f\n\t2 main\n\n"
	                         "prog 1 1000\n\t1 f\n\t2 main\n\n"
	                         "prog 1 1000\n\t1 f\n\t2 main\n\n";
	static const char tb[] = "prog 1 1000\n\t1 main\n\n"
	                         "prog 1 1000\n\t1 f\n\t2 g\n\t3 main\n\n";
	struct tprofile a, b;
	struct buf out = BUF_INIT;

	(void)state;
	tprofile_init(&a, "a", TPROFILE_PERF);
	tprofile_init(&b, "b", TPROFILE_PERF);
	tprofile_add_perf(&a, ta, "a");
	tprofile_add_perf(&b, tb, "b");
	tprofile_functions_diff(&a, &b, 5, &out);
	/* f: 3 of 4 in A, 1 of 2 in B (under another caller): -25 points; main: +25 */
	tu_assert_contains(buf_str(&out), "  f                                         "
	                                  "75.00% ->  50.00%  (-25.00 points)\n");
	tu_assert_contains(buf_str(&out), "  main                                      "
	                                  "25.00% ->  50.00%  (+25.00 points)\n");
	assert_null(strstr(buf_str(&out), "  g "));
	buf_release(&out);
	tprofile_release(&a);
	tprofile_release(&b);
}

static void
test_tprofile_perf_malformed(void **state)
{
	struct tu_tmp *t = *state;
	struct tprofile p;
	char *err;

	tprofile_init(&p, "cell", TPROFILE_PERF);
	tu_capture_begin(t);
	assert_int_equal(tprofile_add_perf(&p, "no numbers here\n", "x.data"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "x.data:1: error: not a sample of perf script");
	free(err);
	tu_capture_begin(t);
	assert_int_equal(tprofile_add_perf(&p, "prog 1 2\n\tzz main\n", "y.data"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "y.data:2: error: not a frame of perf script");
	free(err);
	tprofile_release(&p);
}

/* callgrind --separate-callers --demangle=no, as it writes: names compressed,
 * the cost of calls (inclusive) after calls= lines, a function in two blocks,
 * relative positions, a recursion level and an address without a symbol */
static const char callgrind_text[] =
    "# callgrind format\n"
    "version: 1\n"
    "creator: callgrind-3.19.0\n"
    "pid: 42\n"
    "cmd:  /tmp/x/prog 5000\n"
    "positions: line\n"
    "events: Ir\n"
    "summary: 1111\n"
    "\n"
    "ob=(1) /tmp/x/prog\n"
    "fl=(1) prog.c\n"
    "fn=(1) main'(below main)'0x000000000001ab70\n"
    "5 10\n"
    "cob=(1)\n"
    "cfn=(2) hot_loop'main'(below main)'0x000000000001ab70\n"
    "calls=1 0\n"
    "+2 1000\n"
    "+1 1\n"
    "fn=(2)\n"
    "0 600\n"
    "*\n"
    "-1 300\n"
    "\n"
    "fn=(3) f'2'main'(below main)'0x000000000001ab70\n"
    "0 50\n"
    "fn=(2)\n"
    "0 100\n"
    "fn=(4) _ZNSt6vectorIiSaIiEE9push_backERKi.constprop.0@@V1'main'(below main)'0x000000000001ab70\n"
    "0 50\n"
    "totals: 1111\n";

static void
test_tprofile_callgrind_stacks(void **state)
{
	struct tprofile p;
	const struct flamegraph_node *r, *n;

	(void)state;
	tprofile_init(&p, "cell", TPROFILE_CALLGRIND);
	assert_int_equal(tprofile_add_callgrind(&p, callgrind_text, "cg.out"), 1111);
	assert_string_equal(tprofile_unit(&p), "instructions");
	flamegraph_finish(&p.root);
	r = &p.root;
	assert_int_equal(r->value, 1111);
	/* the process by its program's base name, the stack outermost first */
	assert_int_equal(
	    value_at(r, (const char *const[]){"prog", "0x1ab70", "(below main)", "main", NULL}),
	    1111);
	/* main's own: 10 and 1, not the 1000 of its call */
	n = at(r, (const char *const[]){"prog", "0x1ab70", "(below main)", "main", NULL});
	assert_int_equal(n->self, 11);
	/* hot_loop's blocks summed; a line "*" has no cost */
	assert_int_equal(value_at(r, (const char *const[]){"prog", "0x1ab70", "(below main)",
	                                                   "main", "hot_loop", NULL}),
	                 1000);
	/* f's second recursion level: f called by f */
	assert_int_equal(value_at(r, (const char *const[]){"prog", "0x1ab70", "(below main)",
	                                                   "main", "f", "f", NULL}),
	                 50);
	assert_int_equal(
	    value_at(r, (const char *const[]){"prog", "0x1ab70", "(below main)", "main",
	                                      "std::vector<...>::push_back(int const&)", NULL}),
	    50);
	tprofile_release(&p);
}

static void
test_tprofile_callgrind_malformed(void **state)
{
	struct tu_tmp *t = *state;
	struct tprofile p;
	char *err;

	tprofile_init(&p, "cell", TPROFILE_CALLGRIND);
	tu_capture_begin(t);
	assert_int_equal(tprofile_add_callgrind(&p, "hello\n", "a.out"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "a.out: error: not a callgrind output file");
	free(err);
	tu_capture_begin(t);
	assert_int_equal(tprofile_add_callgrind(&p, "version: 1\nfn=(1) f\n12 abc\n", "b.out"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "b.out:3: error: not a callgrind cost line");
	free(err);
	tu_capture_begin(t);
	assert_int_equal(tprofile_add_callgrind(&p, "version: 1\nfn=(7)\n1 2\n", "c.out"), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "c.out:2: error: a bad function id");
	free(err);
	assert_int_equal(p.total, 0);
	tprofile_release(&p);
}

/* n samples of stack "prog;main;FUNC" as perf script prints them */
static void
samples(struct buf *b, const char *func, int n)
{
	for (int i = 0; i < n; i++) {
		buf_printf(b, "prog 1 1000\n\t1 %s\n\t2 main\n\n", func);
	}
}

static const struct box *
box_named(const struct boxes *bs, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < bs->n; i++) {
		if (!strncmp(bs->v[i].title, name, len) && bs->v[i].title[len] == ':') {
			return &bs->v[i];
		}
	}
	fail_msg("no box of %s", name);
	return NULL;
}

static void
test_tprofile_diff(void **state)
{
	struct buf ta = BUF_INIT, tb = BUF_INIT, svg = BUF_INIT;
	struct tprofile a, b;
	struct boxes bs;
	const struct box *x;

	(void)state;
	/* A: hot 60, cold 30, same 10, gone 100 (of 200); B: hot 300, cold 30, same 20,
	 * of 350: hot's share from 30% to 86%, cold's down, same's from 5% to 5.7% */
	samples(&ta, "hot", 60);
	samples(&ta, "cold", 30);
	samples(&ta, "same", 10);
	samples(&ta, "gone", 100);
	samples(&tb, "hot", 300);
	samples(&tb, "cold", 30);
	samples(&tb, "same", 20);
	tprofile_init(&a, "A", TPROFILE_PERF);
	tprofile_init(&b, "B", TPROFILE_PERF);
	assert_int_equal(tprofile_add_perf(&a, buf_str(&ta), "a"), 200);
	assert_int_equal(tprofile_add_perf(&b, buf_str(&tb), "b"), 350);
	tprofile_diff_svg(&a, &b, "cellA", "cellB", &svg);
	tu_assert_contains(buf_str(&svg), "Differential time flame graph: A cellA, B cellB");
	tu_assert_contains(buf_str(&svg), "; 50.00% of A&#39;s in stacks B lacks");
	parse_boxes(buf_str(&svg), &bs);
	/* the largest growth: the deepest red */
	x = box_named(&bs, "hot");
	assert_int_equal(x->fill, 0xff0000);
	tu_assert_contains(x->title, "hot: 300 samples (85.71%); A: 60 of 200 samples "
	                             "(30.00%), B: 300 of 350 (85.71%): +185.7%; its own +55.71% "
	                             "of the run");
	/* less of the run: blue, its green as light as its change is small */
	x = box_named(&bs, "cold");
	assert_int_equal(x->fill & 0xff, 0xff);
	assert_int_equal(x->fill >> 16, (x->fill >> 8) & 0xff);
	assert_true(x->fill >> 16 < 210);
	tu_assert_contains(x->title, "(8.57%): -42.9%; its own -6.43% of the run");
	/* a little more: a light red */
	x = box_named(&bs, "same");
	assert_int_equal(x->fill >> 16, 0xff);
	assert_true((x->fill & 0xff) > 200);
	/* no change of its own (main has none): white */
	assert_int_equal(box_named(&bs, "main")->fill, 0xffffff);
	/* what only A has is not drawn */
	for (size_t i = 0; i < bs.n; i++) {
		assert_null(strstr(bs.v[i].title, "gone"));
	}
	boxes_release(&bs);
	tprofile_release(&a);
	tprofile_release(&b);
	buf_release(&ta);
	buf_release(&tb);
	buf_release(&svg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tprofile_perf_stacks),
	    cmocka_unit_test(test_tprofile_perf_renamed),
	    cmocka_unit_test(test_tprofile_only),
	    cmocka_unit_test(test_tprofile_functions_diff),
	    cmocka_unit_test_setup_teardown(test_tprofile_perf_malformed, tu_setup_tmpdir,
	                                    tu_teardown_tmpdir),
	    cmocka_unit_test(test_tprofile_callgrind_stacks),
	    cmocka_unit_test_setup_teardown(test_tprofile_callgrind_malformed, tu_setup_tmpdir,
	                                    tu_teardown_tmpdir),
	    cmocka_unit_test(test_tprofile_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
