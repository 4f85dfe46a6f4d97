#!/usr/bin/env bash
# Build llama.cpp's llama-server once per machine, into a cache folder outside the clone.
# There is no Debian package or wheel of the server; the llama-cpp-python sdist on PyPI carries
# the full llama.cpp source (vendor/llama.cpp, tools/server included). Prints the binary's path.
#   .ci/llama-server.sh            build when missing, print the path
# The prebuilt-UI option defaults to on and would download at build time: it must stay off.
set -euo pipefail
VERSION=0.3.36
CACHE="${BRIEFING_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/briefing-ci}"
DEST="$CACHE/llama-server-$VERSION"
BIN="$DEST/llama-server"
if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi
mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
python3 -m pip download -q --no-deps --no-binary :all: -d "$WORK" "llama-cpp-python==$VERSION" >&2
tar -xzf "$WORK"/llama_cpp_python-"$VERSION".tar.gz -C "$WORK"
SRC="$WORK/llama_cpp_python-$VERSION/vendor/llama.cpp"
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF \
    -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF >&2
cmake --build "$WORK/build" --target llama-server -j"$(nproc)" >&2
mkdir -p "$DEST.tmp"
cp "$WORK/build/bin/llama-server" "$DEST.tmp/llama-server"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "$BIN"
