package web

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// e2eHooks are what a test does beside its script.
type e2eHooks struct {
	// meanwhile runs in the test's goroutine while the script runs (to
	// act on what the script does); exited is closed when the script ends.
	meanwhile func(exited <-chan struct{})
	// onFail logs what else the test wants seen when the script failed.
	onFail func()
}

// runE2EScript runs the node script e2e/<name>.mjs, bounded by timeout,
// with its screenshots in build/artifacts/<artifactsDir>, and returns its
// summary; the script's own checks failing fails the test.
func runE2EScript(t *testing.T, nodeJS, name, artifactsDir string, timeout time.Duration, hooks e2eHooks, env ...string) browserSummary {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	artifacts := filepath.Join(root, "build", "artifacts", artifactsDir)
	if err := os.RemoveAll(artifacts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	script := exec.CommandContext(ctx, nodeJS, "e2e/"+name+".mjs")
	script.Env = append(append(os.Environ(), "ARTIFACTS="+artifacts), env...)
	var stdout, stderr bytes.Buffer
	script.Stdout, script.Stderr = &stdout, &stderr
	runErr := script.Start()
	if runErr == nil {
		exited := make(chan struct{})
		waited := make(chan error, 1)
		go func() { waited <- script.Wait(); close(exited) }()
		if hooks.meanwhile != nil {
			hooks.meanwhile(exited)
		}
		runErr = <-waited
	}
	var sum browserSummary
	decodeErr := json.Unmarshal(stdout.Bytes(), &sum)
	t.Logf("%s.mjs log:\n%s", name, tail(stderr.String(), 6000))
	if runErr != nil || decodeErr != nil || !sum.OK {
		if hooks.onFail != nil {
			hooks.onFail()
		}
		t.Fatalf("%s.mjs failed (%v, decode: %v): %s\nstdout:\n%s", name, runErr, decodeErr, sum.Error, tail(stdout.String(), 4000))
	}
	return sum
}
