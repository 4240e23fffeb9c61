package redis

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The message bus between instances: one Redis pub/sub channel per instance
// (signaling:to:<id>), read by one subscription. go-redis spreads commands
// over a pool of connections, which could reorder two PUBLISHes, so all
// messages toward one instance go through one publisher goroutine that sends
// them in pipelined batches and waits for each batch before the next: offer,
// answer and candidates arrive in the order they were sent.

// envelope is one message between instances.
type envelope struct {
	Kind   string `json:"k"`
	From   string `json:"f"`           // the sending instance
	Conn   uint64 `json:"c"`           // the connection, numbered by its own instance
	Peer   string `json:"p,omitempty"` // join: the connection's peer id
	Addr   string `json:"a,omitempty"` // join: its signed-in address
	Role   string `json:"r,omitempty"` // join: broadcast or watch
	Stream uint64 `json:"s,omitempty"`
	// join (broadcast): the direct capacity asked for (PROTOCOL.md §4.4).
	DirectCapacity *int   `json:"dc,omitempty"`
	Type           string `json:"t,omitempty"`  // relay: offer, answer or candidate; out: set when relayed
	To             string `json:"to,omitempty"` // relay: the recipient's peer id
	// Data is a server message, encoded once where it was made: the
	// relayed message (relay) or what the connection is sent (out). It
	// travels after the JSON header, as is (see encodeEnvelope).
	Data []byte `json:"-"`
	// Close code and reason (close), why (gone), error (joined).
	Code    int           `json:"n,omitempty"`
	Text    string        `json:"x,omitempty"`
	ErrCode protocol.Code `json:"e,omitempty"`
	Home    string        `json:"h,omitempty"` // joined: the stream's home is elsewhere (retry there)
	// Edge says whether an out message starts or ends the connection\'s
	// session.
	Edge transport.Edge `json:"g,omitempty"`
}

// Envelope kinds. Toward a session's home: join, relay, request (about
// the session: chat; Data holds the client's message as JSON), leave,
// gone (the connection ended). Toward a connection's instance: out (send this),
// close, lost (the home is stopping: the session ended), joined (the
// answer to join).
const (
	kindJoin   = "join"
	kindRelay  = "relay"
	kindReq    = "request"
	kindLeave  = "leave"
	kindGone   = "gone"
	kindOut    = "out"
	kindClose  = "close"
	kindLost   = "lost"
	kindJoined = "joined"
)

// encodeEnvelope is the envelope's fields as one line of JSON, then a
// newline, then Data unchanged: a relayed SDP is not parsed or re-encoded on
// its way between instances. (JSON never holds a raw newline.)
func encodeEnvelope(env envelope) ([]byte, error) {
	head, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(head)+1+len(env.Data))
	out = append(out, head...)
	out = append(out, '\n')
	out = append(out, env.Data...)
	return out, nil
}

func decodeEnvelope(payload string) (envelope, error) {
	head, data, _ := strings.Cut(payload, "\n")
	var env envelope
	if err := json.Unmarshal([]byte(head), &env); err != nil {
		return env, err
	}
	if data != "" {
		env.Data = []byte(data)
	}
	return env, nil
}

// publisherQueue bounds the messages waiting for one instance; a full queue
// refuses more (the sender is told peer_busy, or an event is dropped).
const (
	publisherQueue = 4096
	publishBatch   = 256
)

type publisher struct {
	sh      *Router
	channel string
	q       chan []byte
	quit    chan struct{}
	done    chan struct{}
}

