/* budgetconf.h: size budgets as a user writes them, in ounce.ini's [budget]
 * section or on `ounce check`'s command line: an absolute limit per artifact or on
 * the sum ("total"), a largest allowed growth ("1%", "512B"), and the metric they
 * count. */
#ifndef OUNCE_BUDGETCONF_H
#define OUNCE_BUDGETCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the name a limit on the sum over all artifacts goes by */
#define BUDGET_TOTAL "total"
/* thousandths of a percent in one percent: growth percents are kept exact */
#define BUDGET_MILLIPERCENT 1000u

/* How much an artifact may grow against an older build. */
struct budget_growth {
	bool set;
	bool percent;		/* value is in thousandths of a percent, else in bytes */
	uint64_t value;
	char *text;		/* as written ("1%", "512B"), for the table */
};

/* An absolute limit on one artifact, or on the sum (name BUDGET_TOTAL). */
struct budget_limit {
	char *name;		/* an artifact's name or base name, or BUDGET_TOTAL */
	uint64_t bytes;
	char *text;		/* as written ("180K") */
	bool from_ini;		/* ounce.ini's (a name that matches no artifact is fine
				 * there: one ounce.ini serves several programs) */
};

struct budget_rules {
	char *metric;		/* file, stripped, xz, gz, flash or ram; NULL: file */
	struct budget_limit *limits;
	size_t nlimits;
	struct budget_growth growth;
};
#define BUDGET_RULES_INIT {0}

/* Parse a growth allowance: "1%", "0.5%" (at most three decimals), "512B", "2K",
 * "512" (bytes; units as units_parse_size), each with an optional leading '+'.
 * Fills g (text not set). False when s is none of those. */
bool budgetconf_parse_growth(const char *s, struct budget_growth *g);
/* Is m a metric budgets can count? */
bool budgetconf_metric_valid(const char *m);
/* Set the limit called name to text (a size as units_parse_size reads it),
 * replacing one of that name. Returns NULL, or why text is not a size (a string
 * literal). */
const char *budgetconf_set_limit(struct budget_rules *b, const char *name, const char *text,
				 bool from_ini);
/* Set the growth allowance to text; NULL, or why it is not one (a literal). */
const char *budgetconf_set_growth(struct budget_rules *b, const char *text);
/* One key of ounce.ini's [budget] section: metric = M, max-growth = G, total = SIZE,
 * or ARTIFACT = SIZE. Returns NULL, or an error message (in msg, size len, or a
 * literal) for conf_parse to report at the key's line. */
const char *budgetconf_key(struct budget_rules *b, const char *key, const char *value, char *msg,
			   size_t len);
/* One --budget argument: SIZE (the total), or NAME=SIZE. NULL, or an error message
 * as budgetconf_key. */
const char *budgetconf_arg(struct budget_rules *b, const char *arg, char *msg, size_t len);
/* The limit called name, or NULL. */
const struct budget_limit *budgetconf_find(const struct budget_rules *b, const char *name);
/* Is there anything to check: a limit or a growth allowance? */
bool budgetconf_any(const struct budget_rules *b);
/* Free what b owns. */
void budgetconf_release(struct budget_rules *b);

#endif
