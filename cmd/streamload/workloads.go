package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	query "github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamload/load"
	streamingtypes "github.com/streamchain/streamchain/x/streaming/types"
)

// workloads names every workload `run -workload` takes.
var workloads = []string{"bank", "edit-profile", "new-stream", "edit-stream", "subscribe", "unsubscribe", "delete-stream", "tip", "mix"}

// mixPattern is the realistic mix, one entry per tx, repeated: viewers
// mostly follow and unfollow broadcasters and edit their profiles;
// broadcasters schedule and edit streams; some plain payments.
var mixPattern = []string{
	"subscribe", "edit-profile", "subscribe", "new-stream", "subscribe",
	"bank", "edit-stream", "subscribe", "unsubscribe", "edit-profile",
}

// plan is the chain state a workload builds its txs from: the load
// accounts, their streams and whom they follow.
type plan struct {
	c        *load.Client
	signer   *load.Signer
	accs     []load.Funded
	fee      sdk.Coins
	gas      uint64
	streams  [][]uint64 // per account: its stream ids, oldest first
	followed [][]string // per account: broadcasters it follows
	// start is the first start time new-stream schedules; every stream
	// starts a minute later than the one before, a day ahead of now.
	start time.Time
	opts  load.RunOptions
	log   func(format string, args ...any)
}

// needs makes the state workload w with perAccount txs per account needs:
// profiles for every streaming workload, streams to edit or delete,
// subscriptions to remove, and free broadcasters to follow. Missing state is
// created by unmeasured setup rounds.
func (p *plan) needs(ctx context.Context, w string, perAccount int) error {
	if w == "bank" {
		return nil
	}
	if w != "edit-profile" {
		if err := p.ensureProfiles(ctx); err != nil {
			return err
		}
	}
	count := func(name string) int {
		if w == "mix" {
			n := 0
			for k := 0; k < perAccount; k++ {
				if mixPattern[k%len(mixPattern)] == name {
					n++
				}
			}
			return n
		}
		if w == name {
			return perAccount
		}
		return 0
	}
	streamsNeeded := max(count("delete-stream"), min(1, count("edit-stream")))
	if streamsNeeded > 0 {
		if err := p.ensureStreams(ctx, streamsNeeded); err != nil {
			return err
		}
	}
	if n := count("unsubscribe"); n > 0 && w == "unsubscribe" {
		if err := p.ensureFollowing(ctx, n); err != nil {
			return err
		}
	}
	if n := count("subscribe"); n > 0 {
		if err := p.loadFollowed(ctx); err != nil {
			return err
		}
		for i, f := range p.followed {
			if free := len(p.accs) - 1 - len(f); free < n {
				return fmt.Errorf("account %d follows %d of %d accounts: %d txs of %s need more accounts (-accounts)", i, len(f), len(p.accs), n, w)
			}
		}
	}
	return nil
}

// build returns the k-th tx of account i for workload w. State it reads
// (streams, followed) was prepared by needs.
func (p *plan) build(w string, i, k int) sdk.Msg {
	a := p.accs[i]
	switch w {
	case "mix":
		return p.buildMix(i, k)
	case "bank":
		return &banktypes.MsgSend{FromAddress: a.Bech32, ToAddress: p.accs[(i+1)%len(p.accs)].Bech32,
			Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1))}
	case "edit-profile":
		return &streamingtypes.MsgEditProfile{Owner: a.Bech32, Name: fmt.Sprintf("Load %d", i),
			Surname: fmt.Sprintf("edit %d", k), TimeZone: "UTC"}
	case "new-stream":
		start := p.start.Add(time.Duration(k) * time.Minute)
		return &streamingtypes.MsgNewStream{Broadcaster: a.Bech32, Title: fmt.Sprintf("Load stream %d/%d", i, k),
			Description: "streamload", StartTime: start, EndTime: start.Add(time.Hour)}
	case "edit-stream":
		return &streamingtypes.MsgEditStream{Broadcaster: a.Bech32, StreamId: p.streams[i][0],
			UpdateMask: []string{"title"}, Title: fmt.Sprintf("Edited %d", k)}
	case "delete-stream":
		return &streamingtypes.MsgDeleteStream{Broadcaster: a.Bech32, StreamId: p.streams[i][k]}
	case "subscribe":
		return &streamingtypes.MsgSubscribe{Subscriber: a.Bech32, Broadcaster: p.unfollowed(i, k)}
	case "unsubscribe":
		return &streamingtypes.MsgUnsubscribe{Subscriber: a.Bech32, Broadcaster: p.followed[i][k]}
	case "tip":
		// To the next account (its profile made by needs), with a memo.
		return &streamingtypes.MsgTip{Sender: a.Bech32, Broadcaster: p.accs[(i+1)%len(p.accs)].Bech32,
			Amount: sdk.NewInt64Coin(app.BondDenom, 1), Memo: fmt.Sprintf("tip %d", k)}
	}
	panic("unknown workload " + w)
}

// buildMix follows mixPattern; its unsubscribes undo the subscribes that
// came before them in the same account's queue, which CometBFT commits in
// sequence order.
func (p *plan) buildMix(i, k int) sdk.Msg {
	kind := mixPattern[k%len(mixPattern)]
	nth := 0 // how many of this kind came before in the queue
	for j := 0; j < k; j++ {
		if mixPattern[j%len(mixPattern)] == kind {
			nth++
		}
	}
	switch kind {
	case "subscribe":
		return p.build("subscribe", i, nth)
	case "unsubscribe":
		// The nth unsubscribe undoes the nth subscribe: there are always
		// more subscribes before it in the pattern.
		return &streamingtypes.MsgUnsubscribe{Subscriber: p.accs[i].Bech32, Broadcaster: p.unfollowed(i, nth)}
	case "new-stream":
		// Offset so as not to schedule at the same minutes as new-stream
		// runs (harmless, but keeps the streams distinct).
		return p.build("new-stream", i, 100_000+k)
	}
	return p.build(kind, i, k)
}

