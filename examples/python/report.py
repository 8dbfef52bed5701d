"""Reports one event to Eventyard over gRPC with EvHub's Report call and prints
{"event_id": "...", "ret": {"code": ..., "msg": "..."}}.

Uses the modules generate.sh makes from proto/; put its output directory on PYTHONPATH:

    PYTHONPATH=OUT_DIR python3 examples/python/report.py [--addr 127.0.0.1:9000] [--app demo]
        [--topic greeting] [--data '{"hello":"python"}'] [--ordering-key KEY]

--addr defaults to $EY_EXAMPLE_PRODUCER_ADDR, then 127.0.0.1:9000. Exits 1 when the call fails or
ret.code is not 0 (EvHub's result codes: 10000 invalid parameter, 20000 publish failed, ...).
"""

import argparse
import json
import os
import sys

import grpc

from comm import comm_pb2
from producer import producer_pb2, producer_pb2_grpc


def main() -> int:
    parser = argparse.ArgumentParser(description="Report one event to Eventyard with EvHub's gRPC Report call.")
    parser.add_argument("--addr", default=os.environ.get("EY_EXAMPLE_PRODUCER_ADDR", "127.0.0.1:9000"),
                        help="producer gRPC address (host:port)")
    parser.add_argument("--app", default="demo", help="app_id of the event")
    parser.add_argument("--topic", default="greeting", help="topic_id of the event")
    parser.add_argument("--data", default='{"hello":"python"}', help="event payload (sent as UTF-8 bytes)")
    parser.add_argument("--ordering-key", default="",
                        help="events with the same key reach each processor in report order")
    parser.add_argument("--timeout", type=float, default=5.0, help="deadline of the call, in seconds")
    args = parser.parse_args()

    request = producer_pb2.ReportReq(
        event=comm_pb2.Event(app_id=args.app, topic_id=args.topic, data=args.data.encode("utf-8")),
    )
    if args.ordering_key:
        request.option.orderingKey = args.ordering_key

    # Plaintext, as `pnpm start` serves it.
    with grpc.insecure_channel(args.addr) as channel:
        try:
            response = producer_pb2_grpc.evhubProducerStub(channel).Report(request, timeout=args.timeout)
        except grpc.RpcError as err:
            print(f"report: Report: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1

    # An absent ret reads as code 0 and an empty msg: success.
    print(json.dumps({"event_id": response.event_id, "ret": {"code": response.ret.code, "msg": response.ret.msg}}, separators=(",", ":")))
    return 0 if response.ret.code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
