package web_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestLibraryUploadAndSearch: a PDF sent through the form is kept, its
// text found by the library's search on both engines by those who may
// read it and by no one else, and a file over the limit, a program or a
// link that is no web address comes back beside its field with nothing
// written.
func TestLibraryUploadAndSearch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		pdf, err := os.ReadFile("../library/testdata/strategy.pdf")
		if err != nil {
			t.Fatal(err)
		}
		ke, fr, anon := f.signIn("kepoc").on(t), f.signIn("frpoc").on(t), f.anon().on(t)
		form := url.Values{"type": {"law"}, "title": {"KE upload 5e1d"}, "language": {"sw"}, "status": {"in_progress"},
			"visibility": {"participants"}, "provisions": {"norm-h"}, "topics": {"data protection, resilience"}}
		r := ke.postFiles("/library", form, upload{name: "draft.pdf", mediaType: "application/pdf", content: pdf})
		if r.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", r.status, snippet(r.body))
		}
		page := r.header.Get("Location")
		id := strings.TrimPrefix(strings.SplitN(page, "?", 2)[0], "/library/")
		for who, c := range map[string]*client{"KE": ke, "FR": fr} {
			if r := c.get("/library?q=" + libWord); r.status != http.StatusOK || !strings.Contains(r.body, "/library/"+id) {
				t.Errorf("%s's search: %d, document not found", who, r.status)
			}
		}
		if r := anon.get("/library?q=" + libWord); r.status != http.StatusOK || strings.Contains(r.body, "KE upload 5e1d") {
			t.Errorf("the public's search: %d, finds KE's document for participants", r.status)
		}
		if r := fr.get("/library/" + id + "/file"); r.status != http.StatusOK || r.body != string(pdf) ||
			r.header.Get("Content-Disposition") == "" || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download: %d %q", r.status, r.header)
		}
		before := f.rows("library_documents")
		big := make([]byte, f.app.Library.FileLimit()+1)
		for name, c := range map[string]struct {
			form  url.Values
			file  upload
			field string
		}{
			"too large":       {form, upload{name: "big.pdf", mediaType: "application/pdf", content: big}, "attachments"},
			"a program":       {form, upload{name: "setup.exe", content: []byte("MZ\x90\x00")}, "attachments"},
			"javascript link": {withField(form, "link", "javascript:alert(1)"), upload{}, "link"},
			"bad date":        {withField(form, "date", "2027-13-40", "link", "https://example.org/"), upload{}, "date"},
		} {
			var r response
			if c.file.name == "" {
				r = ke.postFiles("/library", c.form)
			} else {
				r = ke.postFiles("/library", c.form, c.file)
			}
			if r.status != http.StatusUnprocessableEntity && r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: status %d", name, r.status)
			}
			if r.status == http.StatusUnprocessableEntity && !strings.Contains(r.body, `id="`+c.field+`-error"`) {
				t.Errorf("%s: no error beside %s\n%s", name, c.field, snippet(r.body))
			}
		}
		if n := f.rows("library_documents"); n != before {
			t.Errorf("refused documents were written: %d rows, were %d", n, before)
		}
	})
}
