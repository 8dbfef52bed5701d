#!/bin/sh
# Generates EvHub's Go packages from proto/ with protoc-gen-go and protoc-gen-go-grpc, then builds both
# Go examples into OUT_DIR/bin (report, dispatch-server). Nothing generated is committed.
#
#   examples/go/build.sh OUT_DIR
#
# The EvHub .proto files carry no go_package option (they mirror EvHub's contract byte for byte), so the
# Go import paths are given here with M mappings. The build runs in GOPATH mode against the grpc-go and
# protobuf sources in GOPATH_DEPS (default: Debian's /usr/share/gocode, see examples/README.md).
set -eu
out=${1:?usage: examples/go/build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
proto=$here/../../proto
pkg=eventyard.example/evhub
mkdir -p "$out/gopath/src" "$out/bin"
out=$(cd "$out" && pwd)

maps=""
for name in comm producer processor; do
  maps="$maps --go_opt=M$name/$name.proto=$pkg/$name --go-grpc_opt=M$name/$name.proto=$pkg/$name"
done
# shellcheck disable=SC2086 # $maps is a list of flags
protoc -I "$proto" --go_out="$out/gopath/src" --go-grpc_out="$out/gopath/src" $maps \
  comm/comm.proto producer/producer.proto processor/processor.proto

export GO111MODULE=off GOPATH="$out/gopath:${GOPATH_DEPS:-/usr/share/gocode}"
# GOPATH mode builds a directory outside GOPATH only by a relative path.
cd "$here"
go build -o "$out/bin/report" ./report
go build -o "$out/bin/dispatch-server" ./dispatch-server
