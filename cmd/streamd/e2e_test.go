package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// TestCLIEndToEnd drives a real node with the real streamd CLI: every
// streaming message goes through `streamd tx streaming ...` with fees, once
// signed in amino-JSON mode (what Ledger and Keplr sign), and is read back
// with `streamd q streaming ...`.
func TestCLIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	alice, bob := node.Addrs["alice"], node.Addrs["bob"]
	amino := []string{"--sign-mode", "amino-json"}

	// Profiles: alice signs directly, bob in amino-JSON.
	requireOK(t, node.Tx("alice", "streaming", "edit-profile", "Alice", "--surname", "Smith", "--img-link", "https://example.com/alice.png", "--time-zone", "Europe/Berlin"))
	requireOK(t, node.Tx("bob", append([]string{"streaming", "edit-profile", "Bob"}, amino...)...))
	var prof struct {
		Profile struct {
			Name     string `json:"name"`
			Surname  string `json:"surname"`
			ImgLink  string `json:"img_link"`
			TimeZone string `json:"time_zone"`
		} `json:"profile"`
	}
	node.Query(&prof, "streaming", "profile", alice)
	require.Equal(t, "Alice", prof.Profile.Name)
	require.Equal(t, "Smith", prof.Profile.Surname)
	require.Equal(t, "https://example.com/alice.png", prof.Profile.ImgLink)
	require.Equal(t, "Europe/Berlin", prof.Profile.TimeZone)

	// Schedule two streams; the id comes back in the event. The first is
	// signed in amino-JSON with a multi-line description (a textarea's).
	description := "We ship\n\tat last"
	start := time.Now().UTC().Add(10 * time.Minute).Truncate(time.Second)
	end := start.Add(time.Hour)
	res := node.Tx("alice", append([]string{"streaming", "new-stream", "Launch party", start.Format(time.RFC3339), end.Format(time.RFC3339),
		"--description", description, "--img-link", "ipfs://bafybeigdyrzt/cover.png"}, amino...)...)
	requireOK(t, res)
	require.Equal(t, `"1"`, res.Attr("streamchain.streaming.v1.EventStreamScheduled", "stream_id"))
	res = node.Tx("alice", "streaming", "new-stream", "To be deleted", start.Add(2*time.Hour).Format(time.RFC3339), end.Add(2*time.Hour).Format(time.RFC3339))
	requireOK(t, res)
	require.Equal(t, `"2"`, res.Attr("streamchain.streaming.v1.EventStreamScheduled", "stream_id"))

	var stream struct {
		Stream struct {
			ID          string `json:"id"`
			Broadcaster string `json:"broadcaster"`
			Title       string `json:"title"`
			Description string `json:"description"`
			StartTime   string `json:"start_time"`
		} `json:"stream"`
		Status string `json:"status"`
	}
	node.Query(&stream, "streaming", "stream", "1")
	require.Equal(t, alice, stream.Stream.Broadcaster)
	require.Equal(t, "Launch party", stream.Stream.Title)
	require.Equal(t, description, stream.Stream.Description)
	require.Equal(t, "STREAM_STATUS_UPCOMING", stream.Status)
	requireSameTime(t, start, stream.Stream.StartTime)

	// The same through REST (grpc-gateway).
	var rest struct {
		Stream struct {
			Title string `json:"title"`
		} `json:"stream"`
		Status string `json:"status"`
	}
	getJSON(t, node.REST+"/streamchain/streaming/v1/streams/1", &rest)
	require.Equal(t, "Launch party", rest.Stream.Title)
	require.Equal(t, "STREAM_STATUS_UPCOMING", rest.Status)

	// Edit only the title: the description stays.
	requireOK(t, node.Tx("alice", append([]string{"streaming", "edit-stream", "1", "--title", "Launch party v2", "--update-mask", "title"}, amino...)...))
	node.Query(&stream, "streaming", "stream", "1")
	require.Equal(t, "Launch party v2", stream.Stream.Title)
	require.Equal(t, description, stream.Stream.Description)

	// Delete the second stream.
	requireOK(t, node.Tx("alice", append([]string{"streaming", "delete-stream", "2"}, amino...)...))
	require.Contains(t, node.QueryErr("streaming", "stream", "2"), "not found")

	// Upcoming streams list the first one only.
	var list streamList
	node.Query(&list, "streaming", "streams", "--status", "upcoming")
	require.Len(t, list.Streams, 1)
	require.Equal(t, "1", list.Streams[0].Stream.ID)

	// Over REST the status filter takes the enum's name, as the SDK's own
	// enums do, or its number.
	for _, status := range []string{"STREAM_STATUS_UPCOMING", "1"} {
		var restList streamList
		getJSON(t, node.REST+"/streamchain/streaming/v1/streams?status="+status, &restList)
		require.Len(t, restList.Streams, 1, status)
		require.Equal(t, "1", restList.Streams[0].Stream.ID, status)
		require.Equal(t, "STREAM_STATUS_UPCOMING", restList.Streams[0].Status, status)
	}
	var none struct {
		Streams []any `json:"streams"`
	}
	getJSON(t, node.REST+"/streamchain/streaming/v1/streams?status=STREAM_STATUS_ENDED", &none)
	require.Empty(t, none.Streams)

	// A page by key and by offset at once is a bad request on every list,
	// with or without a broadcaster filter.
	for _, path := range []string{"/streamchain/streaming/v1/streams?", "/streamchain/streaming/v1/streams?broadcaster=" + alice + "&",
		"/streamchain/streaming/v1/subscribers/" + alice + "?"} {
		res, err := http.Get(node.REST + path + "pagination.key=AQ%3D%3D&pagination.offset=1")
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s: %s", path, body)
	}

	// The whole state, one page per list.
	var state struct {
		Profiles          []any `json:"profiles"`
		Streams           []any `json:"streams"`
		StreamsPagination struct {
			NextKey string `json:"next_key"`
		} `json:"streams_pagination"`
	}
	node.Query(&state, "streaming", "state", "--profiles-limit", "1", "--streams-limit", "5")
	require.Len(t, state.Profiles, 1)
	require.Len(t, state.Streams, 1)
	require.Empty(t, state.StreamsPagination.NextKey)

	// Subscribe and unsubscribe, both in amino-JSON.
	requireOK(t, node.Tx("bob", append([]string{"streaming", "subscribe", alice}, amino...)...))
	var sub struct {
		Subscribed bool   `json:"subscribed"`
		Since      string `json:"since"`
	}
	node.Query(&sub, "streaming", "subscription", bob, alice)
	require.True(t, sub.Subscribed)
	require.NotEmpty(t, sub.Since)
	var subs struct {
		Subscriptions []struct {
			Subscriber string `json:"subscriber"`
		} `json:"subscriptions"`
	}
	node.Query(&subs, "streaming", "subscribers", alice)
	require.Len(t, subs.Subscriptions, 1)
	require.Equal(t, bob, subs.Subscriptions[0].Subscriber)

	requireOK(t, node.Tx("bob", append([]string{"streaming", "unsubscribe", alice}, amino...)...))
	var after struct {
		Subscribed bool   `json:"subscribed"`
		Since      string `json:"since"`
	}
	node.Query(&after, "streaming", "subscription", bob, alice)
	require.False(t, after.Subscribed)
	require.Empty(t, after.Since)

	// Bad input is refused with the module's registered code, not code 1.
	res = node.Tx("bob", "streaming", "subscribe", bob)
	require.Equal(t, types.ErrSelfSubscription.ABCICode(), res.Code, res.RawLog)
	require.Equal(t, types.ModuleName, res.Codespace)
	var bobsFans struct {
		Subscriptions []any `json:"subscriptions"`
	}
	node.Query(&bobsFans, "streaming", "subscribers", bob)
	require.Empty(t, bobsFans.Subscriptions)

	// New params go through governance: the proposal carries MsgUpdateParams
	// signed by the gov module account.
	params := `{"max_name_length":32,"max_surname_length":64,"max_title_length":140,"max_description_length":2000,` +
		`"max_link_length":512,"max_time_zone_length":64,"max_stream_duration":"7200s","max_schedule_ahead":"604800s","min_stream_duration":"60s",` +
		`"ended_stream_retention":"2592000s","max_prunes_per_block":100,"max_open_streams_per_broadcaster":100,` +
		`"min_subscription_period":"3600s","max_subscription_period":"31622400s","max_subscription_price":"1000000000000",` +
		`"max_expirations_per_block":100,"max_memo_length":140,"max_block_reason_length":140}`
	requireOK(t, node.Tx("alice", "streaming", "update-params-proposal", params,
		"--deposit", "10000000ustream", "--title", "Shorter names", "--summary", "Names of at most 32 bytes"))
	var proposals struct {
		Proposals []struct {
			Status   string `json:"status"`
			Messages []struct {
				Type  string `json:"type"`
				Value struct {
					Authority string `json:"authority"`
					Params    struct {
						MaxNameLength int `json:"max_name_length"`
					} `json:"params"`
				} `json:"value"`
			} `json:"messages"`
		} `json:"proposals"`
	}
	node.Query(&proposals, "gov", "proposals")
	require.Len(t, proposals.Proposals, 1)
	require.Len(t, proposals.Proposals[0].Messages, 1)
	require.Equal(t, "/streamchain.streaming.v1.MsgUpdateParams", proposals.Proposals[0].Messages[0].Type)
	require.Equal(t, 32, proposals.Proposals[0].Messages[0].Value.Params.MaxNameLength)
	require.NotEmpty(t, proposals.Proposals[0].Messages[0].Value.Authority)
	require.Equal(t, "PROPOSAL_STATUS_VOTING_PERIOD", proposals.Proposals[0].Status)

	// A proposal with invalid params is refused at submission (gov runs the
	// messages' ValidateBasic): no proposal, no deposit locked.
	invalid := strings.Replace(params, `"max_name_length":32`, `"max_name_length":0`, 1)
	res = node.Tx("alice", "streaming", "update-params-proposal", invalid,
		"--deposit", "10000000ustream", "--title", "No names", "--summary", "max_name_length 0")
	require.NotZero(t, res.Code, "a proposal with max_name_length 0 was accepted")
	require.Equal(t, "gov", res.Codespace, res.RawLog)
	require.Contains(t, res.RawLog, "max_name_length")
	node.Query(&proposals, "gov", "proposals")
	require.Len(t, proposals.Proposals, 1)

	// What `q streaming params` prints, the proposal takes: durations
	// included, which the query writes as Go durations ("24h0m0s") and
	// protojson alone reads only as seconds ("86400s").
	var printed struct {
		Params json.RawMessage `json:"params"`
	}
	node.Query(&printed, "streaming", "params")
	require.Contains(t, string(printed.Params), `"max_stream_duration": "24h0m0s"`)
	roundTrip := strings.Replace(string(printed.Params), `"24h0m0s"`, `"2h30m0s"`, 1)
	requireOK(t, node.Tx("alice", "streaming", "update-params-proposal", roundTrip,
		"--deposit", "10000000ustream", "--title", "Shorter streams", "--summary", "As printed, with 2h30m streams"))
	var printedProposals struct {
		Proposals []struct {
			Messages []struct {
				Value struct {
					Params struct {
						MaxStreamDuration string `json:"max_stream_duration"`
						MaxScheduleAhead  string `json:"max_schedule_ahead"`
					} `json:"params"`
				} `json:"value"`
			} `json:"messages"`
		} `json:"proposals"`
	}
	node.Query(&printedProposals, "gov", "proposals")
	require.Len(t, printedProposals.Proposals, 2)
	proposed := printedProposals.Proposals[1].Messages[0].Value.Params
	require.Equal(t, "2h30m0s", proposed.MaxStreamDuration)
	require.Equal(t, (types.DefaultParams().MaxScheduleAhead).String(), proposed.MaxScheduleAhead)

	// The yardstick for gas figures: a bank send in the same run.
	send := node.Tx("alice", "bank", "send", alice, bob, "1ustream")
	requireOK(t, send)

	// The index keeps what wallets search by (app.DefaultIndexEvents): the
	// payments an account received, its own txs; not every attribute.
	var found struct {
		Txs []struct {
			TxHash string `json:"txhash"`
		} `json:"txs"`
	}
	hashes := func(query string) []string {
		found.Txs = nil
		node.Query(&found, "txs", "--query", query)
		var out []string
		for _, tx := range found.Txs {
			out = append(out, tx.TxHash)
		}
		return out
	}
	require.Contains(t, hashes(fmt.Sprintf("transfer.recipient='%s'", bob)), send.Hash)
	require.Contains(t, hashes(fmt.Sprintf("message.sender='%s'", alice)), send.Hash)
	require.Empty(t, hashes(fmt.Sprintf("coin_received.receiver='%s'", bob)), "coin_received is not indexed by default")

	// A tx without fees never reaches a block: the node requires
	// minimum-gas-prices in ustream.
	noFee := node.Broadcast("alice", "streaming", "edit-profile", "Mallory")
	require.Equal(t, uint32(13), noFee.Code, noFee.RawLog) // sdk's ErrInsufficientFee
	require.Equal(t, "sdk", noFee.Codespace)
	require.Contains(t, noFee.RawLog, "insufficient fee")
	node.Query(&prof, "streaming", "profile", alice)
	require.Equal(t, "Alice", prof.Profile.Name)
}

// streamList is a page of `q streaming streams` or its REST route.
type streamList struct {
	Streams []struct {
		Stream struct {
			ID string `json:"id"`
		} `json:"stream"`
		Status string `json:"status"`
	} `json:"streams"`
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.NoError(t, json.Unmarshal(body, v), string(body))
}

func requireOK(t *testing.T, res cli.TxResult) {
	t.Helper()
	require.Zerof(t, res.Code, "tx %s failed: codespace %s: %s", res.Hash, res.Codespace, res.RawLog)
	t.Logf("tx %s ok, gas used %s", res.Hash, res.GasUsed)
}

func requireSameTime(t *testing.T, want time.Time, got string) {
	t.Helper()
	parsed, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(got))
	require.NoError(t, err)
	require.True(t, want.Equal(parsed), "want %s, got %s", want, got)
}
