package transport

import (
	"log/slog"
	"syscall"
)

// Descriptors. Every public TCP connection holds one, and so do the
// listeners, the node and Redis clients, the metrics listener and its
// scrapes, and log files. Without a bound below the process's limit, slow
// requests spread over a few addresses take the last descriptor, and then
// even the metrics listener cannot accept. So the public listener's total
// is kept fdReserve below the limit whatever -max-conns says, and a limit
// too low for -max-conns is reported at start.

// fdReserve is the number of descriptors the public listener never takes:
// enough for the listeners, the upstream clients and a few metrics scrapes.
const fdReserve = 64

// DescriptorLimit is the process's soft RLIMIT_NOFILE, 0 when unknown.
// It first raises the soft limit to the hard one, as servers commonly do:
// the hard limit is what the operator allowed.
func DescriptorLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = raised.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	return lim.Cur
}

// TCPCapacity is how many public TCP connections may be open at once:
// want, or fewer when the descriptor limit (0: unknown) leaves less after
// the reserve. It warns when -max-conns cannot be reached.
func TCPCapacity(want, maxConns int, limit uint64, log *slog.Logger) int {
	if limit == 0 {
		return want
	}
	avail := int(min(limit, 1<<30)) - fdReserve
	if avail < 1 {
		avail = 1
	}
	if avail < want {
		log.Warn("the descriptor limit is below what -max-conns needs: public connections are capped lower to keep descriptors for the listeners; raise the limit (ulimit -n, LimitNOFILE=)",
			"rlimit_nofile", limit, "max_conns", maxConns, "needed", want+fdReserve, "tcp_capacity", avail)
		return avail
	}
	return want
}
