// Command dispatch-server is an example EvHub processor in Go: a gRPC evhubProcessor server, built from
// Go code generated from proto/ (see ../build.sh), that prints every event Eventyard dispatches to it as
// one JSON line on stdout and answers success.
//
//	dispatch-server [-host 0.0.0.0] [-port 7000] [-fail-topic TOPIC]
//
// -port defaults to $EY_EXAMPLE_DISPATCH_PORT, then 7000; -port 0 picks a free one. The address it
// listens on is logged to stderr ("listening on 127.0.0.1:7000"). Register it with the admin API as a
// grpcSend processor (see ../../README.md).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"google.golang.org/grpc"

	"eventyard.example/evhub/comm"
	"eventyard.example/evhub/processor"
)

// EvHub's ret semantics: code 0 (or no ret) is success; any other code makes Eventyard retry the
// delivery as the processor's retry_strategy says; 30000 (cancel) stops the retries, and a repeat
// event's chain.
const (
	codeOK     = 0
	codeFailed = 500
)

// server embeds the generated Unimplemented type, as protoc-gen-go-grpc requires, so that methods added
// to the service later do not break the build.
type server struct {
	processor.UnimplementedEvhubProcessorServer
	failTopic string
}

// dispatched is one received event as printed: EvHub's field names, data as text.
type dispatched struct {
	EventID     string `json:"event_id"`
	AppID       string `json:"app_id"`
	TopicID     string `json:"topic_id"`
	RetryTimes  uint32 `json:"retry_times"`
	RepeatTimes uint32 `json:"repeat_times"`
	Data        string `json:"data"`
}

func (s *server) Dispatch(ctx context.Context, req *processor.DispatchReq) (*processor.DispatchRsp, error) {
	line, err := json.Marshal(dispatched{
		EventID:     req.GetEventId(),
		AppID:       req.GetEvent().GetAppId(),
		TopicID:     req.GetEvent().GetTopicId(),
		RetryTimes:  req.GetRetryTimes(),
		RepeatTimes: req.GetRepeatTimes(),
		Data:        string(req.GetEvent().GetData()),
	})
	if err != nil {
		return nil, err
	}
	fmt.Println(string(line))
	// A business failure is a non-zero ret.code, not a gRPC error: Eventyard records the code and msg in
	// the delivery's attempt history, and retries.
	if s.failTopic != "" && req.GetEvent().GetTopicId() == s.failTopic {
		return &processor.DispatchRsp{Ret: &comm.Result{Code: codeFailed, Msg: "refused by -fail-topic"}}, nil
	}
	return &processor.DispatchRsp{Ret: &comm.Result{Code: codeOK, Msg: "ok"}}, nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("dispatch-server: ")
	host := flag.String("host", "0.0.0.0", "interface to listen on")
	port := flag.Int("port", envInt("EY_EXAMPLE_DISPATCH_PORT", 7000), "port to listen on (0: any free port)")
	failTopic := flag.String("fail-topic", "", "answer ret.code 500 for events of this topic, to watch retries")
	flag.Parse()

	lis, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer()
	processor.RegisterEvhubProcessorServer(srv, &server{failTopic: *failTopic})

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		srv.GracefulStop()
	}()

	log.Printf("listening on %s", lis.Addr())
	if err := srv.Serve(lis); err != nil {
		log.Fatal(err)
	}
}

func envInt(name string, fallback int) int {
	v, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		return fallback
	}
	return v
}
