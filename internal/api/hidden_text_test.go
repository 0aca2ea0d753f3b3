package api

import (
	"encoding/base64"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// TestHiddenCharactersRefused: one-line text that could read as something
// else on screen (a right-to-left override turns "Invoice‮exe.pdf" into
// "Invoicefdp.exe") is refused with the field named, and nothing is
// stored.
func TestHiddenCharactersRefused(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		message := withFile("notes.txt", base64.StdEncoding.EncodeToString([]byte("plain notes")))
		message["subject"] = "Invoice\u202Eexe.pdf\u202C"
		file := withFile("Invoice\u202Eexe.pdf\u202C", base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 not really")))
		tmpl := map[string]any{"title": "Closure", "fields": []map[string]any{{"name": "outcome", "label": "Out\u200Bcome", "kind": "longtext"}}}
		poc := withPOC(map[string]any{"organisation": "\uFEFFANSSI"})
		for _, tc := range []struct {
			name  string
			role  string
			r     req
			field string
			shows string
		}{
			{"subject", frPOC, req{method: http.MethodPost, path: "/messages", body: message}, "subject", "U+202E"},
			{"attachment name", frPOC, req{method: http.MethodPost, path: "/messages", body: file}, "attachments", "U+202E"},
			{"template label", sec, req{method: http.MethodPut, path: "/message-templates/closure", body: tmpl}, "fields[0]", "U+200B"},
			{"organisation", frAdmin, req{method: http.MethodPost, path: "/states/FR/pocs", body: poc}, "organisation", "U+FEFF"},
			{"library file name", frPOC, req{method: http.MethodPost, path: "/library/documents", body: map[string]any{"type": "law", "title": "Law",
				"language": "en", "status": "adopted", "visibility": "public", "file": file["attachments"].([]map[string]string)[0]}}, "file", "U+202E"},
			{"library title", frPOC, req{method: http.MethodPost, path: "/library/documents", body: map[string]any{"type": "law", "title": "Law\u200B",
				"language": "en", "status": "adopted", "visibility": "public", "link": "https://fr.test.invalid/law"}}, "title", "U+200B"},
			{"survey cycle name", sec, req{method: http.MethodPost, path: "/survey/cycles", body: map[string]any{"name": "2027\u2066",
				"opens": "2027-01-01", "deadline": "2027-06-30"}}, "name", "U+2066"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := f.counts()
				res := f.do(tc.role, tc.r)
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %s", res.status, res)
				}
				if msg, _ := res.errorFields(t)[tc.field].(string); !strings.Contains(msg, tc.shows) {
					t.Errorf("error for %s is %q, want it to name %s: %s", tc.field, msg, tc.shows, res)
				}
				if after := f.counts(); !maps.Equal(before, after) {
					t.Errorf("refused request changed the database: %v → %v", before, after)
				}
			})
		}
	})
}
