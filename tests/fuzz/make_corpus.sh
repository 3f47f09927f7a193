#!/bin/bash
# make_corpus.sh OUNCE HEAPTRACE_LIB: (re)make the seed corpora of tests/fuzz/corpus/
# from the test fixtures, with the real gcc, lld and ounce. Run by hand when a
# reader learns a new format; the result is committed (each file small).
#   OUNCE: an ounce binary; HEAPTRACE_LIB: its libounce-heaptrace.so
set -eu
ounce=$(realpath "$1")
lib=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx=$root/tests/fixtures
c=$here/corpus
tmp=$(mktemp -d /tmp/ounce-corpus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$c"
mkdir -p "$c"/fuzz_{elf,linkmap,heaplog,results,config,cargoconf}

# ELF: a stripped executable, one with DWARF, an object, a shared library
hello=$fx/single/hello.c
gcc -Os -s -Wl,-z,noseparate-code -o "$c/fuzz_elf/exe-stripped" "$hello"
gcc -Os -g1 -Wl,-z,noseparate-code -o "$c/fuzz_elf/exe-dwarf" "$hello"
gcc -Os -c -o "$c/fuzz_elf/object-elf" "$hello"
printf 'int f(int x) { return x * 3; }\nint g;\n' >"$tmp/lib.c"
gcc -Os -s -shared -fPIC -Wl,-z,noseparate-code -o "$c/fuzz_elf/shared-lib" "$tmp/lib.c"
# what the fuzzer found, kept as unit tests' data, stays a seed
cp "$root/tests/unit/data/fuzz-dwarf-line-str-unterminated" \
	"$c/fuzz_elf/dwarf-line-str-unterminated"
cp "$root/tests/unit/data/fuzz-dwarf-strx-at-section-end" \
	"$c/fuzz_elf/dwarf-strx-at-section-end"
# ELF32 and big-endian objects, with DWARF
clang -m32 -g -Os -c -o "$c/fuzz_elf/elf32-object" "$tmp/lib.c"
clang --target=powerpc64-linux-gnu -g -Os -c -o "$c/fuzz_elf/ppc64be-object" "$tmp/lib.c"

# link maps of GNU ld and lld
gcc -Os -o "$tmp/a" "$hello" -Wl,-Map="$c/fuzz_linkmap/gnu-ld.map"
gcc -Os -fuse-ld=lld -o "$tmp/b" "$hello" -Wl,-Map="$c/fuzz_linkmap/lld.map"
# a firmware's map with a Memory Configuration, and its linker script (MEMORY)
arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os -ffreestanding -fno-tree-loop-distribute-patterns \
	-nostdlib -T "$fx/regions/prog.ld" -o "$tmp/fw" "$fx/regions/prog.c" \
	-Wl,-Map="$c/fuzz_linkmap/gnu-ld-memory.map"
cp "$fx/regions/prog.ld" "$c/fuzz_linkmap/memory.ld"

# heap logs: the tracer on two of the heap fixtures
for p in blocks aligned; do
	gcc -O1 -o "$tmp/$p" "$fx/heap/$p.c" -lpthread
	OUNCE_HEAPTRACE_LIB=$lib "$ounce" heap trace -o "$c/fuzz_heaplog/$p-heaplog" -- "$tmp/$p" \
		>/dev/null 2>&1
done

# and a device's (4-byte pointers): the firmware fixture's, under qemu
cp -r "$fx/mcuheap" "$tmp/mcuheap"
"$ounce" heap mcu-source >"$tmp/mcuheap/heaptrace.c"
(cd "$tmp/mcuheap" &&
	arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os --specs=nano.specs -nostartfiles \
		-T lm3s6965.ld -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc \
		-o prog.elf main.c startup.c syscalls.c heaptrace.c &&
	timeout 10 qemu-system-arm -M lm3s6965evb -nographic -no-reboot -monitor none \
		-semihosting-config enable=on,target=native -kernel prog.elf >/dev/null 2>&1)
cp "$tmp/mcuheap/heap.log" "$c/fuzz_heaplog/mcu-heaplog"

# results.json: a two-profile matrix of the single-file fixture
cp -r "$fx/single" "$tmp/single"
OUNCE_DATADIR=$root "$ounce" matrix -q -j 2 -p strip,gc --no-verify -w "$tmp/w" \
	-o "$c/fuzz_results/results.json" "$tmp/single" >/dev/null 2>&1
# and one cell object alone, as the cache stores it
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump(d["cells"][0], open(sys.argv[2],"w"))' \
	"$c/fuzz_results/results.json" "$c/fuzz_results/cell.json"

# `ounce size --format json` output, as `ounce check` reads it (main.json)
gcc -Os -o "$tmp/hello" "$hello"
(cd "$tmp" && "$ounce" size --format json hello) >"$c/fuzz_results/size.json"

# INI: ounce.ini files, profiles and recipes
printf '[budget]\nmetric = stripped\nhello = 16K\ntotal = 1M\nmax-growth = 0.5%%\n' \
	>"$c/fuzz_config/ounce-budget.ini"
for d in makeproj badini gate checks; do
	cp "$fx/$d/ounce.ini" "$c/fuzz_config/ounce-$d.ini"
done
for p in strip lto allocator lld; do
	cp "$root/profiles/$p.ini" "$c/fuzz_config/profile-$p.ini"
done
for r in make cargo autotools; do
	cp "$root/recipes/$r.ini" "$c/fuzz_config/recipe-$r.ini"
done

# Cargo configuration
cp "$fx/cargoconf/.cargo/config.toml" "$c/fuzz_cargoconf/fixture.toml"
printf '[target.x86_64-unknown-linux-gnu]\nrustflags = ["-C", "opt-level=z"]\n' \
	>"$c/fuzz_cargoconf/triple.toml"
printf "[build]\ntarget = \"x86_64-unknown-linux-gnu\"\n[target.'cfg(unix)']\nrustflags = []\n" \
	>"$c/fuzz_cargoconf/cfg.toml"
printf 'target.x86_64-unknown-linux-gnu.rustflags = ["-Cpanic=abort"]\n' \
	>"$c/fuzz_cargoconf/dotted.toml"

find "$c" -type f -size +64k -printf 'make_corpus.sh: warning: %p is over 64 KiB\n' >&2
du -sh "$c"
