package web

import (
	"os"
	"regexp"
	"testing"
)

// TestRefusalTableCoversEveryModuleError keeps the app's refusal sentences
// (src/errors.ts) in step with the module's registered errors: a code the
// chain can answer with and the app does not know would reach users as a
// bare number.
func TestRefusalTableCoversEveryModuleError(t *testing.T) {
	goSrc, err := os.ReadFile("../../x/streaming/types/errors.go")
	if err != nil {
		t.Fatal(err)
	}
	tsSrc, err := os.ReadFile("src/errors.ts")
	if err != nil {
		t.Fatal(err)
	}
	table := regexp.MustCompile(`(?s)const streaming: Record<number, \[string, string\]> = \{(.*?)\n\};`).FindSubmatch(tsSrc)
	if table == nil {
		t.Fatal("src/errors.ts has no streaming table")
	}
	registered := regexp.MustCompile(`Register\(ModuleName, (\d+), "([^"]+)"\)`).FindAllSubmatch(goSrc, -1)
	if len(registered) == 0 {
		t.Fatal("no registered errors found in x/streaming/types/errors.go")
	}
	for _, r := range registered {
		code, desc := string(r[1]), string(r[2])
		entry := regexp.MustCompile(`(?m)^\s*` + code + `: \["` + regexp.QuoteMeta(desc) + `", "[^"]+"\]`)
		if !entry.Match(table[1]) {
			t.Errorf("src/errors.ts has no sentence for x/streaming code %s (%q)", code, desc)
		}
	}
}

// TestRefusalTableCoversEveryProtocolCode keeps the app's signaling
// sentences in step with signaling/PROTOCOL.md: every error code of §7 and
// every reason a session ends with (`removed` and `stream_ended` of §4.2)
// has its own sentence, so no refusal reaches a
// person as a bare code.
func TestRefusalTableCoversEveryProtocolCode(t *testing.T) {
	doc, err := os.ReadFile("../PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	tsSrc, err := os.ReadFile("src/errors.ts")
	if err != nil {
		t.Fatal(err)
	}
	tableOf := func(name string) []byte {
		m := regexp.MustCompile(`(?s)const ` + name + `: Record<string, string> = \{(.*?)\n\};`).FindSubmatch(tsSrc)
		if m == nil {
			t.Fatalf("src/errors.ts has no %s table", name)
		}
		return m[1]
	}
	has := func(table []byte, code string) bool {
		return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(code) + `: "[^"]+[.…]",?$`).Match(table)
	}

	section := regexp.MustCompile(`(?s)\n## 7\. Error codes\n(.*?)\n## `).FindSubmatch(doc)
	if section == nil {
		t.Fatal("PROTOCOL.md has no §7")
	}
	codes := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllSubmatch(section[1], -1)
	if len(codes) < 30 {
		t.Fatalf("only %d codes read from PROTOCOL.md §7", len(codes))
	}
	signaling := tableOf("signaling")
	for _, c := range codes {
		if !has(signaling, string(c[1])) {
			t.Errorf("src/errors.ts has no sentence for the signaling code %s", c[1])
		}
	}

	// The reasons are the words in backquotes of the rows of removed and
	// stream_ended, past the fields and message types those rows also name.
	notReasons := map[string]bool{"removed": true, "stream_ended": true, "stream_id": true, "reason": true, "watch": true, "broadcast": true, "chat_remove": true}
	ended := tableOf("ended")
	n := 0
	for _, row := range regexp.MustCompile("(?m)^\\| `(removed|stream_ended)` \\|.*$").FindAll(doc, -1) {
		for _, r := range regexp.MustCompile("`([a-z_]+)`").FindAllSubmatch(row, -1) {
			reason := string(r[1])
			if notReasons[reason] {
				continue
			}
			n++
			if !has(ended, reason) {
				t.Errorf("src/errors.ts has no sentence for the session end reason %s", reason)
			}
		}
	}
	if n < 6 {
		t.Fatalf("only %d end reasons read from PROTOCOL.md §4.2", n)
	}
}
