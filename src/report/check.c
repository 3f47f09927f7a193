/* check.c: a size win that breaks the program is not a win. Every check here reads
 * only what a cell measured (its artifacts' interfaces and hashes), never a
 * profile's label. */
#include "report/check.h"

#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "base/strv.h"
#include "elf/iface.h"
#include "report/result.h"
#include "base/banned.h"

size_t
check_abi(const struct cell *base, const struct cell *c, struct strv *lost, size_t *total)
{
	size_t n = 0;

	*total = 0;
	for (size_t i = 0; i < base->narts; i++) {
		const struct artifact *b = &base->arts[i];
		const struct artifact *a = cell_find_artifact(c, b->name);

		*total += b->ifc.exports.n;
		if (a && b->ifc.soname &&
		    (!a->ifc.soname || strcmp(a->ifc.soname, b->ifc.soname))) {
			n++;
			if (lost) {
				strv_push_owned(
				    lost, xasprintf("%s: SONAME %s -> %s", b->name, b->ifc.soname,
				                    a->ifc.soname ? a->ifc.soname : "none"));
			}
		}
		/* both lists are sorted */
		for (size_t j = 0, k = 0; j < b->ifc.exports.n; j++) {
			int cmp = 1;

			while (a && k < a->ifc.exports.n &&
			       (cmp = strcmp(a->ifc.exports.v[k], b->ifc.exports.v[j])) < 0) {
				k++;
			}
			if (!a || k >= a->ifc.exports.n || cmp != 0) {
				n++;
				if (lost) {
					strv_push_owned(lost, xasprintf("%s: %s", b->name,
					                                b->ifc.exports.v[j]));
				}
			}
		}
	}
	return n;
}

const char *
check_cost(const struct cell *base, const struct cell *c, const struct strv *allow,
           const char *target)
{
	static _Thread_local char why[256];
	const char *g = cell_glibc(c);

	if (base && base != c && !(allow && strv_has(allow, "abi"))) {
		size_t total, lost = check_abi(base, c, NULL, &total);

		if (lost) {
			snprintf(why, sizeof(why), "abi: %zu of %zu exported symbols lost", lost,
			         total);
			return why;
		}
	}
	if (target && g && iface_version_cmp(g, target) > 0) {
		snprintf(why, sizeof(why), "needs glibc %s: not for the target %s", g, target);
		return why;
	}
	return NULL;
}

bool
check_same_bytes(const struct cell *a, const struct cell *b)
{
	if (a->narts != b->narts || !a->narts) {
		return false;
	}
	for (size_t i = 0; i < a->narts; i++) {
		const struct artifact *x = &a->arts[i], *y = cell_find_artifact(b, x->name);

		if (!y || !*x->hash || strcmp(x->hash, y->hash)) {
			return false;
		}
	}
	return true;
}

/* Is w c's profiles less the one at index skip? */
static bool
is_without(const struct cell *c, size_t skip, const struct cell *w)
{
	if (w->profiles.n + 1 != c->profiles.n) {
		return false;
	}
	for (size_t i = 0; i < c->profiles.n; i++) {
		if (i != skip && !strv_has(&w->profiles, c->profiles.v[i])) {
			return false;
		}
	}
	return true;
}

void
check_no_effect(const struct results *r, const struct cell *c, struct strv *out)
{
	bool ok = c->status == CELL_OK || c->status == CELL_SMOKE_FAILED;

	for (size_t i = 0; i < c->profiles.n; i++) {
		const char *p = c->profiles.v[i];
		bool none = strv_has(&c->unproven, p);

		for (size_t j = 0; ok && !none && j < r->ncells; j++) {
			const struct cell *w = r->cells[j];

			if (w != c && (w->status == CELL_OK || w->status == CELL_SMOKE_FAILED) &&
			    !strcmp(w->build ? w->build : "", c->build ? c->build : "") &&
			    is_without(c, i, w) && check_same_bytes(c, w)) {
				none = true;
			}
		}
		if (none) {
			strv_push(out, p);
		}
	}
}
