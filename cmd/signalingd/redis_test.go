package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

func TestRunSharedMode(t *testing.T) {
	chain := signalingtest.NewChain(t)
	rd := signalingtest.StartRedis(t)
	addr := freeAddr(t)
	env := map[string]string{
		"SIGNALINGD_LISTEN": addr, "SIGNALINGD_GRPC": chain.Addr(), "SIGNALINGD_METRICS_LISTEN": "",
		"SIGNALINGD_REDIS": rd.URL(), "SIGNALINGD_INSTANCE_ID": "one",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &signalingtest.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-rpc="}, envOf(env), logs) }()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var list signaling.InstancesList
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/instances.json")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&list)
			_ = resp.Body.Close()
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("signalingd never answered: %v\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The advertised URL defaults to the listen address.
	require.Equal(t, []protocol.Instance{{ID: "one", URL: "http://" + addr}}, list.Instances)
	rdb := rd.Client(t)
	require.Eventually(t, func() bool { return rdb.Get(ctx, "signaling:instance:one").Val() == "http://"+addr },
		5*time.Second, 20*time.Millisecond, "the liveness key holds the advertised URL")

	c := signalingtest.Dial(t, "http://"+addr, "")
	c.SignIn(signalingtest.NewWallet())
	cancel()
	d := c.Expect("draining")
	require.Empty(t, d["instances"], "no other instance to go to")
	code, _ := c.ExpectClosed()
	require.Equal(t, websocket.CloseGoingAway, code)
	require.NoError(t, <-done)
	require.Zero(t, rdb.Exists(context.Background(), "signaling:instance:one").Val(), "a drained instance withdraws at once")
}
