package signalingtest

import "github.com/streamchain/streamchain/testutil/syncbuf"

// SyncBuffer is a bytes.Buffer that a process or logger writes while the
// test reads it.
type SyncBuffer = syncbuf.Buffer
