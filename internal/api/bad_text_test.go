package api

import (
	"maps"
	"net/http"
	"strings"
	"testing"
)

// TestTextNoDatabaseStores: a NUL character or bytes that are not UTF-8,
// in a query parameter or a JSON string, get 400 naming the field on every
// engine (PostgreSQL used to answer 500), and change nothing.
func TestTextNoDatabaseStores(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		poc := func(title string) string {
			return `{"level": "technical", "function_title": "` + title + `", "organisation": "ANSSI", "emails": ["soc@anssi.test.invalid"],
				"phones": ["+33 1 71 75 84 68"], "languages": ["fr"], "time_zone": "Europe/Paris", "availability": "24x7"}`
		}
		message := func(subject, question string) string {
			return `{"type": "information_request", "recipients": ["KE"], "level": "technical", "urgency": "routine", "tlp": "amber",
				"subject": "` + subject + `", "body": "See.", "fields": {"question": "` + question + `"}}`
		}
		for _, tc := range []struct {
			name   string
			role   string
			r      req
			status int
			field  string
		}{
			{"NUL in a directory filter", frAdmin, req{method: http.MethodGet, path: "/pocs?state=%00"}, 400, "state"},
			{"invalid UTF-8 in a directory filter", frAdmin, req{method: http.MethodGet, path: "/pocs?region=%FF"}, 400, "region"},
			{"NUL in a search", frPOC, req{method: http.MethodGet, path: "/messages?q=scan%00ning"}, 400, "q"},
			{"invalid UTF-8 in a search", frPOC, req{method: http.MethodGet, path: "/messages?q=%C3"}, 400, "q"},
			{"NUL in an audit filter", sec, req{method: http.MethodGet, path: "/audit?object_type=poc%00"}, 400, "object_type"},
			{"invalid UTF-8 in an audit filter", sec, req{method: http.MethodGet, path: "/audit?object_id=%FE%FF"}, 400, "object_id"},
			{"NUL in a catalogue search", anon, req{method: http.MethodGet, path: "/framework/provisions?q=%00"}, 400, "q"},
			{"NUL in a path", frAdmin, req{method: http.MethodGet, path: "/states/F%00"}, 404, ""},
			{"NUL in a nomination", frAdmin, req{method: http.MethodPost, path: "/states/FR/pocs", body: poc(`CERT\u0000`)}, 400, "function_title"},
			{"invalid UTF-8 in a nomination", frAdmin, req{method: http.MethodPost, path: "/states/FR/pocs", body: poc("CERT \xff")}, 400, "function_title"},
			{"NUL in a list item", frAdmin, req{method: http.MethodPost, path: "/states/FR/pocs",
				body: strings.Replace(poc("CERT"), `"fr"]`, `"fr", "e\u0000n"]`, 1)}, 400, "languages[1]"},
			{"NUL in a subject", frPOC, req{method: http.MethodPost, path: "/messages", body: message(`Scan\u0000`, "Seen?")}, 400, "subject"},
			{"invalid UTF-8 in a template field", frPOC, req{method: http.MethodPost, path: "/messages", body: message("Scan", "Seen \xc3?")}, 400, "fields.question"},
			{"NUL in a library search", frPOC, req{method: http.MethodGet, path: "/library/documents?q=strat%00egy"}, 400, "q"},
			{"invalid UTF-8 in a library filter", anon, req{method: http.MethodGet, path: "/library/documents?state=%FF"}, 400, "state"},
			{"NUL in a survey cycle's name", sec, req{method: http.MethodPost, path: "/survey/cycles", body: `{"name": "20\u000027", "opens": "2027-01-01", "deadline": "2027-06-30"}`}, 400, "name"},
			{"invalid UTF-8 in a library title", frPOC, req{method: http.MethodPost, path: "/library/documents", body: "{\"title\": \"Strat\xffegy\"}"}, 400, "title"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := f.counts()
				res := f.do(tc.role, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				if tc.field != "" {
					if msg, _ := res.errorFields(t)[tc.field].(string); msg == "" {
						t.Errorf("error does not name %s: %s", tc.field, res)
					}
				}
				if after := f.counts(); !maps.Equal(before, after) {
					t.Errorf("refused request changed the database: %v → %v", before, after)
				}
			})
		}
	})
}
