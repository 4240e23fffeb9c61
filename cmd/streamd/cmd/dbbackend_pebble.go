//go:build pebbledb

package cmd

// pebbleBuilt says whether CometBFT's databases can be on pebble: cometbft-db
// registers its pebble backend only under the pebbledb build tag.
const pebbleBuilt = true
