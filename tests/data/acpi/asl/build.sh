#!/bin/sh
# Compiles the ASL (.asl) and data-table (.dsl) sources here into the .aml
# files next to them, which are committed: the host tests read the .aml, so
# neither CI nor a developer needs iasl (Debian: acpica-tools) unless they
# change a source. Run from anywhere: tests/data/acpi/asl/build.sh
set -eu
cd "$(dirname "$0")"
for source in *.asl *.dsl; do
  iasl -vs -vi -p "${source%.*}" "$source" >/dev/null
  echo "compiled $source -> ${source%.*}.aml"
done
