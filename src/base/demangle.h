/* demangle.h: symbol names as people write them (C++ and Rust, by libiberty). */
#ifndef OUNCE_DEMANGLE_H
#define OUNCE_DEMANGLE_H

/* raw demangled; a name that is not mangled is copied. The caller frees it. */
char *demangle(const char *raw);

/* name with the arguments of its templates and generics folded to "<...>"
 * ("std::vector<int, std::allocator<int> >::push_back" reads
 * "std::vector<...>::push_back"; a leading "<T as Trait>" keeps its brackets,
 * its own arguments folded; "operator<" and "operator<<" stay). The caller
 * frees it. */
char *demangle_shorten(const char *name);

#endif
