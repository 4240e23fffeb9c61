// Package types holds the streaming module's messages, state types, params,
// genesis, errors and store keys.
package types
