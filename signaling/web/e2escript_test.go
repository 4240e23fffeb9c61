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

// runE2EScript runs the node script e2e/<name>.mjs, bounded by timeout,
// with its screenshots in build/artifacts/<artifactsDir>, and returns its
// summary; the script's own checks failing fails the test (onFail first
// logs what else the test wants seen then).
func runE2EScript(t *testing.T, nodeJS, name, artifactsDir string, timeout time.Duration, onFail func(), env ...string) browserSummary {
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
	runErr := script.Run()
	var sum browserSummary
	decodeErr := json.Unmarshal(stdout.Bytes(), &sum)
	t.Logf("%s.mjs log:\n%s", name, tail(stderr.String(), 6000))
	if runErr != nil || decodeErr != nil || !sum.OK {
		if onFail != nil {
			onFail()
		}
		t.Fatalf("%s.mjs failed (%v, decode: %v): %s\nstdout:\n%s", name, runErr, decodeErr, sum.Error, tail(stdout.String(), 4000))
	}
	return sum
}
