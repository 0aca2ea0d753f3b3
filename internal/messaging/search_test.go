package messaging_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// TestSearchFindsWordsAlikeOnBothEngines: search goes through each
// engine's full-text index, and both split text the same way: at
// punctuation (an address, a domain, TLP:AMBER+STRICT), folding case in
// every script, matching the start of words, all words required.
func TestSearchFindsWordsAlikeOnBothEngines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		d := incident(tlp.Amber, "KE")
		d.Subject = "ÉCOLE numérique: wiper, TLP:AMBER+STRICT"
		d.Body = "C2 at 203.0.113.7 and evil-cdn.example.invalid; Выборы 2026 — 选举委员会"
		m := e.send(t, "frpoc", d)
		e.send(t, "frpoc", incident(tlp.Amber, "KE")) // another, about a wiper too
		tests := []struct {
			query string
			found bool
		}{
			{"école", true},
			{"Numérique WIPER", true},
			{"203.0.113.7", true},
			{"203.0.113", true},
			{"evil-cdn.example", true},
			{"выборы", true},
			{"选举", true},
			{"amber+strict", true},
			{"tlp:amber", true},
			{"wip", true}, // the start of a word
			{"iper", false},
			{"wiper 198.51.100.1", false}, // every word must match
			{`" OR 1=1 --`, false},
			{"NEAR(wiper)", false},
		}
		for _, tc := range tests {
			got, err := e.svc.List(ctx, e.who["kepoc"], messaging.ListFilter{Query: tc.query})
			if err != nil {
				t.Fatalf("%q: %v", tc.query, err)
			}
			found := false
			for _, x := range got {
				found = found || x.ID == m.ID
			}
			if found != tc.found {
				t.Errorf("search %q: found = %v, want %v", tc.query, found, tc.found)
			}
		}
		// What the index holds of a message stays behind the TLP rules.
		if got, _ := e.svc.List(ctx, e.who["depoc"], messaging.ListFilter{Query: "école"}); len(got) != 0 {
			t.Error("a State outside the marking found the message by searching")
		}
	})
}

// TestSearchIndexFillsOldMessages: a message stored without its search
// text (as before the index existed) is indexed at start and then found.
func TestSearchIndexFillsOldMessages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := e.send(t, "frpoc", incident(tlp.Green, "KE"))
		if _, err := db.W.Exec(`UPDATE messages SET search_text = '' WHERE id = $1`, m.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.List(ctx, e.who["kepoc"], messaging.ListFilter{Query: "substation"}); len(got) != 0 {
			t.Fatal("an unindexed message was found")
		}
		n, err := e.svc.IndexForSearch(ctx)
		if err != nil || n != 1 {
			t.Fatalf("indexed %d, %v; want 1", n, err)
		}
		if got, _ := e.svc.List(ctx, e.who["kepoc"], messaging.ListFilter{Query: "substation"}); len(got) != 1 {
			t.Fatalf("found %d after indexing, want 1", len(got))
		}
		if n, _ := e.svc.IndexForSearch(ctx); n != 0 {
			t.Fatalf("indexed %d on a second start, want none", n)
		}
	})
}

// TestSearchUsesTheFullTextIndex guards the shape on SQLite: a search of
// the messages delivered to a State walks the FTS5 index outermost, in its
// own order, so that it stops at a page's rows instead of gathering and
// sorting every match; a search of the messages naming a person walks
// that person's list by its index. Neither reads a table whole.
func TestSearchUsesTheFullTextIndex(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	m := e.send(t, "frpoc", incident(tlp.Amber, "KE"))
	for _, tc := range []struct {
		named bool
		after string
		first string
	}{
		{false, "", "SCAN f VIRTUAL TABLE INDEX"},
		{false, m.ID, "SCAN f VIRTUAL TABLE INDEX"},
		{true, "", "SEARCH n USING"},
		{true, m.ID, "SEARCH n USING"},
	} {
		q, args := e.svc.SearchQuery(e.who["kepoc"], "wiper grid", tc.named, tc.after)
		rows, err := db.R.Query(`EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if len(plan) == 0 || !strings.HasPrefix(plan[0], tc.first) {
			t.Errorf("named %v, after %q: the search does not begin with %q: %s", tc.named, tc.after, tc.first, p)
		}
		if !tc.named && strings.Contains(p, "TEMP B-TREE") || slices.Contains(plan, "SCAN m") || slices.Contains(plan, "SCAN d") || slices.Contains(plan, "SCAN n") {
			t.Errorf("named %v, after %q: the search sorts a match set or scans a table: %s", tc.named, tc.after, p)
		}
	}
}
