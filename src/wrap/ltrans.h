/* ltrans.h: cells whose GCC LTO links differ only by linker options that cannot
 * change link-time code generation (-z noseparate-code, pack-relative-relocs,
 * --build-id=none) share that code generation, the bulk of an LTO link. The
 * first such link runs with the LTO plugin's -save-temps in a directory of its
 * own, which then keeps its ltrans objects (the code generation's output) as
 * DIR/KEY; a later link with the same KEY hands them to the plugin
 * (-plugin-opt=-ltrans-objects=LIST), which links them in place of running
 * lto-wrapper: the same bytes (the plugin adds them where lto-wrapper's would
 * go), in a fraction of the time (a 40-file project: 2.95 s, 0.03 s). */
#ifndef OUNCE_LTRANS_H
#define OUNCE_LTRANS_H

#include <stdbool.h>
#include <stddef.h>

#define LTRANS_KEY_LEN 32

/* Is the compiler call argv (n words, the real compiler first, as the wrapper
 * runs it) a link through GCC's LTO plugin: -flto (not undone by a later
 * -fno-lto) through the linker plugin, and GNU ld or gold? */
bool ltrans_applies(char *const *argv, size_t n);

/* Is the -Wl, argument arg made only of linker options that leave the symbol
 * resolution, and so the code generation, alone (-z noseparate-code, -z relro,
 * --build-id=..., --hash-style=..., -Map FILE...)? Such arguments are left out
 * of the key. */
bool ltrans_neutral(const char *arg);

/* The key of a link (argv as above, run in cwd) into out: sig (the cell's
 * compile settings), the words of argv but neutral ones, with cell_dir replaced
 * wherever it appears, cwd likewise, and the content of every input file.
 * Returns 0, or -1 when an input cannot be read (the link is then not shared;
 * not reported). */
int ltrans_key(const char *sig, const char *cell_dir, const char *cwd, char *const *argv,
	       size_t n, char out[LTRANS_KEY_LEN + 1]);

/* Write tmp/list for the plugin: the ltrans objects lto-wrapper left in tmp
 * (NAME.ltransN.ltrans.o), in partition order, named as they will be once tmp
 * is renamed to final. Returns the number of objects (0: none, no list), -1
 * when tmp cannot be read or the list written (not reported). */
int ltrans_write_list(const char *tmp, const char *final);

/* Run the link argv for the wrapper, sharing its code generation through dir
 * (created on demand) under key: with the ltrans objects kept there when there
 * are some (and, should that link fail, once more as it is), else keeping its
 * own there. Returns the link's exit status (127 when it could not start, after
 * reporting); trace is called with each argv run. */
int ltrans_link(const char *dir, const char *key, char *const *argv,
		void (*trace)(char *const *argv));

#endif
