package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/streamchain/streamchain/app"
	streamload "github.com/streamchain/streamchain/cmd/streamload/load"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// The load the fault tests run under: a steady stream of bank sends and
// stream schedulings from several accounts, signed with streamload's signer,
// broadcast with broadcast_tx_sync, each tracked by hash until a node
// reports it committed. Unlike a streamload run (pre-signed queues to one
// node), it must live through faults: it moves to another node when its own
// is down, and re-reads a sequence that a lost mempool took.

// Mnemonics of testutil/devnet/common.sh (public, devnet only).
const (
	validatorMnemonic = "fun warfare junior message genuine draw sleep slice dinner tattoo sauce cube degree exile era typical dinosaur main mammal trust job garbage spider palace"
	aliceMnemonic     = "trouble gather pelican example length fuel mango floor prison table broken rescue unaware sadness expand alley popular mention wish limb symptom price despair rocket"
	bobMnemonic       = "manual idle uniform sustain crystal pulp remember layer mask high myself example satisfy pave crowd era material again again token innocent regular syrup coach"
	carolMnemonic     = "explain buzz output adapt one lumber party valve huge review during tiny oppose width plate april deliver where agent panel giggle husband demise penalty"
)

const (
	denom    = "ustream"
	fee      = 5000
	gasLimit = 200_000
	sendAmt  = 1000
)

// Account signs txs with a key derived like `keys add --recover --index`.
type Account struct {
	Name    string
	key     *secp256k1.PrivKey
	acc     streamload.Account
	Addr    string
	number  uint64
	nextSeq uint64
}

func newAccount(name, mnemonic string, index uint32) (*Account, error) {
	path := hd.CreateHDPath(app.CoinType, 0, index).String()
	bz, err := hd.Secp256k1.Derive()(mnemonic, "", path)
	if err != nil {
		return nil, err
	}
	key := &secp256k1.PrivKey{Key: bz}
	addr := sdk.AccAddress(key.PubKey().Address())
	return &Account{
		Name: name, key: key, Addr: addr.String(),
		acc: streamload.Account{Index: int(index), Key: key, Address: addr, Bech32: addr.String()},
	}, nil
}

// Kind of a load tx.
const (
	KindProfile = "profile" // each sender's first: a broadcaster needs a profile
	KindBank    = "bank"
	KindStream  = "stream"
)

// Tracked is one tx the load sent and CheckTx accepted.
type Tracked struct {
	Hash    string
	Kind    string
	From    string
	Seq     uint64
	SentAt  time.Time
	Node    string
	AckedAt time.Time // zero until a node reported it committed
	Result  TxResult
}

// Load sends txs to the cluster's running nodes until stopped.
type Load struct {
	c         *Cluster
	signer    *streamload.Signer
	senders   []*Account
	Recipient *Account
	interval  time.Duration // between two txs of one sender

	mu       sync.Mutex
	txs      map[string]*Tracked
	refused  map[uint32]int // CheckTx codes other than 0, and how often
	firstLog map[uint32]string
	sendErrs int // broadcasts no node took (all down)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewLoad prepares a load from alice, bob and the first validators'
// accounts, each sending one tx every interval, alternating a bank send to
// carol and a new stream.
func NewLoad(c *Cluster, interval time.Duration) *Load {
	c.t.Helper()
	signer, err := streamload.NewSigner(c.ChainID)
	if err != nil {
		c.t.Fatal(err)
	}
	l := &Load{c: c, signer: signer, interval: interval, txs: map[string]*Tracked{}, refused: map[uint32]int{}, firstLog: map[uint32]string{}}
	add := func(name, mnemonic string, index uint32) *Account {
		a, err := newAccount(name, mnemonic, index)
		if err != nil {
			c.t.Fatal(err)
		}
		return a
	}
	l.senders = []*Account{add("alice", aliceMnemonic, 0), add("bob", bobMnemonic, 0)}
	for i := 1; i < min(3, len(c.Nodes)); i++ {
		l.senders = append(l.senders, add(fmt.Sprintf("validator%d", i), validatorMnemonic, uint32(i)))
	}
	l.Recipient = add("carol", carolMnemonic, 0)
	return l
}

// Senders are the accounts the load signs with.
func (l *Load) Senders() []*Account { return l.senders }

// Start begins sending; account numbers and sequences come from a running
// node.
func (l *Load) Start(ctx context.Context) {
	l.c.t.Helper()
	for _, a := range l.senders {
		num, seq, err := l.account(ctx, a.Addr)
		if err != nil {
			l.c.t.Fatalf("account %s: %v", a.Name, err)
		}
		a.number, a.nextSeq = num, seq
	}
	ctx, l.cancel = context.WithCancel(ctx)
	for i, a := range l.senders {
		l.wg.Go(func() { l.send(ctx, i, a) })
	}
	l.wg.Go(func() { l.track(ctx) })
}

// Stop ends the load and waits up to wait for the txs in flight to be
// reported committed.
func (l *Load) Stop(wait time.Duration) {
	if l.cancel == nil {
		return
	}
	l.cancel()
	l.wg.Wait()
	l.cancel = nil
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && l.recentPending() {
		l.checkPending(context.Background())
		time.Sleep(500 * time.Millisecond)
	}
	l.checkPending(context.Background())
}

// recentPending: some tx sent in the last lostAfter is not reported
// committed yet. Older ones went down with a node's mempool.
func (l *Load) recentPending() bool {
	for _, t := range l.pending() {
		if time.Since(t.SentAt) < lostAfter {
			return true
		}
	}
	return false
}

// lostAfter: a live chain commits an accepted tx within a few blocks.
const lostAfter = 20 * time.Second

func (l *Load) send(ctx context.Context, i int, a *Account) {
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		kind := KindBank
		switch {
		case n == 0:
			kind = KindProfile
		case n%2 == 0:
			kind = KindStream
		}
		l.sendOne(ctx, i, a, kind)
	}
}

