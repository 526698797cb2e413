#!/bin/sh
# Starts the built API: `npm start`, `npm run start:prod` and the Docker image all come through here.
#
# With no arguments it runs dist/main.js; otherwise its arguments are node's (`sh scripts/start.sh
# --cpu-prof dist/main.js`). On Linux it preloads jemalloc when the system has it (Debian/Ubuntu:
# `apt-get install libjemalloc2`), as sharp's documentation advises: glibc's allocator keeps the
# memory libvips frees after a burst of image work (the hostile-neighbour benchmark left +339 MB
# 30 s after the attack; jemalloc with the settings below, +49 MB). MEMORY_ALLOCATOR=system keeps
# the system allocator; an LD_PRELOAD that already names jemalloc is left as it is.
#
# `exec` replaces this shell with node: one process, the same pid, signals straight to the app.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$#" -gt 0 ] || set -- "$root/dist/main.js"

if [ "$(uname -s)" = Linux ] && [ "${MEMORY_ALLOCATOR:-auto}" != system ]; then
  case "${LD_PRELOAD:-}" in
    *jemalloc*) ;;
    *)
      for lib in /usr/lib/*-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2; do
        if [ -r "$lib" ]; then
          LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$lib"
          export LD_PRELOAD
          break
        fi
      done
      ;;
  esac
  case "${LD_PRELOAD:-}" in
    # Freed pages go back to the system within a second, from jemalloc's own thread (so an idle process
    # shrinks too, not only one that keeps allocating). An operator's MALLOC_CONF wins.
    *jemalloc*) export MALLOC_CONF="${MALLOC_CONF:-background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0}" ;;
  esac
fi

exec node "$@"
