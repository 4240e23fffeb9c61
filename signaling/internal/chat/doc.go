// Package chat is a live session's chat: who may say what, how often, and
// what a newcomer is shown. A message is checked (the module's rules for a
// single line of user text, a length cap), stamped with the server's time
// and an id, and kept in the session's history (the last History
// messages); the broadcaster deletes messages and mutes or removes
// accounts for the rest of the session. Where the history and the
// moderation state live is a Store: in memory for one instance (here), in
// Redis when instances share sessions (package cluster/redis), so that a newcomer on any instance sees
// the same history and a mute holds everywhere.
//
// Delivering messages to the session's members is the hub's: this package
// decides, the hub relays.
package chat