// sendOne signs a tx with the account's next sequence and offers it to the
// running nodes, starting with the sender's own, until one answers.
var expectedSeq = regexp.MustCompile(`expected (\d+), got (\d+)`)

func (l *Load) sendOne(ctx context.Context, i int, a *Account, kind string) {
	tx, hash, err := l.sign(a, kind)
	if err != nil {
		l.c.t.Errorf("sign: %v", err)
		return
	}
	live := l.c.Live()
	for k := range live {
		n := live[(i+k)%len(live)]
		res, err := n.BroadcastSync(ctx, tx)
		if err != nil {
			continue // down or stopped: the next node
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, seen := l.firstLog[res.Code]; !seen && res.Code != 0 {
			l.firstLog[res.Code] = fmt.Sprintf("%s from %s (account %d, sequence %d) at %s: %s",
				n, a.Name, a.number, a.nextSeq, time.Now().Format("15:04:05.000"), res.Log)
		}
		switch {
		case res.Code == 0:
			l.txs[hash] = &Tracked{Hash: hash, Kind: kind, From: a.Name, Seq: a.nextSeq, SentAt: time.Now(), Node: n.String()}
			a.nextSeq++
		case res.Code == 32: // sequence mismatch: a tx was lost with a node's mempool
			if m := expectedSeq.FindStringSubmatch(res.Log); m != nil {
				a.nextSeq, _ = strconv.ParseUint(m[1], 10, 64)
			}
			l.refused[res.Code]++
		default:
			l.refused[res.Code]++
		}
		return
	}
	l.mu.Lock()
	l.sendErrs++
	l.mu.Unlock()
}

func (l *Load) sign(a *Account, kind string) ([]byte, string, error) {
	return l.signMsg(a, l.loadMsg(a, kind))
}

func (l *Load) loadMsg(a *Account, kind string) sdk.Msg {
	var msg sdk.Msg
	switch kind {
	case KindProfile:
		msg = &types.MsgEditProfile{Owner: a.Addr, Name: a.Name}
	case KindBank:
		msg = &banktypes.MsgSend{FromAddress: a.Addr, ToAddress: l.Recipient.Addr, Amount: sdk.NewCoins(sdk.NewCoin(denom, sdkmath.NewInt(sendAmt)))}
	default:
		start := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		msg = &types.MsgNewStream{Broadcaster: a.Addr, Title: fmt.Sprintf("load %s %d", a.Name, a.nextSeq), StartTime: start, EndTime: start.Add(time.Hour)}
	}
	return msg
}

func (l *Load) signMsg(a *Account, msg sdk.Msg) ([]byte, string, error) {
	tx, err := l.signer.Sign(a.acc, a.number, a.nextSeq, streamload.TxSpec{
		Msgs: []sdk.Msg{msg},
		Gas:  gasLimit,
		Fee:  sdk.NewCoins(sdk.NewCoin(denom, sdkmath.NewInt(fee))),
	})
	return tx.Bytes, tx.Hash, err
}

// track asks a running node, every second, whether the txs sent are
// committed.
func (l *Load) track(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			l.checkPending(ctx)
		}
	}
}

// pendingFor is how long a tx is looked for: a tx that a killed node took
// with its mempool never commits, and is not a loss (it was never
// reported committed).
const pendingFor = 90 * time.Second

