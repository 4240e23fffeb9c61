package janus

import (
	"encoding/json"
	"strings"
	"testing"
)

// holdsNUL finds U+0000 in any string encoding/json wrote, and nothing
// in text that only looks like its escape.
func TestHoldsNUL(t *testing.T) {
	for s, want := range map[string]bool{
		"a\x00b": true, "\x00": true, `\` + "\x00": true, `\\` + "\x00": true,
		`\u0000`: false, `\\u0000`: false, "u0000": false, "v=0\r\n": false, "": false,
		`\u0000` + "\x00": true,
	} {
		b, err := json.Marshal(map[string]any{"jsep": map[string]string{"sdp": s}})
		if err != nil {
			t.Fatal(err)
		}
		if got := holdsNUL(b); got != want {
			t.Errorf("%q (written %s): %v, want %v", s, b, got, want)
		}
		if strings.ContainsRune(s, 0) != want {
			t.Fatalf("table: %q", s)
		}
	}
}
