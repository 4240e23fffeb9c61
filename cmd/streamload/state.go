package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cosmos/cosmos-sdk/codec/address"

	"github.com/streamchain/streamchain/app"
)

// stateCmd fills the x/streaming section of a genesis file with a large,
// valid state: profiles, one upcoming stream per profile up to -streams, and
// -follows subscriptions per profile, so that load runs and queries can be
// measured against a store that already holds millions of entries.
//
// Profile i's address is the first 20 bytes of SHA-256("streamload-state/i")
// (no keys: these accounts never sign). Profile i follows profiles
// i+1+j*(profiles/follows) (mod profiles) for j < follows, so every profile also has
// exactly -follows subscribers.
func stateCmd(args []string) error {
	fs := flag.NewFlagSet("state", flag.ContinueOnError)
	genesis := fs.String("genesis", "", "genesis.json to rewrite in place")
	profiles := fs.Int("profiles", 100_000, "profiles")
	streams := fs.Int("streams", 100_000, "streams (at most one per profile)")
	follows := fs.Int("follows", 10, "subscriptions per profile (profiles × follows in all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *genesis == "" || *profiles < 2 || *streams > *profiles || *follows < 0 || *follows > *profiles/2 {
		return fmt.Errorf("need -genesis, -profiles >= 2, -streams <= -profiles and -follows <= profiles/2")
	}
	// 1 + j*stride for j < follows are distinct and below profiles: no
	// profile follows itself or another twice.
	stride := *profiles / max(1, *follows)

	raw, err := os.ReadFile(*genesis)
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", *genesis, err)
	}
	var appState map[string]json.RawMessage
	if err := json.Unmarshal(doc["app_state"], &appState); err != nil {
		return fmt.Errorf("%s app_state: %w", *genesis, err)
	}
	var genesisTime time.Time
	if err := json.Unmarshal(doc["genesis_time"], &genesisTime); err != nil {
		return fmt.Errorf("%s genesis_time: %w", *genesis, err)
	}
	var streaming struct {
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(appState["streaming"], &streaming); err != nil {
		return fmt.Errorf("%s streaming: %w", *genesis, err)
	}

	ac := address.NewBech32Codec(app.AccountAddressPrefix)
	addrs := make([]string, *profiles)
	for i := range addrs {
		sum := sha256.Sum256([]byte("streamload-state/" + strconv.Itoa(i)))
		if addrs[i], err = ac.BytesToString(sum[:20]); err != nil {
			return err
		}
	}
	created := genesisTime.UTC().Format(time.RFC3339)
	// The streams start a day after genesis, one a second: "upcoming" for
	// the whole benchmark.
	firstStart := genesisTime.UTC().Add(24 * time.Hour).Truncate(time.Second)

	tmp := *genesis + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	// Everything but the streaming section is written back as it was; the
	// section itself is streamed out, as it is hundreds of megabytes.
	delete(appState, "streaming")
	fmt.Fprint(w, "{")
	first := true
	for k, v := range doc {
		if k == "app_state" {
			continue
		}
		if !first {
			fmt.Fprint(w, ",")
		}
		first = false
		fmt.Fprintf(w, "%q:%s", k, v)
	}
	fmt.Fprint(w, `,"app_state":{`)
	for k, v := range appState {
		fmt.Fprintf(w, "%q:%s,", k, v)
	}
	fmt.Fprintf(w, `"streaming":{"params":%s,"profiles":[`, streaming.Params)
	for i, a := range addrs {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		nStreams := 0
		if i < *streams {
			nStreams = 1
		}
		fmt.Fprintf(w, `{"address":%q,"name":"State %d","created_at":%q,"subscriber_count":"%d","subscription_count":"%d","stream_count":"%d"}`,
			a, i, created, *follows, *follows, nStreams)
	}
	fmt.Fprint(w, `],"streams":[`)
	for i := 0; i < *streams; i++ {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		start := firstStart.Add(time.Duration(i) * time.Second)
		fmt.Fprintf(w, `{"id":"%d","broadcaster":%q,"title":"State stream %d","start_time":%q,"end_time":%q,"created_at":%q}`,
			i+1, addrs[i], i, start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339), created)
	}
	fmt.Fprint(w, `],"subscriptions":[`)
	n := 0
	for i, a := range addrs {
		for j := 0; j < *follows; j++ {
			if n > 0 {
				fmt.Fprint(w, ",")
			}
			n++
			b := addrs[(i+1+j*stride)%*profiles]
			fmt.Fprintf(w, `{"subscriber":%q,"broadcaster":%q,"since":%q}`, a, b, created)
		}
	}
	fmt.Fprintf(w, `],"next_stream_id":"%d"}}}`, *streams+1)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "streamload: %s now holds %d profiles, %d streams, %d subscriptions\n", *genesis, *profiles, *streams, n)
	return os.Rename(tmp, *genesis)
}
