#!/bin/sh
# Installs `runner` and the workspace's demo plugins, so that
# `runner scenarios/cpu_bound.toml` works from any directory:
#
#   ./install.sh                 # into cargo's install root (~/.cargo: its bin is on a Rust user's PATH)
#   ./install.sh /usr/local      # into another prefix
#   ./install.sh --no-build DIR  # install what `cargo build --release --workspace` already built
#
# The binary goes to PREFIX/bin, the plugins to PREFIX/lib/runner/plugins, which an
# installed runner searches (`runner list` shows its whole search path). Not
# `cargo install`: it builds in a directory of its own and installs binaries only,
# never the plugins' shared libraries, so the workspace would be built twice.
set -eu

build=yes
if [ "${1:-}" = "--no-build" ]; then
    build=no
    shift
fi
prefix="${1:-${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}}"
cd "$(dirname "$0")"
target="${CARGO_TARGET_DIR:-$PWD/target}/release"

if [ "$build" = yes ]; then
    cargo build --release --workspace
fi
if [ ! -x "$target/runner" ]; then
    echo "error: $target/runner is missing" >&2
    echo "(build it with \`cargo build --release --workspace\`, or run ./install.sh without --no-build)" >&2
    exit 2
fi

plugins="$prefix/lib/runner/plugins"
mkdir -p "$prefix/bin" "$plugins"
# To a temporary name, then renamed: a runner that is running keeps its file.
cp "$target/runner" "$prefix/bin/.runner.new"
mv -f "$prefix/bin/.runner.new" "$prefix/bin/runner"
count=0
for lib in "$target"/librunner_plugin_*.so; do
    [ -e "$lib" ] || continue
    name=$(basename "$lib")
    cp "$lib" "$plugins/.$name.new"
    mv -f "$plugins/.$name.new" "$plugins/$name"
    count=$((count + 1))
done
echo "installed $prefix/bin/runner and $count plugin(s) in $plugins"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "note: $prefix/bin is not on PATH (add it, or run $prefix/bin/runner)" ;;
esac