// unfollowed returns the n-th account, after i, that i does not follow.
func (p *plan) unfollowed(i, n int) string {
	for j := 1; j < len(p.accs); j++ {
		b := p.accs[(i+j)%len(p.accs)].Bech32
		if slices.Contains(p.followed[i], b) {
			continue
		}
		if n == 0 {
			return b
		}
		n--
	}
	panic("not enough accounts to follow") // needs checked this
}

// setup signs txs[i] (per account) and runs them, unmeasured, failing unless
// every one commits with code 0; then it rereads the sequences.
func (p *plan) setup(ctx context.Context, what string, perAccount []int, build func(i, k int) sdk.Msg) error {
	queues := make([][]load.SignedTx, len(p.accs))
	total := 0
	for i, a := range p.accs {
		for k := 0; k < perAccount[i]; k++ {
			tx, err := p.signer.Sign(a.Account, a.Number, a.Sequence+uint64(k), load.TxSpec{Msgs: []sdk.Msg{build(i, k)}, Gas: p.gas, Fee: p.fee})
			if err != nil {
				return err
			}
			queues[i] = append(queues[i], tx)
			total++
		}
	}
	if total == 0 {
		return nil
	}
	p.log("setup: %s (%d txs)", what, total)
	res, err := p.c.Run(ctx, queues, p.opts)
	if err != nil {
		return fmt.Errorf("setup %s: %w", what, err)
	}
	if s := res.Summary(what); s.OK != total {
		return fmt.Errorf("setup %s: %d of %d txs committed with code 0 (rejected %v, failed %v)", what, s.OK, total, s.Rejected, s.Failed)
	}
	return p.refresh(ctx)
}

func (p *plan) refresh(ctx context.Context) error {
	accs := make([]load.Account, len(p.accs))
	for i, a := range p.accs {
		accs[i] = a.Account
	}
	funded, err := p.c.Accounts(ctx, accs)
	if err != nil {
		return err
	}
	p.accs = funded
	return nil
}

func (p *plan) ensureProfiles(ctx context.Context) error {
	missing := make([]int, len(p.accs))
	for i, a := range p.accs {
		var resp streamingtypes.QueryProfileResponse
		if err := p.c.Query(ctx, "/streamchain.streaming.v1.Query/Profile", &streamingtypes.QueryProfileRequest{Address: a.Bech32}, &resp); err != nil {
			missing[i] = 1 // not found
		}
	}
	return p.setup(ctx, "profiles", missing, func(i, k int) sdk.Msg { return p.build("edit-profile", i, k) })
}

func (p *plan) loadStreams(ctx context.Context, upTo int) error {
	p.streams = make([][]uint64, len(p.accs))
	for i, a := range p.accs {
		var key []byte
		for len(p.streams[i]) < upTo {
			var resp streamingtypes.QueryStreamsResponse
			req := &streamingtypes.QueryStreamsRequest{Broadcaster: a.Bech32, Pagination: &query.PageRequest{Key: key, Limit: streamingtypes.MaxPageLimit}}
			if err := p.c.Query(ctx, "/streamchain.streaming.v1.Query/Streams", req, &resp); err != nil {
				return err
			}
			for _, s := range resp.Streams {
				p.streams[i] = append(p.streams[i], s.Stream.Id)
			}
			if resp.Pagination == nil || len(resp.Pagination.NextKey) == 0 {
				break
			}
			key = resp.Pagination.NextKey
		}
	}
	return nil
}

func (p *plan) ensureStreams(ctx context.Context, n int) error {
	if err := p.loadStreams(ctx, n); err != nil {
		return err
	}
	short := make([]int, len(p.accs))
	for i := range short {
		short[i] = max(0, n-len(p.streams[i]))
	}
	if err := p.setup(ctx, "streams", short, func(i, k int) sdk.Msg { return p.build("new-stream", i, 200_000+k) }); err != nil {
		return err
	}
	return p.loadStreams(ctx, n)
}

func (p *plan) loadFollowed(ctx context.Context) error {
	p.followed = make([][]string, len(p.accs))
	for i, a := range p.accs {
		var key []byte
		for {
			var resp streamingtypes.QuerySubscriptionsResponse
			req := &streamingtypes.QuerySubscriptionsRequest{Subscriber: a.Bech32, Pagination: &query.PageRequest{Key: key, Limit: streamingtypes.MaxPageLimit}}
			if err := p.c.Query(ctx, "/streamchain.streaming.v1.Query/Subscriptions", req, &resp); err != nil {
				return err
			}
			for _, s := range resp.Subscriptions {
				p.followed[i] = append(p.followed[i], s.Broadcaster)
			}
			if resp.Pagination == nil || len(resp.Pagination.NextKey) == 0 {
				break
			}
			key = resp.Pagination.NextKey
		}
	}
	return nil
}

func (p *plan) ensureFollowing(ctx context.Context, n int) error {
	if err := p.loadFollowed(ctx); err != nil {
		return err
	}
	short := make([]int, len(p.accs))
	for i := range short {
		short[i] = max(0, n-len(p.followed[i]))
	}
	if err := p.setup(ctx, "subscriptions", short, func(i, k int) sdk.Msg { return p.build("subscribe", i, k) }); err != nil {
		return err
	}
	return p.loadFollowed(ctx)
}
