"""An example EvHub processor in Python: a gRPC evhubProcessor server that prints every event Eventyard
dispatches to it as one JSON line on stdout and answers success.

Uses the modules generate.sh makes from proto/; put its output directory on PYTHONPATH:

    PYTHONPATH=OUT_DIR python3 examples/python/dispatch_server.py [--host 0.0.0.0] [--port 7000]
        [--fail-topic TOPIC]

--port defaults to $EY_EXAMPLE_DISPATCH_PORT, then 7000; --port 0 picks a free one. The address it
listens on is logged to stderr ("listening on 127.0.0.1:7000"). Register it with the admin API as a
grpcSend processor (see ../README.md).
"""

import argparse
import json
import os
import signal
import sys
from concurrent import futures

import grpc

from comm import comm_pb2
from processor import processor_pb2, processor_pb2_grpc

# EvHub's ret semantics: code 0 (or no ret) is success; any other code makes Eventyard retry the
# delivery as the processor's retry_strategy says; 30000 (cancel) stops the retries, and a repeat
# event's chain.
CODE_OK = 0
CODE_FAILED = 500


class Printer(processor_pb2_grpc.evhubProcessorServicer):
    def __init__(self, fail_topic: str) -> None:
        self.fail_topic = fail_topic

    def Dispatch(self, request, context):
        event = request.event
        print(json.dumps({
            "event_id": request.event_id,
            "app_id": event.app_id,
            "topic_id": event.topic_id,
            "retry_times": request.retry_times,
            "repeat_times": request.repeat_times,
            "data": event.data.decode("utf-8", errors="replace"),
        }, separators=(",", ":")), flush=True)
        # A business failure is a non-zero ret.code, not a gRPC error: Eventyard records the code and msg
        # in the delivery's attempt history, and retries.
        if self.fail_topic and event.topic_id == self.fail_topic:
            return processor_pb2.DispatchRsp(ret=comm_pb2.Result(code=CODE_FAILED, msg="refused by --fail-topic"))
        return processor_pb2.DispatchRsp(ret=comm_pb2.Result(code=CODE_OK, msg="ok"))


def main() -> None:
    parser = argparse.ArgumentParser(description="An example EvHub processor: prints every event dispatched to it.")
    parser.add_argument("--host", default="0.0.0.0", help="interface to listen on")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EY_EXAMPLE_DISPATCH_PORT", "7000")),
                        help="port to listen on (0: any free port)")
    parser.add_argument("--fail-topic", default="",
                        help="answer ret.code 500 for events of this topic, to watch retries")
    args = parser.parse_args()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    processor_pb2_grpc.add_evhubProcessorServicer_to_server(Printer(args.fail_topic), server)
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    if port == 0:
        sys.exit(f"dispatch_server: cannot listen on {args.host}:{args.port}")
    server.start()
    print(f"dispatch_server: listening on {args.host}:{port}", file=sys.stderr, flush=True)

    # Finish the calls in flight (up to 5 s) on Ctrl-C or SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: server.stop(5))
    signal.signal(signal.SIGINT, lambda *_: server.stop(5))
    server.wait_for_termination()


if __name__ == "__main__":
    main()