func (l *Load) pending() []*Tracked {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*Tracked
	for _, t := range l.txs {
		if t.AckedAt.IsZero() && time.Since(t.SentAt) < pendingFor {
			out = append(out, t)
		}
	}
	return out
}

func (l *Load) checkPending(ctx context.Context) {
	live := l.c.Live()
	if len(live) == 0 {
		return
	}
	for i, t := range l.pending() {
		n := live[i%len(live)]
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		res, err := n.Tx(qctx, t.Hash)
		cancel()
		if err != nil {
			continue
		}
		l.mu.Lock()
		t.AckedAt, t.Result = time.Now(), res
		l.mu.Unlock()
	}
}

// Stats counts the load's txs.
type Stats struct {
	Accepted int            // CheckTx said 0
	Acked    int            // a node reported them committed
	Failed   map[string]int // committed with a non-zero code: codespace/code → count
	Refused  map[uint32]int
	FirstLog map[uint32]string // the first CheckTx log of each refusal code
	NoNode   int
}

func (l *Load) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := Stats{Accepted: len(l.txs), Failed: map[string]int{}, Refused: map[uint32]int{}, NoNode: l.sendErrs}
	for _, t := range l.txs {
		if !t.AckedAt.IsZero() {
			s.Acked++
			if t.Result.Code != 0 {
				s.Failed[fmt.Sprintf("%s/%d", t.Result.Codespace, t.Result.Code)]++
			}
		}
	}
	s.FirstLog = map[uint32]string{}
	for k, v := range l.refused {
		s.Refused[k] = v
		s.FirstLog[k] = l.firstLog[k]
	}
	return s
}

// Acked returns a copy of every tx reported committed.
func (l *Load) Acked() []Tracked {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Tracked
	for _, t := range l.txs {
		if !t.AckedAt.IsZero() {
			out = append(out, *t)
		}
	}
	return out
}

// account reads an account's number and sequence over REST.
func (l *Load) account(ctx context.Context, addr string) (uint64, uint64, error) {
	var res struct {
		Account struct {
			Number   string `json:"account_number"`
			Sequence string `json:"sequence"`
		} `json:"account"`
	}
	if err := l.c.restGet(ctx, "/cosmos/auth/v1beta1/accounts/"+addr, &res); err != nil {
		return 0, 0, err
	}
	num, err := strconv.ParseUint(res.Account.Number, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	seq, err := strconv.ParseUint(res.Account.Sequence, 10, 64)
	return num, seq, err
}

// restGet GETs a REST path from the first running node that answers.
func (c *Cluster) restGet(ctx context.Context, path string, out any) error {
	var lastErr error = fmt.Errorf("no running node")
	for _, n := range c.Live() {
		if err := n.RESTGet(ctx, path, out); err != nil {
			lastErr = err
			continue
		}
		return nil
	}
	return lastErr
}

// RESTGet GETs a REST path from this node.
func (n *Node) RESTGet(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.REST()+path, nil)
	if err != nil {
		return err
	}
	res, err := rpcClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s GET %s: %s", n, path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// KindOther marks txs sent with Submit, outside the steady load.
const KindOther = "other"

// Submit sends one tx from an account outside the load and waits until a
// node reports it committed; it is tracked like the load's txs.
func (l *Load) Submit(ctx context.Context, a *Account, msg sdk.Msg) (Tracked, error) {
	num, seq, err := l.account(ctx, a.Addr)
	if err != nil {
		return Tracked{}, err
	}
	a.number, a.nextSeq = num, seq
	tx, hash, err := l.signMsg(a, msg)
	if err != nil {
		return Tracked{}, err
	}
	var res BroadcastResult
	for _, n := range l.c.Live() {
		if res, err = n.BroadcastSync(ctx, tx); err == nil {
			break
		}
	}
	if err != nil {
		return Tracked{}, err
	}
	if res.Code != 0 {
		return Tracked{}, fmt.Errorf("CheckTx refused %T: code %d %s", msg, res.Code, res.Log)
	}
	t := &Tracked{Hash: hash, Kind: KindOther, From: a.Name, Seq: seq, SentAt: time.Now()}
	l.mu.Lock()
	l.txs[hash] = t
	l.mu.Unlock()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		l.checkPending(ctx)
		l.mu.Lock()
		done := *t
		l.mu.Unlock()
		if !done.AckedAt.IsZero() {
			if done.Result.Code != 0 {
				return done, fmt.Errorf("%T failed in its block: code %d %s", msg, done.Result.Code, done.Result.Log)
			}
			return done, nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return *t, fmt.Errorf("%T not committed within a minute", msg)
}
