package i18n

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCatalogueCallFits runs CheckGoSource over the Go code of every
// package: each call of T, TC, N, NC, M, MC and MN with a literal message
// names one en.po has, with its placeholders, wherever the call is.
func TestEveryCatalogueCallFits(t *testing.T) {
	c := load(t)
	files, err := filepath.Glob(filepath.Join("..", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found, err := c.CheckGoSource(f, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range found {
			t.Error(p)
		}
		checked++
	}
	if checked < 50 {
		t.Fatalf("only %d files checked: the glob missed the packages", checked)
	}
}
