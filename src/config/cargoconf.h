/* cargoconf.h: what a cell's Cargo build reads from Cargo's configuration files,
 * so the profiles' rustflags are added to the project's own instead of replacing
 * them (RUSTFLAGS in the environment makes Cargo ignore every rustflags setting of
 * its configuration files). */
#ifndef OUNCE_CARGOCONF_H
#define OUNCE_CARGOCONF_H

#include <stdbool.h>

struct strv;

/* Does this configuration file text set target rustflags (target.TRIPLE.rustflags
 * or target.'cfg(...)'.rustflags, as a table's key or a dotted key) that apply to
 * a build for host (NULL: any triple counts) or for a build.target the text names?
 * A cfg(...) key is taken to apply. A line scanner, not a TOML parser: it reads the
 * table headers and the keys before '='. */
bool cargoconf_text_has_target_rustflags(const char *text, const char *host);
/* The same question for every configuration Cargo reads when run in cwd
 * (.cargo/config and .cargo/config.toml in cwd and each parent, then in
 * CARGO_HOME, default HOME/.cargo, from env) and env's CARGO_TARGET_*_RUSTFLAGS and
 * CARGO_BUILD_TARGET: if so, Cargo ignores build.rustflags. skip (or NULL): a
 * directory whose .cargo is not read (the one ounce writes). */
bool cargoconf_has_target_rustflags(const char *cwd, const struct strv *env, const char *skip,
				    const char *host);
/* The directory of the Cargo workspace the package at dir is a member of, when it
 * is not dir itself (`cargo locate-project --workspace`, run in dir); NULL when dir
 * is its own workspace or cargo cannot tell (the build then says why). The caller
 * frees it. */
char *cargoconf_workspace_root(const char *dir);
/* A configuration file that adds flags to the rustflags of every target (target)
 * or to build.rustflags; the caller frees it. Cargo joins such arrays with the
 * ones of the files below the directory it is read from. */
char *cargoconf_rustflags_toml(const struct strv *flags, bool target);

#endif
