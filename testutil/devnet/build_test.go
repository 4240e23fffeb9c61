package devnet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuildOnlyWithoutGivenBinaries runs common.sh's build step with a
// stand-in `make` first on PATH that only records that it ran: a devnet
// given STREAMD (tests pass binaries they built) or BUILD=0 must not
// rebuild, and one given neither must.
func TestBuildOnlyWithoutGivenBinaries(t *testing.T) {
	cases := []struct {
		name  string
		env   []string
		build bool
	}{
		{"nothing given", nil, true},
		{"STREAMD given", []string{"STREAMD=/opt/streamd"}, false},
		{"STREAMD and SIGNALINGD given", []string{"STREAMD=/opt/streamd", "SIGNALINGD=/opt/signalingd"}, false},
		{"BUILD=0", []string{"BUILD=0"}, false},
		{"STREAMD empty", []string{"STREAMD="}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bin := t.TempDir()
			record := filepath.Join(bin, "make.log")
			require.NoError(t, os.WriteFile(filepath.Join(bin, "make"),
				[]byte("#!/bin/sh\necho \"make $*\" >>"+record+"\n"), 0o755))

			cmd := exec.Command("bash", "-c", "set -euo pipefail; source ./common.sh; build")
			cmd.Env = append(environWithout("STREAMD", "SIGNALINGD", "BUILD", "PATH"),
				append(c.env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)

			ran, err := os.ReadFile(record)
			if c.build {
				require.NoError(t, err, "build did not run make: %s", out)
				require.Contains(t, string(ran), "build")
			} else {
				require.ErrorIs(t, err, os.ErrNotExist, "build ran %q: %s", ran, out)
			}
		})
	}
}

// environWithout is the test's environment less the named variables.
func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && name != n
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
