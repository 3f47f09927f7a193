#!/bin/sh
# scdoc.sh SCDOC IN OUT: run scdoc on IN into OUT (meson's custom_target cannot
# redirect stdin); a failure leaves no half-written OUT behind.
set -eu
"$1" < "$2" > "$3.tmp" || { rm -f "$3.tmp"; exit 1; }
mv "$3.tmp" "$3"
