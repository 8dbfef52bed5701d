#!/bin/sh
# Generates EvHub's Python modules (comm, producer, processor: *_pb2.py and *_pb2_grpc.py) from proto/
# into OUT_DIR with grpcio-tools. Run the examples with OUT_DIR on PYTHONPATH. Nothing generated is
# committed.
#
#   examples/python/generate.sh OUT_DIR        (PYTHON=/usr/bin/python3 to choose the interpreter)
set -eu
out=${1:?usage: examples/python/generate.sh OUT_DIR}
proto=$(cd "$(dirname "$0")/../../proto" && pwd)
mkdir -p "$out"
"${PYTHON:-python3}" -m grpc_tools.protoc -I "$proto" --python_out="$out" --grpc_python_out="$out" \
  comm/comm.proto producer/producer.proto processor/processor.proto
