/* demangle.h: symbol names as people write them (C++ and Rust, by libiberty). */
#ifndef OUNCE_DEMANGLE_H
#define OUNCE_DEMANGLE_H

/* raw demangled; a name that is not mangled is copied. The caller frees it. */
char *demangle(const char *raw);

#endif
