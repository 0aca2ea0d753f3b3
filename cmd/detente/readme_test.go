package main

import (
	"os"
	"regexp"
	"testing"
)

// TestREADMEListsEveryCommand keeps the README's table of commands in step
// with the usage text the binary prints.
func TestREADMEListsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^  detente ([a-z-]+(?: [a-z-]+)?)`)
	found := line.FindAllStringSubmatch(usage, -1)
	if len(found) < 10 {
		t.Fatalf("read only %d commands from the usage text", len(found))
	}
	for _, m := range found {
		cmd := m[1] // "serve", "admin create-user", "checks", …
		if !regexp.MustCompile("`detente " + regexp.QuoteMeta(cmd) + "[ `]").Match(readme) {
			t.Errorf("README does not list `detente %s`", cmd)
		}
	}
}
