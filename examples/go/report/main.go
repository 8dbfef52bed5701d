// Command report reports one event to Eventyard over gRPC with EvHub's Report call, using Go code
// generated from proto/ (see ../build.sh), and prints {"event_id":"…","ret":{"code":…,"msg":"…"}}.
//
//	report [-addr 127.0.0.1:9000] [-app demo] [-topic greeting] [-data '{"hello":"go"}'] [-ordering-key KEY]
//
// -addr defaults to $EY_EXAMPLE_PRODUCER_ADDR, then 127.0.0.1:9000. It exits 1 when the call fails or
// ret.code is not 0 (EvHub's result codes: 10000 invalid parameter, 20000 publish failed, …).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"google.golang.org/grpc"

	"eventyard.example/evhub/comm"
	"eventyard.example/evhub/producer"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("report: ")
	addr := flag.String("addr", envOr("EY_EXAMPLE_PRODUCER_ADDR", "127.0.0.1:9000"), "producer gRPC address (host:port)")
	app := flag.String("app", "demo", "app_id of the event")
	topic := flag.String("topic", "greeting", "topic_id of the event")
	data := flag.String("data", `{"hello":"go"}`, "event payload (sent as bytes)")
	orderingKey := flag.String("ordering-key", "", "events with the same key reach each processor in report order")
	timeout := flag.Duration("timeout", 5*time.Second, "deadline of the call")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	// Plaintext, as `pnpm start` serves it. grpc.WithInsecure is what grpc-go 1.33 (Debian's) has; newer
	// releases spell it grpc.WithTransportCredentials(insecure.NewCredentials()).
	conn, err := grpc.DialContext(ctx, *addr, grpc.WithInsecure())
	if err != nil {
		log.Fatalf("dial %s: %v", *addr, err)
	}
	defer conn.Close()

	req := &producer.ReportReq{
		Event: &comm.Event{AppId: *app, TopicId: *topic, Data: []byte(*data)},
	}
	if *orderingKey != "" {
		req.Option = &comm.EventOption{OrderingKey: *orderingKey}
	}
	rsp, err := producer.NewEvhubProducerClient(conn).Report(ctx, req)
	if err != nil {
		log.Fatalf("Report: %v", err)
	}

	// An absent ret means success, like code 0; GetCode/GetMsg return zero values on nil.
	out, err := json.Marshal(reportResult{EventID: rsp.GetEventId(), Ret: result{Code: rsp.GetRet().GetCode(), Msg: rsp.GetRet().GetMsg()}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
	if rsp.GetRet().GetCode() != 0 {
		os.Exit(1)
	}
}

// reportResult is printed with EvHub's field names; protojson would print eventId and drop code 0.
type reportResult struct {
	EventID string `json:"event_id"`
	Ret     result `json:"ret"`
}

type result struct {
	Code int32  `json:"code"`
	Msg  string `json:"msg"`
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
