/* rpn.c: the evaluator behind tinycalc. Operators are a table of functions
 * that read their operands in place on the stack and write their results over
 * them; the trigonometric ones (libm) exist only with TINYCALC_WITH_TRIG. */
#include "rpn.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX 64
#define SPACES " \t\n\v\f\r"

/* Strict C11 has no M_PI and M_E. */
#define RPN_PI 3.14159265358979323846
#define RPN_E 2.71828182845904523536

/* An operator takes `in` values, v[0] being the deepest, and leaves `out`
 * values in v[0..out-1]. It returns 0, or -1 after setting r->error; it must
 * not write to v when it fails. */
struct op {
	const char *name;
	unsigned char in;
	unsigned char out;
	int (*fn)(struct rpn *r, double *v);
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
fail(struct rpn *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return -1;
}

static int
op_add(struct rpn *r, double *v)
{
	(void)r;
	v[0] += v[1];
	return 0;
}

static int
op_sub(struct rpn *r, double *v)
{
	(void)r;
	v[0] -= v[1];
	return 0;
}

static int
op_mul(struct rpn *r, double *v)
{
	(void)r;
	v[0] *= v[1];
	return 0;
}

static int
op_div(struct rpn *r, double *v)
{
	if (v[1] == 0) {
		return fail(r, "division by zero");
	}
	v[0] /= v[1];
	return 0;
}

static int
op_min(struct rpn *r, double *v)
{
	(void)r;
	v[0] = v[1] < v[0] ? v[1] : v[0];
	return 0;
}

static int
op_max(struct rpn *r, double *v)
{
	(void)r;
	v[0] = v[1] > v[0] ? v[1] : v[0];
	return 0;
}

static int
op_neg(struct rpn *r, double *v)
{
	(void)r;
	v[0] = -v[0];
	return 0;
}

static int
op_abs(struct rpn *r, double *v)
{
	(void)r;
	v[0] = v[0] < 0 ? -v[0] : v[0];
	return 0;
}

static int
op_inv(struct rpn *r, double *v)
{
	if (v[0] == 0) {
		return fail(r, "division by zero");
	}
	v[0] = 1 / v[0];
	return 0;
}

static int
op_sq(struct rpn *r, double *v)
{
	(void)r;
	v[0] *= v[0];
	return 0;
}

static int
op_dup(struct rpn *r, double *v)
{
	(void)r;
	v[1] = v[0];
	return 0;
}

static int
op_swap(struct rpn *r, double *v)
{
	double t = v[0];

	(void)r;
	v[0] = v[1];
	v[1] = t;
	return 0;
}

static int
op_drop(struct rpn *r, double *v)
{
	(void)r;
	(void)v;
	return 0;
}

static int
op_pi(struct rpn *r, double *v)
{
	(void)r;
	v[0] = RPN_PI;
	return 0;
}

static int
op_e(struct rpn *r, double *v)
{
	(void)r;
	v[0] = RPN_E;
	return 0;
}

static int
op_rad(struct rpn *r, double *v)
{
	(void)r;
	v[0] *= RPN_PI / 180;
	return 0;
}

static int
op_deg(struct rpn *r, double *v)
{
	(void)r;
	v[0] *= 180 / RPN_PI;
	return 0;
}

#ifdef TINYCALC_WITH_TRIG
static int
op_sin(struct rpn *r, double *v)
{
	(void)r;
	v[0] = sin(v[0]);
	return 0;
}

static int
op_cos(struct rpn *r, double *v)
{
	(void)r;
	v[0] = cos(v[0]);
	return 0;
}

static int
op_tan(struct rpn *r, double *v)
{
	(void)r;
	v[0] = tan(v[0]);
	return 0;
}

static int
op_asin(struct rpn *r, double *v)
{
	if (v[0] < -1 || v[0] > 1) {
		return fail(r, "'asin' needs a value between -1 and 1");
	}
	v[0] = asin(v[0]);
	return 0;
}

static int
op_acos(struct rpn *r, double *v)
{
	if (v[0] < -1 || v[0] > 1) {
		return fail(r, "'acos' needs a value between -1 and 1");
	}
	v[0] = acos(v[0]);
	return 0;
}

static int
op_atan(struct rpn *r, double *v)
{
	(void)r;
	v[0] = atan(v[0]);
	return 0;
}

static int
op_atan2(struct rpn *r, double *v)
{
	(void)r;
	v[0] = atan2(v[0], v[1]);
	return 0;
}
#endif

static const struct op ops[] = {
	{"+", 2, 1, op_add},
	{"-", 2, 1, op_sub},
	{"*", 2, 1, op_mul},
	{"/", 2, 1, op_div},
	{"min", 2, 1, op_min},
	{"max", 2, 1, op_max},
	{"neg", 1, 1, op_neg},
	{"abs", 1, 1, op_abs},
	{"inv", 1, 1, op_inv},
	{"sq", 1, 1, op_sq},
	{"dup", 1, 2, op_dup},
	{"swap", 2, 2, op_swap},
	{"drop", 1, 0, op_drop},
	{"pi", 0, 1, op_pi},
	{"e", 0, 1, op_e},
	{"rad", 1, 1, op_rad},
	{"deg", 1, 1, op_deg},
#ifdef TINYCALC_WITH_TRIG
	{"sin", 1, 1, op_sin},
	{"cos", 1, 1, op_cos},
	{"tan", 1, 1, op_tan},
	{"asin", 1, 1, op_asin},
	{"acos", 1, 1, op_acos},
	{"atan", 1, 1, op_atan},
	{"atan2", 2, 1, op_atan2},
#endif
};

#define OPS_COUNT (sizeof(ops) / sizeof(ops[0]))

static const struct op *
find_op(const char *name)
{
	for (size_t i = 0; i < OPS_COUNT; i++) {
		if (strcmp(ops[i].name, name) == 0) {
			return &ops[i];
		}
	}
	return NULL;
}

static bool
all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			return false;
		}
	}
	return true;
}

