package chain

import "context"

// EventKind names the x/streaming events the daemon acts on.
type EventKind string

const (
	EventUnsubscribed    EventKind = "unsubscribed"     // EventUnsubscribed: its viewers are removed
	EventStreamDeleted   EventKind = "stream_deleted"   // EventStreamDeleted: the stream ends
	EventStreamEdited    EventKind = "stream_edited"    // EventStreamEdited: the schedule is read again
	EventStreamScheduled EventKind = "stream_scheduled" // EventStreamScheduled: a cached "not found" is forgotten
	EventSubscribed      EventKind = "subscribed"       // EventSubscribed: a cached "not subscribed" is forgotten
	EventTip             EventKind = "tip"              // EventTip naming a stream: a highlighted line in its chat
	// Why a subscription ended, when it was not its holder's unsubscribe
	// (the chain emits EventUnsubscribed after either): the viewers are
	// told so.
	EventBlocked EventKind = "blocked"              // EventBlocked: the broadcaster blocked the account (Subscriber)
	EventExpired EventKind = "subscription_expired" // EventSubscriptionExpired: a paid subscription ran out
)

// ChainEvent is one committed x/streaming event, reduced to what the daemon
// needs.
type ChainEvent struct {
	Kind        EventKind
	StreamID    uint64
	Subscriber  string
	Broadcaster string
	// A tip's sender, amount ("5000000ustream") and memo, and Key, unique
	// per event on the chain ("height/index"): an instance that hears of a
	// tip twice (its own feed, another instance's) shows it once.
	Sender string `json:",omitempty"`
	Amount string `json:",omitempty"`
	Memo   string `json:",omitempty"`
	Key    string `json:",omitempty"`
}

// EventFeed follows the chain's committed blocks.
type EventFeed interface {
	// Follow calls block with each committed block's streaming events, in
	// height order, and state whenever the feed is lost (false) or
	// following again (true), until ctx ends. Blocks missed while lost are
	// either delivered late or followed by state(false), state(true).
	Follow(ctx context.Context, block func(height int64, events []ChainEvent), state func(up bool))
}
