package e2e

import (
	"context"
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// importBundle chooses FR's export of incident id in the import form and
// sends it, leaving the browser on the summary.
func importBundle(f *fixture, id string) func(*tab) {
	return func(b *tab) {
		b.t.Helper()
		body, err := f.app.IncidentsSTIX.Export(context.Background(), f.acc["frpoc"].Actor(), id)
		if err != nil {
			b.t.Fatal(err)
		}
		path := filepath.Join(b.t.TempDir(), "incident.json")
		if err := os.WriteFile(path, body, 0o600); err != nil {
			b.t.Fatal(err)
		}
		b.do(chromedp.SetUploadFiles(chromedp.CSS("#bundle"), []string{path}))
		b.click(saveButton)
		b.waitFor("#summary-h")
	}
}
