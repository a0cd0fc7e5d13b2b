#!/bin/sh
# Runs every user test program found beside this script (or in the folder
# given as $1), each between marker lines that tools/differential.py's
# `split` and `kernel` subcommands cut a serial log at:
#   @@user-test begin <flavour>/<prog>
#   @@user-test end <flavour>/<prog> status=<exit status>
# Layout: <dir>/<flavour>/<prog> for flavour glibc and musl. Plain POSIX sh:
# busybox sh runs it in our kernel, any sh on the host.
dir=${1:-$(dirname "$0")}
for flavour in glibc musl; do
  for prog in "$dir/$flavour"/*; do
    [ -x "$prog" ] || continue
    name=${prog##*/}
    echo "@@user-test begin $flavour/$name"
    "$prog"
    echo "@@user-test end $flavour/$name status=$?"
  done
done
echo "@@user-test all done"
