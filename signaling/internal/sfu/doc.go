// Package sfu is the SFU tier's media broker: it places a stream's
// publication and its subscriptions on Janus instances (VideoRoom rooms
// created for the stream, with generated secrets), cascades a stream to a
// further instance when one holds as many of its subscribers as it may,
// keeps every instance's session alive, and reports when an instance is
// lost so that its publishers and subscribers can be moved. It records its
// placements in a Ledger, which in shared mode tells it what the other
// signalingd instances placed on the same Janus instances (it chooses by
// the whole deployment's load) and hands it the placements of a
// signalingd instance that is gone, whose rooms it removes (ledger.go,
// reclaim.go).
//
// It knows nothing of accounts, streams on chain or the signaling
// protocol: the hub decides who may publish or subscribe (the same chain
// checks as the direct tier) before asking, and relays SDP and candidates
// between the browser and what this package returns. Browsers never reach
// Janus's API; only media flows between them and Janus.
package sfu
