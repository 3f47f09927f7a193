#!/bin/bash
# Generate a synthetic C project big enough for build times and size levers to
# matter: NFILES source files of NFUNCS functions each (default 40 x 25 = 1000),
# a plain Makefile with its own flags (CFLAGS ?= -O2 -Wall), an ounce.ini and a
# smoke.sh that checks the checksum line the program prints.
# Usage: bench/gen_project.sh OUT_DIR [NFILES] [NFUNCS]
#   OUT_DIR must not exist or be empty. Needs cc (or $CC) and make: the expected
#   checksum is computed by one -O0 reference build in a temporary directory.
# The sources mix what real code has: string tables and snprintf, switch-heavy
# loops, small static inline helpers, vectorisable loops over local arrays, a
# global lookup table and mutable state, asserts and (verbose-only) printf,
# unused external functions that --gc-sections can drop, and one function per
# file with the same body in every file (for identical code folding).
# Output depends on the arguments only (a Park-Miller generator in awk, seeded
# from them): the same arguments give the same files, byte for byte.
# With the defaults, `make -j1` at -O2 takes about 10 s (gcc 12.2, AMD EPYC, 2 cores).
set -euo pipefail

usage() {
	echo "usage: bench/gen_project.sh OUT_DIR [NFILES] [NFUNCS]" >&2
	exit 2
}
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
	usage
