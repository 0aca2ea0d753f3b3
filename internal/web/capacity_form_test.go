package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestCapacityFormsRefuseBadInput: a need or offer form with bytes that
// are not text, hidden formatting, codes not in the lists, a date that is
// no date or out of range, or a huge version comes back with each field's
// error beside it and writes nothing, on both engines; the good form then
// posts and the page shows what was typed.
func TestCapacityFormsRefuseBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		clients := map[string]*client{"kepoc": f.signIn("kepoc"), "sec": f.signIn("sec")}
		need := url.Values{"title": {"Forensics lab"}, "description": {"A lab for the CIRT."}, "topics": {"incident_response"},
			"provisions": {"norm-h"}, "languages": {"en, sw"}, "region": {"African"}, "visibility": {"participants"}}
		offer := url.Values{"kind": {"training"}, "title": {"Forensics course"}, "description": {"Five days."}, "topics": {"incident_response"},
			"languages": {"en"}, "visibility": {"public"}, "from": {"2027-05-01"}, "until": {"2027-06-01"}}
		count := func() [4]int {
			var out [4]int
			for i, table := range []string{"capacity_needs", "capacity_offers", "capacity_tags", "audit_log"} {
				if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&out[i]); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
		for _, tc := range []struct {
			name, who, path string
			form            url.Values
			fields          []string
		}{
			{"NUL in a title", "kepoc", "/capacity/needs", withField(need, "title", "Lab\x00"), []string{"title"}},
			{"invalid UTF-8 in a description", "kepoc", "/capacity/needs", withField(need, "description", "lab \xff"), []string{"description"}},
			{"hidden formatting in a title", "kepoc", "/capacity/needs", withField(need, "title", "Lab \u202egnp"), []string{"title"}},
			{"unknown codes", "kepoc", "/capacity/needs", withField(need, "topics", "hacking", "provisions", "norm-z", "region", "Mars", "visibility", "all",
				"source_provision", "cbm-99"), []string{"topics", "provisions", "region", "visibility", "source_provision"}},
			{"a bad language", "kepoc", "/capacity/needs", withField(need, "languages", "en, english!"), []string{"languages"}},
			{"a date that is no date", "sec", "/capacity/offers", withField(offer, "from", "2027-02-30"), []string{"from"}},
			{"a date out of range", "sec", "/capacity/offers", withField(offer, "until", "9999-12-31"), []string{"until"}},
			{"a date that is no date and an empty title", "sec", "/capacity/offers", withField(offer, "until", "99999-01-01", "title", ""), []string{"until", "title"}},
			{"an end before the start", "sec", "/capacity/offers", withField(offer, "from", "2027-07-01"), []string{"until"}},
			{"NUL in the capacity", "sec", "/capacity/offers", withField(offer, "capacity", "20\x00"), []string{"capacity"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := count()
				r := clients[tc.who].on(t).post(tc.path, tc.form)
				if r.status != 422 {
					t.Fatalf("status %d, want 422\n%s", r.status, snippet(r.body))
				}
				for _, field := range tc.fields {
					if !strings.Contains(r.body, `id="`+field+`-error"`) {
						t.Errorf("no error beside %s", field)
					}
				}
				if after := count(); after != before {
					t.Errorf("a refused form wrote: %v → %v", before, after)
				}
			})
		}
		before := count()
		r := clients["kepoc"].on(t).post("/capacity/needs", need)
		where := r.header.Get("Location")
		if r.status != see || !strings.HasPrefix(where, "/capacity/needs/") {
			t.Fatalf("posting a good need: %d %s", r.status, where)
		}
		if after := count(); after[0] != before[0]+1 || after[3] != before[3]+1 {
			t.Errorf("a good need wrote %v → %v", before, after)
		}
		// A version too large to be one is a stale version, not a 500.
		id := strings.TrimPrefix(strings.SplitN(where, "?", 2)[0], "/capacity/needs/")
		before = count()
		r = clients["kepoc"].on(t).post("/capacity/needs/"+id+"/edit", withField(need, "version", "99999999999999999999"))
		if r.status != 409 {
			t.Errorf("a huge version: %d", r.status)
		}
		if after := count(); after != before {
			t.Errorf("a stale edit wrote: %v → %v", before, after)
		}
	})
}
