/* rpn.h: a reverse Polish notation evaluator over doubles. */
#ifndef TINYCALC_RPN_H
#define TINYCALC_RPN_H

#include <stddef.h>

#define RPN_STACK_MAX 64
#define RPN_ERROR_MAX 128

/* One evaluation: the value stack, and the reason for the last failure. */
struct rpn {
	double stack[RPN_STACK_MAX];
	size_t depth;
	char error[RPN_ERROR_MAX];
};

/* Empties the stack and the error message. */
void rpn_reset(struct rpn *r);

/* Evaluates one token: a number, a constant or an operator. Returns 0, or -1
 * with the reason in r->error and the stack left as it was. */
int rpn_token(struct rpn *r, const char *tok);

/* Evaluates the whitespace-separated tokens of text in order, stopping at the
 * first failure. Returns 0, or -1 with the reason in r->error. */
int rpn_eval(struct rpn *r, const char *text);

/* Stores the one value left on the stack in *out. Returns 0, or -1 with the
 * reason in r->error when the stack holds no value or more than one. */
int rpn_result(struct rpn *r, double *out);

/* Returns the name of operator i (constants included), or NULL past the last. */
const char *rpn_op_name(size_t i);

#endif
