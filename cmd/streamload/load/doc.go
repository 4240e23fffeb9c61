// Package load drives transactions into a streamchain node and counts, from
// the chain itself, what was committed.
//
// The pieces, in the order a run uses them:
//
//   - DeriveAccounts: deterministic accounts from a seed and an index, so a
//     devnet can fund them in genesis (`make devnet LOAD_ACCOUNTS=N`) and a
//     load run finds them again without a keyring.
//   - Client.Accounts: each account's number and next sequence, read once.
//   - Signer.Sign / PreSign: direct-mode txs signed offline with explicit
//     account numbers and sequences.
//   - Client.Send: one sender per account broadcasting its txs in sequence
//     order with CometBFT broadcast_tx_sync; every tx is tracked by hash.
//   - Client.Watch: the local time each new height was first seen, for
//     inclusion latency.
//   - Client.Blocks: per block, the txs committed with code 0 and the
//     failures by code, read from /block and /block_results; our txs are
//     recognised by hash.
//   - Summarize: committed tx/s over the busy blocks, latency percentiles,
//     gas per tx, failures by code.
//
// Nothing here asserts a rate: figures belong in benchmarks.
package load
