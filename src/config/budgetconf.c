/* budgetconf.c: reads budgets, the same way from ounce.ini and from the command
 * line; what they mean for a build is report/budget.c's. */
#include "config/budgetconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/units.h"
#include "base/banned.h"

/* the largest growth percent taken (a million percent): anything above says
 * nothing a smaller one does not, and keeps the arithmetic in 64 bits */
#define GROWTH_PERCENT_MAX 1000000u

bool
budgetconf_parse_growth(const char *s, struct budget_growth *g)
{
	size_t n = strlen(s);

	if (*s == '+') {
		s++;
		n--;
	}
	if (n && s[n - 1] == '%') {
		uint64_t whole = 0, frac = 0;
		size_t i = 0, decimals = 0;

		if (s[0] < '0' || s[0] > '9') {
			return false;
		}
		for (; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++) {
			whole = whole * 10 + (uint64_t)(s[i] - '0');
			if (whole > GROWTH_PERCENT_MAX) {
				return false;
			}
		}
		if (i < n - 1 && s[i] == '.') {
			for (i++; i < n - 1 && s[i] >= '0' && s[i] <= '9' && decimals < 3; i++) {
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				decimals++;
			}
			if (!decimals) {
				return false;
			}
		}
		if (i != n - 1) {
			return false;
		}
		for (; decimals < 3; decimals++) {
			frac *= 10;
		}
		g->set = true;
		g->percent = true;
		g->value = whole * BUDGET_MILLIPERCENT + frac;
		return true;
	}
	uint64_t v;

	if (!units_parse_size(s, &v)) {
		return false;
	}
	g->set = true;
	g->percent = false;
	g->value = v;
	return true;
}

bool
budgetconf_metric_valid(const char *m)
{
	/* the metrics of cell_metric (report/result.c), the one list of them */
	static const char *const names[] = {"file", "stripped", "xz", "gz", "flash", "ram"};

	if (!strncmp(m, "region:", 7) && m[7]) {
		return true;	/* a firmware's memory region: the cells say which exist */
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!strcmp(m, names[i])) {
			return true;
		}
	}
	return false;
}

const char *
budgetconf_set_limit(struct budget_rules *b, const char *name, const char *text, bool from_ini)
{
	struct budget_limit *l = NULL;
	uint64_t v;

	if (!units_parse_size(text, &v)) {
		return "not a size: digits and an optional unit (B, K, KiB, M, MiB, G, GiB), "
		       "e.g. 180K";
	}
	for (size_t i = 0; i < b->nlimits && !l; i++) {
		if (!strcmp(b->limits[i].name, name)) {
			l = &b->limits[i];
			free(l->name);
			free(l->text);
		}
	}
	if (!l) {
		b->limits = xreallocarray(b->limits, b->nlimits + 1, sizeof(*b->limits));
		l = &b->limits[b->nlimits++];
	}
	l->name = xstrdup(name);
	l->text = xstrdup(text);
	l->bytes = v;
	l->from_ini = from_ini;
	return NULL;
}

const char *
budgetconf_set_growth(struct budget_rules *b, const char *text)
{
	struct budget_growth g = {0};

	if (!budgetconf_parse_growth(text, &g)) {
		return "not a growth: a percent (1%, 0.5%) or a size (512B, 2K)";
	}
	free(b->growth.text);
	b->growth = g;
	b->growth.text = xstrdup(text[0] == '+' ? text + 1 : text);
	return NULL;
}

const char *
budgetconf_key(struct budget_rules *b, const char *key, const char *value, char *msg, size_t len)
{
	const char *err;

	if (!strcmp(key, "metric")) {
		if (!budgetconf_metric_valid(value)) {
			snprintf(msg, len,
				 "metric '%s': expected file, stripped, xz, gz, flash, ram or "
				 "region:NAME",
				 value);
			return msg;
		}
		free(b->metric);
		b->metric = xstrdup(value);
		return NULL;
	}
	if (!strcmp(key, "max-growth") || !strcmp(key, "max_growth")) {
		if ((err = budgetconf_set_growth(b, value))) {
			snprintf(msg, len, "max-growth '%s': %s", value, err);
			return msg;
		}
		return NULL;
	}
	if ((err = budgetconf_set_limit(b, key, value, true))) {
		snprintf(msg, len, "budget of '%s': '%s' is %s", key, value, err);
		return msg;
	}
	return NULL;
}

const char *
budgetconf_arg(struct budget_rules *b, const char *arg, char *msg, size_t len)
{
	const char *eq = strrchr(arg, '=');
	char *name = eq ? xstrndup(arg, (size_t)(eq - arg)) : xstrdup(BUDGET_TOTAL);
	const char *err = NULL;

	if (!*name) {
		snprintf(msg, len, "--budget '%s': the name before '=' is empty", arg);
		err = msg;
	} else if ((err = budgetconf_set_limit(b, name, eq ? eq + 1 : arg, false))) {
		snprintf(msg, len, "--budget '%s': '%s' is %s", arg, eq ? eq + 1 : arg, err);
		err = msg;
	}
	free(name);
	return err;
}

const struct budget_limit *
budgetconf_find(const struct budget_rules *b, const char *name)
{
	for (size_t i = 0; i < b->nlimits; i++) {
		if (!strcmp(b->limits[i].name, name)) {
			return &b->limits[i];
		}
	}
	return NULL;
}

bool
budgetconf_any(const struct budget_rules *b)
{
	return b->nlimits || b->growth.set;
}

void
budgetconf_release(struct budget_rules *b)
{
	for (size_t i = 0; i < b->nlimits; i++) {
		free(b->limits[i].name);
		free(b->limits[i].text);
	}
	free(b->limits);
	free(b->metric);
	free(b->growth.text);
	memset(b, 0, sizeof(*b));
}
