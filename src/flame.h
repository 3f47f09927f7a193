/* flame.h: a size flame graph of one ELF file as a self-contained SVG. */
#ifndef OUNCE_FLAME_H
#define OUNCE_FLAME_H

struct buf;
struct size_report;

/* Write r as an SVG flame graph (component, then file, then symbol; width is
 * bytes) into out. */
void flame_svg(const struct size_report *r, struct buf *out);

#endif
