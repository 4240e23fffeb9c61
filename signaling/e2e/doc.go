// Package e2e holds the signaling daemon's end-to-end test: a real streamd
// node, profiles, a stream and a subscription made by real transactions, and
// a broadcaster and a viewer written with pion/webrtc that find each other
// through the daemon alone. It has no code outside its tests.
package e2e
