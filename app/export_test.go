package app

// SigVerifyCacheHits is how many signatures the app's cache has spared a
// verification (ante_sigcache.go), for tests outside the package.
func SigVerifyCacheHits(a *StreamApp) uint64 {
	if a.sigCache == nil {
		return 0
	}
	return a.sigCache.hits.Load()
}