static int
apply(struct rpn *r, const struct op *op)
{
	double v[RPN_STACK_MAX];
	size_t base;

	if (r->depth < op->in) {
		return fail(r, "'%s' needs %u value%s, the stack has %zu", op->name, op->in,
		            op->in == 1 ? "" : "s", r->depth);
	}
	base = r->depth - op->in;
	if (base + op->out > RPN_STACK_MAX) {
		return fail(r, "stack overflow at '%s' (at most %d values)", op->name, RPN_STACK_MAX);
	}
	/* Work on a copy, so that a failure or an overflow leaves the stack as it was. */
	memcpy(v, r->stack + base, op->in * sizeof(*v));
	if (op->fn(r, v) != 0) {
		return -1;
	}
	if (all_finite(r->stack + base, op->in) && !all_finite(v, op->out)) {
		return fail(r, "'%s' overflows", op->name);
	}
	memcpy(r->stack + base, v, op->out * sizeof(*v));
	r->depth = base + op->out;
	return 0;
}

static int
push_number(struct rpn *r, const char *tok)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(tok, &end);
	if (end == tok || *end != '\0') {
		return fail(r, "unknown token '%s'", tok);
	}
	if (errno == ERANGE && isinf(x)) {
		return fail(r, "number out of range '%s'", tok);
	}
	if (r->depth == RPN_STACK_MAX) {
		return fail(r, "stack overflow at '%s' (at most %d values)", tok, RPN_STACK_MAX);
	}
	r->stack[r->depth++] = x;
	return 0;
}

void
rpn_reset(struct rpn *r)
{
	r->depth = 0;
	r->error[0] = '\0';
}

int
rpn_token(struct rpn *r, const char *tok)
{
	const struct op *op = find_op(tok);

	return op ? apply(r, op) : push_number(r, tok);
}

int
rpn_eval(struct rpn *r, const char *text)
{
	char tok[TOKEN_MAX];
	size_t len;

	for (;;) {
		text += strspn(text, SPACES);
		if (*text == '\0') {
			return 0;
		}
		len = strcspn(text, SPACES);
		if (len >= sizeof(tok)) {
			return fail(r, "token too long '%.20s...'", text);
		}
		memcpy(tok, text, len);
		tok[len] = '\0';
		if (rpn_token(r, tok) != 0) {
			return -1;
		}
		text += len;
	}
}

int
rpn_result(struct rpn *r, double *out)
{
	if (r->depth != 1) {
		return fail(r, "%zu values left on the stack, expected 1", r->depth);
	}
	*out = r->stack[0];
	return 0;
}

const char *
rpn_op_name(size_t i)
{
	return i < OPS_COUNT ? ops[i].name : NULL;
}
