// Package bench measures the signaling daemon beside a bare gorilla/websocket
// echo server, in the same run, on loopback: memory per idle signed-in
// connection, join→paired latency with a warm chain cache, and relayed
// messages per second. BenchmarkAttackFootprint replays the availability
// attacks against the signalingd binary and reports its resident
// set, goroutines and descriptors around each. It has no code outside its
// benchmarks; BENCHMARKS.md has the figures and `make bench-signaling` the
// command.
package bench
