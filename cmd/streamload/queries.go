package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cosmos/cosmos-sdk/codec/address"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamload/load"
)

// queryRecord is one JSON line of `queries`: the latency of one REST route.
type queryRecord struct {
	Query string  `json:"query"`
	N     int     `json:"n"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
}

// queriesCmd times the REST routes a client reads most, one request at a
// time: upcoming streams (first page), a broadcaster's subscribers (first
// page) and one subscription. The addresses are those `streamload state`
// generates, so a large store answers with real entries; on an empty store
// the routes answer "not found" or an empty page, which still walks the
// same indexes.
func queriesCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("queries", flag.ContinueOnError)
	api := fs.String("api", "http://127.0.0.1:1317", "REST (gRPC gateway) address of the node")
	allowRemote := fs.Bool("allow-remote", false, "allow an -api that is not on loopback")
	n := fs.Int("n", 200, "requests per route")
	profiles := fs.Int("profiles", 100_000, "profiles in the generated state (addresses are picked among them)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*allowRemote && !load.IsLoopback(*api) {
		return fmt.Errorf("-api %s is not on loopback: pass -allow-remote", *api)
	}
	if *n < 1 || *n > 10_000 || *profiles < 2 {
		return fmt.Errorf("need 1 <= -n <= 10000 and -profiles >= 2")
	}
	ac := address.NewBech32Codec(app.AccountAddressPrefix)
	addr := func(i int) string {
		sum := sha256.Sum256([]byte("streamload-state/" + strconv.Itoa(i%*profiles)))
		s, _ := ac.BytesToString(sum[:20])
		return s
	}
	routes := []struct {
		name string
		path func(i int) string
	}{
		{"streams --status upcoming", func(int) string {
			return "/streamchain/streaming/v1/streams?status=1&pagination.limit=100" // the gateway takes the enum by number only
		}},
		{"subscribers", func(i int) string { return "/streamchain/streaming/v1/subscribers/" + addr(i*7) }},
		{"subscription", func(i int) string {
			// Profile k follows k+1 in the generated state.
			return "/streamchain/streaming/v1/subscriptions/" + addr(i*7) + "/" + addr(i*7+1)
		}},
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	enc := json.NewEncoder(stdout)
	for _, r := range routes {
		var lat []time.Duration
		for i := 0; i < *n; i++ {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, *api+r.path(i), nil)
			if err != nil {
				return err
			}
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			lat = append(lat, time.Since(t0))
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
				return fmt.Errorf("%s: HTTP %d", r.name, resp.StatusCode)
			}
		}
		if err := enc.Encode(queryRecord{Query: r.name, N: *n, P50: load.PercentileMs(lat, 50), P90: load.PercentileMs(lat, 90), P99: load.PercentileMs(lat, 99)}); err != nil {
			return err
		}
	}
	return nil
}
