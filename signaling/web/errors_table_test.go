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
