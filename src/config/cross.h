/* cross.h: a cross toolchain named by its prefix (arm-none-eabi: arm-none-eabi-gcc,
 * arm-none-eabi-strip...): checked, told from a project's Makefile, and classed as
 * the kind of target profiles declare they apply to (targets = native linux). */
#ifndef OUNCE_CROSS_H
#define OUNCE_CROSS_H

#include <stdbool.h>

/* Is s a toolchain prefix ("arm-none-eabi", "riscv64-unknown-elf"): letters, digits,
 * '_', '.', '+' and inner '-', at most 64 characters? */
bool cross_prefix_valid(const char *s);
/* The toolchain s names: a prefix as cross_prefix_valid takes it, or as
 * CROSS_COMPILE writes it (arm-none-eabi-: the '-' dropped), or "native". Returns
 * it (the caller frees it), or NULL when s is neither. */
char *cross_prefix_parse(const char *s);
/* The toolchain a Makefile of dir (GNUmakefile, makefile or Makefile, as make reads
 * them) names at its top level, with a literal value: CROSS_COMPILE = X- (or ?=, :=)
 * or CC = X-gcc. Returns X (the caller frees it) and, in line, the assignment as
 * written (the caller frees it), or NULL when there is none. */
char *cross_detect_makefile(const char *dir, char **line);
/* The kind of target of a toolchain prefix, as a profile's targets key names it:
 * "native" for NULL (the host's compiler), "linux" for a Linux triplet
 * (aarch64-linux-gnu), "bare-metal" for the rest (arm-none-eabi, riscv64-unknown-elf). */
const char *cross_kind(const char *prefix);
/* Is s one of the kinds cross_kind returns? */
bool cross_kind_valid(const char *s);
/* A program of the toolchain: "PREFIX-tool", or tool itself when prefix is NULL.
 * The caller frees it. */
char *cross_tool(const char *prefix, const char *tool);
/* Is word a binutils program a post-link step names ("strip", "objcopy"...) that
 * must be the toolchain's own to understand the target? */
bool cross_is_binutil(const char *word);

#endif