fi
out=$1
nfiles=${2:-40}
nfuncs=${3:-25}
if ! [[ $nfiles =~ ^[0-9]+$ ]] || ((10#$nfiles < 1 || 10#$nfiles > 999)); then
	echo "gen_project: NFILES must be 1..999" >&2
	exit 2
fi
if ! [[ $nfuncs =~ ^[0-9]+$ ]] || ((10#$nfuncs < 4 || 10#$nfuncs > 999)); then
	echo "gen_project: NFUNCS must be 4..999" >&2
	exit 2
fi
nfiles=$((10#$nfiles))
nfuncs=$((10#$nfuncs))
if [ -e "$out" ]; then
	[ -d "$out" ] || { echo "gen_project: $out exists and is not a directory" >&2; exit 1; }
	[ -z "$(ls -A "$out")" ] || { echo "gen_project: $out exists and is not empty" >&2; exit 1; }
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

awk -v nfiles="$nfiles" -v nfuncs="$nfuncs" -v out="$out" '
# Park-Miller minimal standard generator: exact in double precision.
function rnd(n) {
	seed = (seed * 16807) % 2147483647
	return seed % n
}
function k(n) { return sprintf("%du", 1 + rnd(n)) }
function word(   w, i, n) {
	n = 2 + rnd(3)
	w = ""
	for (i = 0; i < n; i++) {
		w = w syl[rnd(nsyl)]
	}
	return w
}
# one switch arm: an assignment to acc from x, i and the helpers
function arm(p,   t) {
	t = rnd(8)
	if (t == 0) return "acc = " p "_mix(acc, x + " k(999) ");"
	if (t == 1) return "acc += (x << " (1 + rnd(7)) ") ^ " k(99999) ";"
	if (t == 2) return "acc ^= " p "_rot(x, " (1 + rnd(30)) ") + i;"
	if (t == 3) return "acc = acc * " k(65535) " + (x >> " (1 + rnd(15)) ");"
	if (t == 4) return "acc -= " p "_sat(x ^ acc, " k(1000000) ");"
	if (t == 5) return "acc = (acc | " k(4095) ") + x / ((i | 1u) + " k(9) ");"
	if (t == 6) return "acc += " p "_table[(x + i) & 63u] ^ " k(7777) ";"
	return "acc = " p "_rot(acc ^ x, i + " rnd(8) ") * " k(255) ";"
}
function emit_switch(f, p, name,   n, c, r) {
	n = 10 + rnd(16)
	r = 4 + rnd(8)
	print "uint32_t\n" name "(uint32_t x)\n{" > f
	print "\tuint32_t acc = " k(2000000000) ";\n" > f
	print "\tfor (uint32_t i = 0; i < " r "u; i++) {" > f
	print "\t\tswitch ((x ^ i * " k(31) ") % " n "u) {" > f
	for (c = 0; c < n; c++) {
		print "\t\tcase " c ":\n\t\t\t" arm(p) "\n\t\t\tbreak;" > f
	}
	print "\t\tdefault:\n\t\t\tacc ^= i;\n\t\t\tbreak;\n\t\t}" > f
	print "\t\tx = " p "_rot(x, " (1 + rnd(30)) ") + acc;\n\t}\n\treturn acc;\n}\n" > f
}
function emit_strings(f, p, name,   n, i, line) {
	n = 6 + rnd(10)
	print "uint32_t\n" name "(uint32_t x)\n{" > f
	line = "\tstatic const char *const words[" n "] = {"
	for (i = 0; i < n; i++) {
		line = line (i ? ", " : "") "\"" word() "\""
	}
	print line "};" > f
	print "\tchar buf[96];\n\tuint32_t h = 2166136261u;" > f
	print "\tconst char *w = words[x % " n "u];" > f
	print "\tint len = snprintf(buf, sizeof(buf), \"%s-%u/%s:" word() "\", w, (unsigned)(x & 1023u),\n\t\t\t   words[(x >> 5) % " n "u]);\n" > f
	print "\tassert(len > 0 && (size_t)len < sizeof(buf));" > f
	print "\tfor (int j = 0; j < len; j++) {\n\t\th = (h ^ (unsigned char)buf[j]) * 16777619u;\n\t}" > f
	print "\tif (strchr(w, " q substr("aeioukxz", 1 + rnd(8), 1) q ") != NULL) {\n\t\th ^= " k(65535) ";\n\t}" > f
	print "\th += (uint32_t)strlen(" p "_names[h & 31u]);" > f
	print "\treturn h + (uint32_t)strlen(w);\n}\n" > f
}
function emit_loop(f, p, name,   n) {
	n = 16 * (1 + rnd(3))
	print "uint32_t\n" name "(uint32_t x)\n{" > f
	print "\tuint32_t v[" n "];\n\tuint32_t s = " k(100000) ";\n" > f
	print "\tfor (uint32_t i = 0; i < " n "u; i++) {\n\t\tv[i] = x * (i + " k(1000) ") ^ (x >> (i & 7u));\n\t}" > f
	print "\tfor (uint32_t r = 0; r < " (2 + rnd(3)) "u; r++) {" > f
	print "\t\tfor (uint32_t i = 1; i < " n "u; i++) {\n\t\t\tv[i] += " p "_mix(v[i - 1], r + " k(5000) ");\n\t\t}" > f
	print "\t\tfor (uint32_t i = 0; i < " n "u; i++) {\n\t\t\tv[i] = (v[i] >> " (1 + rnd(7)) ") | (v[i] << " (8 + rnd(8)) ");\n\t\t}\n\t}" > f
	print "\tfor (uint32_t i = 0; i < " n "u; i++) {\n\t\ts ^= v[i] + i * " k(99) ";\n\t}" > f
	print "\treturn s;\n}\n" > f
}
function emit_table(f, p, name) {
	print "uint32_t\n" name "(uint32_t x)\n{" > f
	print "\tuint32_t a = " p "_table[x & 63u], b = " p "_table[(x >> 6) & 63u];\n" > f
	print "\t" p "_state[x & 15u] += a ^ " k(1000000) ";" > f
	print "\tif (" p "_state[(x >> 4) & 15u] > " k(2000000000) ") {\n\t\t" p "_state[(x >> 4) & 15u] >>= " (1 + rnd(5)) ";\n\t}" > f
	print "\treturn " p "_sat(a + b, " k(2000000000) ") ^ " p "_state[(x >> 4) & 15u] ^ " p "_mix(b, x);\n}\n" > f
}
function emit_diag(f, p, name,   m) {
	m = 5 + rnd(20)
	print "uint32_t\n" name "(uint32_t x)\n{" > f
	print "\tuint32_t idx = x % " m "u;\n" > f
	print "\tassert(idx < " m "u);" > f
	print "\tif (g_verbose) {\n\t\tprintf(\"" name ": x=%u idx=%u\\n\", (unsigned)x, (unsigned)idx);\n\t}" > f
	print "\tif (x == 0xffffffffu) {\n\t\tfprintf(stderr, \"" name ": unexpected input %u (" word() ")\\n\", (unsigned)x);\n\t\treturn 0;\n\t}" > f
	print "\treturn x * " k(65535) " + " p "_table[idx] + idx;\n}\n" > f
}
function emit_func(f, p, name,   t) {
	t = rnd(20)
	if (t < 6) emit_switch(f, p, name)
	else if (t < 10) emit_strings(f, p, name)
	else if (t < 15) emit_loop(f, p, name)
	else if (t < 18) emit_table(f, p, name)
	else emit_diag(f, p, name)
}
BEGIN {
	q = sprintf("%c", 39)
	nsyl = split("ka lo mi zen tor qua rix bel dun sha vo pel gri nox ul ez fa tin", syl, " ")
	for (i = 0; i < nsyl; i++) syl[i] = syl[i + 1]
	seed = (nfiles * 7919 + nfuncs * 104729 + 12345) % 2147483647
	hdr = out "/genproj.h"
	print "/* genproj.h: generated by bench/gen_project.sh (" nfiles " files x " nfuncs " functions) */" > hdr
	print "#ifndef GENPROJ_H\n#define GENPROJ_H\n\n#include <stdint.h>\n" > hdr
	print "extern int g_verbose;\n" > hdr
	for (m = 0; m < nfiles; m++) {
		print "uint32_t " sprintf("m%03d", m) "_run(uint32_t seed);" > hdr
	}
	print "\n#endif" > hdr
	close(hdr)

	srcs = "main.c"
	for (m = 0; m < nfiles; m++) {
		p = sprintf("m%03d", m)
		f = out "/" p ".c"
		srcs = srcs " " p ".c"
		print "/* " p ".c: generated by bench/gen_project.sh */" > f
		print "#include <assert.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n\n#include \"genproj.h\"\n" > f
		# global tables: a read-only one (exported), mutable state, names
		line = "const uint32_t " p "_table[64] = {"
		for (i = 0; i < 64; i++) line = line (i % 6 ? " " : "\n\t") k(2000000000) ","
		print line "\n};\nuint32_t " p "_state[16];\n" > f
		line = "static const char *const " p "_names[32] = {"
		for (i = 0; i < 32; i++) line = line (i % 6 ? " " : "\n\t") "\"" word() "\","
		print line "\n};\n" > f
		# small helpers that inline
		print "static inline uint32_t\n" p "_rot(uint32_t x, uint32_t r)\n{\n\treturn (x << (r & 31u)) | (x >> ((32u - r) & 31u));\n}\n" > f
		print "static inline uint32_t\n" p "_mix(uint32_t a, uint32_t b)\n{\n\ta ^= b + 0x9e3779b9u + (a << 6) + (a >> 2);\n\treturn a * " k(65535) ";\n}\n" > f
		print "static inline uint32_t\n" p "_sat(uint32_t a, uint32_t lim)\n{\n\treturn a > lim ? lim : a;\n}\n" > f
		# the same body in every file: identical code folding across objects
		print "uint32_t\n" p "_twin(uint32_t x)\n{\n\tuint32_t h = 2166136261u;\n" > f
		print "\tfor (uint32_t i = 0; i < 24u; i++) {\n\t\th = (h ^ ((x >> (i & 15u)) & 255u)) * 16777619u;\n\t\tif (h & 1u) {\n\t\t\th += 0x7f4a7c15u;\n\t\t}\n\t}\n\treturn h;\n}\n" > f
		ncalled = 0
		for (j = 0; j < nfuncs - 1; j++) {
			name = sprintf("%s_f%03d", p, j)
			# about one in eight is never called: dead code for --gc-sections
			dead = j > 1 && rnd(8) == 0
			if (dead) print "/* unused */" > f
			else called[ncalled++] = name
			emit_func(f, p, name)
		}
		print "uint32_t\n" p "_run(uint32_t seed)\n{\n\tuint32_t h = seed ^ " k(2000000000) ";\n" > f
		for (i = 0; i < ncalled; i++) {
			print "\th = " p "_mix(h, " called[i] "(h ^ " i "u));" > f
		}
		print "\th ^= " p "_twin(h);\n\treturn h;\n}" > f
		close(f)
	}

	f = out "/main.c"
	print "/* main.c: generated by bench/gen_project.sh; run with -v to trace every call */" > f
	print "#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n\n#include \"genproj.h\"\n" > f
	print "int g_verbose;\n\ntypedef uint32_t (*run_fn)(uint32_t);\n" > f
	line = "static const run_fn runs[" nfiles "] = {"
	for (m = 0; m < nfiles; m++) line = line (m % 6 ? " " : "\n\t") sprintf("m%03d", m) "_run,"
	print line "\n};\n" > f
	line = "static const char *const run_names[" nfiles "] = {"
	for (m = 0; m < nfiles; m++) line = line (m % 6 ? " " : "\n\t") sprintf("\"m%03d\"", m) ","
	print line "\n};\n" > f
	print "int\nmain(int argc, char **argv)\n{\n\tuint32_t sum = 0;\n" > f
	print "\tg_verbose = argc > 1 && strcmp(argv[1], \"-v\") == 0;" > f
	print "\tfor (uint32_t round = 0; round < 4u; round++) {\n\t\tfor (uint32_t i = 0; i < " nfiles "u; i++) {" > f
	print "\t\t\tsum = sum * 31u + runs[i](sum ^ (round << 16) ^ i);" > f
	print "\t\t\tif (g_verbose) {\n\t\t\t\tprintf(\"%s %08x\\n\", run_names[i], (unsigned)sum);\n\t\t\t}\n\t\t}\n\t}" > f
	print "\tprintf(\"genproj checksum %08x (" nfiles " files, " nfiles * nfuncs " functions)\\n\", (unsigned)sum);\n\treturn 0;\n}" > f
	close(f)

	f = out "/Makefile"
	print "# Makefile for genproj (generated by bench/gen_project.sh). CC, CFLAGS, LDFLAGS\n# and LDLIBS can be overridden.\n" > f
	print "CFLAGS ?= -O2 -Wall\n" > f
	print "SRCS = " srcs > f
	print "OBJS = $(SRCS:.c=.o)\n" > f
	print "genproj: $(OBJS)\n\t$(CC) $(CFLAGS) $(LDFLAGS) -o genproj $(OBJS) $(LDLIBS)\n" > f
	print "%.o: %.c\n\t$(CC) $(CFLAGS) -c -o $@ $<\n" > f
	print "$(OBJS): genproj.h\n" > f
	print "clean:\n\trm -f genproj $(OBJS)\n\n.PHONY: clean" > f
	close(f)
}'

cat > "$out/ounce.ini" <<'INI'
; ounce settings for genproj (generated by bench/gen_project.sh)
[project]
name = genproj
artifact = genproj
smoke = bash smoke.sh {artifact}
smoke_timeout = 20
INI

# The expected checksum: one unoptimised reference build (the program has no
# undefined behaviour, so every flag set must print the same line).
ref=$(mktemp -d /tmp/genproj-ref.XXXXXX)
trap 'rm -rf "$ref"' EXIT
(cd "$out" && ${CC:-cc} -O0 -w -o "$ref/genproj" ./*.c) || { echo "gen_project: the reference build failed" >&2; exit 1; }
expected=$("$ref/genproj")
[[ $expected =~ ^genproj\ checksum\ [0-9a-f]{8}\  ]] || { echo "gen_project: unexpected output from the reference build: $expected" >&2; exit 1; }

cat > "$out/smoke.sh" <<SMOKE
#!/bin/bash
# smoke.sh: run genproj and check the checksum line it prints.
# Usage: bash smoke.sh PATH_TO_BINARY
# Exits 0 on success, 1 with a one-line reason on stderr (at most 10 s).
set -u
expected='$expected'

fail() {
	echo "smoke: \$*" >&2
	exit 1
}

[ \$# -eq 1 ] || fail "usage: bash smoke.sh PATH_TO_BINARY"
bin=\$1
case \$bin in
*/*) ;;
*) bin=./\$bin ;;
esac
[ -x "\$bin" ] || fail "not an executable: \$bin"
got=\$(timeout 10 "\$bin") || fail "\$bin exited with status \$?"
[ "\$got" = "\$expected" ] || fail "expected '\$expected', got '\$got'"
exit 0
SMOKE
chmod +x "$out/smoke.sh"
echo "gen_project: $out: $nfiles files x $nfuncs functions; $expected"
