/* flame.h: a size flame graph of one ELF file as a self-contained SVG. */
#ifndef OUNCE_FLAME_H
#define OUNCE_FLAME_H

struct buf;
struct size_report;

/* Write r as an SVG flame graph into out: the width of a box is bytes, the
 * bottom row is all the symbols (labelled with the file and the total), and each
 * row above splits its box, largest first:
 *   - level 1: the component's directory ("../src/" for "../src/util.c": the
 *     text before its last '/', not counting a '/' inside an archive member's
 *     "(...)"); a component with no such '/' ("util.o", "libc.a(printf.o)", a
 *     crate "std", "unattributed") is its own level-1 box;
 *   - level 2: the file within that directory ("util.c"), only for components
 *     with a directory;
 *   - then one box per symbol, so symbols sit on row 2 or row 3.
 * Boxes under 0.1 % of the width are left out (with everything above them) but
 * their bytes stay in their parent. Each box has a <title> "name: N bytes (P%)",
 * which a browser shows on hover; labels are cut with ".." to fit. Colours come
 * from a hash of the name: reds to yellows for code, blues for data, tans for
 * directories, files and components. No script, fonts or links.
 * A file with no symbol table of its own (stripped: only dynamic symbols) or no
 * symbols is drawn from its sections instead, each as wide as its bytes in the
 * file, headers and padding included (tan), with the dynamic symbols on the
 * section that holds them; the subtitle says so. */
void flame_svg(const struct size_report *r, struct buf *out);

#endif