func (sh *Router) newPublisher(to string) *publisher {
	p := &publisher{sh: sh, channel: instanceChannel(to), q: make(chan []byte, publisherQueue), quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *publisher) stop() {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
}

func (p *publisher) run() {
	defer close(p.done)
	batch := make([][]byte, 0, publishBatch)
	for {
		select {
		case <-p.quit:
			// Flush what is queued (a drain's last words), bounded.
			for {
				select {
				case msg := <-p.q:
					batch = append(batch, msg)
					if len(batch) < publishBatch {
						continue
					}
				default:
				}
				if len(batch) == 0 {
					return
				}
				p.flush(batch)
				batch = batch[:0]
			}
		case msg := <-p.q:
			batch = append(batch[:0], msg)
		more:
			for len(batch) < publishBatch {
				select {
				case m := <-p.q:
					batch = append(batch, m)
				default:
					break more
				}
			}
			p.flush(batch)
		}
	}
}

func (p *publisher) flush(batch [][]byte) {
	// Not the shared context: the last messages of a drain still go out.
	ctx, cancel := context.WithTimeout(context.Background(), p.sh.cfg.OpTimeout)
	defer cancel()
	pipe := p.sh.rdb.Pipeline()
	for _, msg := range batch {
		pipe.Publish(ctx, p.channel, msg)
	}
	_, err := pipe.Exec(ctx)
	p.sh.reachable(err)
	if err != nil {
		p.sh.m.publishErrors.Add(float64(len(batch)))
	}
}

// publish queues env for instance to; false when it cannot be queued.
func (sh *Router) publish(to string, env envelope) bool {
	env.From = sh.id
	b, err := encodeEnvelope(env)
	if err != nil {
		sh.log.Error("encoding a message to another instance", "err", err)
		return false
	}
	sh.mu.Lock()
	if sh.stopped {
		sh.mu.Unlock()
		return false
	}
	p := sh.pubs[to]
	if p == nil {
		p = sh.newPublisher(to)
		sh.pubs[to] = p
	}
	sh.mu.Unlock()
	select {
	case p.q <- b:
		return true
	default:
		sh.m.dropped.Inc()
		return false
	}
}

// receive reads this instance's channel until the shared mode stops.
// go-redis reconnects and resubscribes by itself when Redis comes back.
func (sh *Router) receive(ps *goredis.PubSub) {
	defer sh.loops.Done()
	defer ps.Close()
	ch := ps.Channel(goredis.WithChannelSize(publisherQueue), goredis.WithChannelSendTimeout(time.Second))
	for {
		select {
		case <-sh.ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			env, err := decodeEnvelope(msg.Payload)
			if err != nil || env.From == "" {
				sh.log.Warn("unreadable message from another instance", "err", err)
				continue
			}
			sh.dispatch(env)
		}
	}
}

// dispatch hands one message to the side it is for. It never blocks: work
// that waits (a join asks the chain) runs on the remote peer's own worker.
func (sh *Router) dispatch(env envelope) {
	switch env.Kind {
	case kindJoin, kindRelay, kindReq, kindLeave, kindGone:
		sh.toHome(env)
	case kindOut, kindClose, kindLost, kindJoined:
		sh.toOrigin(env)
	case kindRevoke:
		sh.revoked(env)
	default:
		sh.log.Warn("unknown message kind from another instance", "kind", env.Kind)
	}
}

// kindRevoke carries chain events that cut sessions (unsubscribed, stream
// deleted) to every other instance: an unsubscribe one instance sees cuts
// the viewer at its session's home, wherever that is. Tips travel the same
// way, to the home of the stream they name.
const kindRevoke = "revoke"

// ShareEvents hands the committed events that cut sessions to every other
// instance.
func (sh *Router) ShareEvents(events []chain.ChainEvent) {
	var cut []chain.ChainEvent
	for _, ev := range events {
		if ev.Kind == chain.EventUnsubscribed || ev.Kind == chain.EventStreamDeleted || ev.Kind == chain.EventTip {
			cut = append(cut, ev)
		}
	}
	if len(cut) == 0 {
		return
	}
	data, err := json.Marshal(cut)
	if err != nil {
		return
	}
	for _, in := range sh.Others() {
		sh.publish(in.ID, envelope{Kind: kindRevoke, Data: data})
	}
}

func (sh *Router) revoked(env envelope) {
	var events []chain.ChainEvent
	if err := json.Unmarshal(env.Data, &events); err != nil {
		sh.log.Warn("unreadable revocation from another instance", "from", env.From, "err", err)
		return
	}
	// Acting on a chain event twice is harmless: a viewer already cut is
	// not in any room, and a tip is shown once per Key. Only cuts and tips
	// are shared, and they never wait on anything but the hub's lock.
	sh.hub.ApplyEvents(events)
}
