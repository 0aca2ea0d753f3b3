package catalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/detente/detente/internal/errs"
)

func mustNew(t testing.TB) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// normalise collapses runs of white space and drops the Markdown emphasis
// markers some seed files carry (e.g. "*inter alia*"), which are markup, not
// text.
func normalise(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "*", "")), " ")
}

// seeds returns the source documents, normalised, by file name.
func seeds(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.txt"))
	if err != nil || len(paths) != 5 {
		t.Fatalf("want the 5 seed files in testdata/seeds, got %v (%v)", paths, err)
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = normalise(string(b))
	}
	return out
}

func inSomeSeed(seeds map[string]string, quote string) bool {
	q := normalise(quote)
	for _, s := range seeds {
		if strings.Contains(s, q) {
			return true
		}
	}
	return false
}

func TestQuotationsAppearVerbatimInSeeds(t *testing.T) {
	src := seeds(t)
	for _, p := range mustNew(t).Provisions(Filter{}) {
		t.Run(p.ID, func(t *testing.T) {
			if !inSomeSeed(src, p.Text) {
				t.Errorf("text not found in any seed: %q", p.Text)
			}
			var check func([]Item)
			check = func(items []Item) {
				for _, it := range items {
					quote := it.Text
					if it.Label != "" {
						quote = it.Label + ") " + it.Text // the label is part of the quotation
					}
					if !inSomeSeed(src, quote) {
						t.Errorf("item %q not found in any seed: %q", it.Label, quote)
					}
					if it.Source != "" && !inSomeSeed(src, "["+it.Source+"]") {
						t.Errorf("item %q: source [%s] not found in any seed", it.Label, it.Source)
					}
					check(it.Items)
				}
			}
			check(p.Items)
		})
	}
}

// The ids are part of the public interface (URLs, API, MISP tags, stored
// findings): this list may grow but an id must never change or disappear.
func TestIDsAreStable(t *testing.T) {
	want := []string{
		"norm-a", "norm-b", "norm-c", "norm-d", "norm-e", "norm-f", "norm-g", "norm-h", "norm-i", "norm-j", "norm-k",
		"law-26", "law-27", "law-28a", "law-28b", "law-28c", "law-28d", "law-28e", "law-28f", "law-29",
		"gge2015-cbm-a", "gge2015-cbm-b", "gge2015-cbm-c", "gge2015-cbm-d", "gge2015-cbm-e", "gge2015-cbm-f",
		"cbm-1", "cbm-2", "cbm-3", "cbm-4", "cbm-5", "cbm-6", "cbm-7", "cbm-8",
		"gge2013-19", "gge2013-20", "gge2013-21", "gge2013-22", "gge2013-23", "gge2013-24", "gge2013-25",
		"gge2010-16",
	}
	var got []string
	for _, p := range mustNew(t).Provisions(Filter{}) {
		got = append(got, p.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("provision ids =\n%q\nwant\n%q", got, want)
	}
}

func TestCounts(t *testing.T) {
	c := mustNew(t)
	tests := []struct {
		name   string
		filter Filter
		prefix string // count only ids with this prefix
		want   int
	}{
		{"11 norms", Filter{Kind: KindNorm}, "", 11},
		{"11 norms, all in A/70/174 para 13", Filter{Kind: KindNorm, Document: "A/70/174"}, "norm-", 11},
		{"6 para 28 views", Filter{Kind: KindLaw, Document: "A/70/174"}, "law-28", 6},
		{"A/70/174 law paragraphs 26 to 29", Filter{Kind: KindLaw, Document: "A/70/174"}, "", 9},
		{"8 OEWG global CBMs", Filter{Kind: KindCBM, Document: "A/79/214"}, "cbm-", 8},
		{"6 CBMs of the 2015 GGE", Filter{Kind: KindCBM, Document: "A/70/174"}, "gge2015-cbm-", 6},
		{"A/68/98 paragraphs 19 to 25", Filter{Document: "A/68/98"}, "", 7},
		{"A/68/98 voluntary norms", Filter{Document: "A/68/98", Kind: KindRecommendation}, "", 3},
		{"A/65/201 paragraph 16", Filter{Document: "A/65/201"}, "", 1},
		{"unknown document", Filter{Document: "A/1/1"}, "", 0},
		{"unknown kind", Filter{Kind: "treaty"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := 0
			for _, p := range c.Provisions(tt.filter) {
				if tt.filter.Kind != "" && p.Kind != tt.filter.Kind || tt.filter.Document != "" && p.Document != tt.filter.Document {
					t.Errorf("%s does not match the filter", p.ID)
				}
				if strings.HasPrefix(p.ID, tt.prefix) {
					got++
				}
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestEveryProvisionIsCited(t *testing.T) {
	c := mustNew(t)
	for _, p := range c.Provisions(Filter{}) {
		if _, err := c.Document(p.Document); err != nil {
			t.Errorf("%s: document %q: %v", p.ID, p.Document, err)
		}
		if p.Paragraph == "" || p.ShortTitle == "" || !p.Kind.Valid() {
			t.Errorf("%s: paragraph %q, short title %q, kind %q", p.ID, p.Paragraph, p.ShortTitle, p.Kind)
		}
	}
	tests := []struct{ id, want string }{
		{"norm-h", "A/70/174, para. 13(h)"},
		{"law-28f", "A/70/174, para. 28(f)"},
		{"gge2013-23", "A/68/98, para. 23"},
		{"cbm-1", "A/79/214, Annex B, CBM 1"},
		{"gge2015-cbm-a", "A/70/174, paras. 16–18"},
	}
	for _, tt := range tests {
		p, err := c.Provision(tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Citation(); got != tt.want {
			t.Errorf("%s citation = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestCBMItems(t *testing.T) {
	c := mustNew(t)
	labels := func(items []Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Label)
		}
		return out
	}
	tests := []struct {
		id     string
		labels []string
	}{
		{"cbm-1", []string{"a", "b", "c"}},
		{"cbm-2", []string{"a", "b", "ac", "d"}}, // "ac)" is the source's own label
		{"cbm-3", []string{"a", "b", "c"}},
		{"cbm-4", []string{"a", "b", "c"}},
		{"cbm-5", []string{""}}, // CBMs 5-8 have one explanatory paragraph
		{"cbm-8", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p, err := c.Provision(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := labels(p.Items); !slices.Equal(got, tt.labels) {
				t.Errorf("item labels = %q, want %q", got, tt.labels)
			}
			for _, it := range p.Items {
				// Every lettered item cites its origin, except CBM 1 c), which
				// the OEWG adopted directly.
				if it.Label != "" && it.Source == "" && (tt.id != "cbm-1" || it.Label != "c") {
					t.Errorf("item %s) has no source", it.Label)
				}
			}
		})
	}
	p, _ := c.Provision("cbm-1")
	if got := labels(p.Items[2].Items); !slices.Equal(got, []string{"i", "ii", "iii", "iv", "v"}) {
		t.Errorf("CBM 1 c) sub-items = %q, want i to v", got)
	}
}

func TestRelationsAreSymmetricAndResolve(t *testing.T) {
	c := mustNew(t)
	for _, p := range c.Provisions(Filter{}) {
		if len(p.Related) == 0 {
			t.Errorf("%s relates to nothing", p.ID)
		}
		seen := map[string]bool{}
		for _, r := range p.Related {
			if r == p.ID || seen[r] {
				t.Errorf("%s: related %q is itself or repeated", p.ID, r)
			}
			seen[r] = true
			q, err := c.Provision(r)
			if err != nil {
				t.Errorf("%s: related %q: %v", p.ID, r, err)
				continue
			}
			if !slices.Contains(q.Related, p.ID) {
				t.Errorf("%s → %s, but not %s → %s", p.ID, r, r, p.ID)
			}
		}
	}
	links := [][2]string{
		{"norm-h", "cbm-1"},
		{"norm-h", "norm-g"},
		{"norm-g", "norm-f"},
		{"norm-b", "law-28f"},
		{"norm-j", "norm-i"},
		{"norm-k", "gge2015-cbm-f"},
	}
	for _, l := range links {
		rel, err := c.Related(l[0])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(rel, func(p Provision) bool { return p.ID == l[1] }) {
			t.Errorf("Related(%s) lacks %s", l[0], l[1])
		}
	}
}

func TestTopics(t *testing.T) {
	c := mustNew(t)
	topics := c.Topics()
	if len(topics) != 53 {
		t.Errorf("%d topics, want the 53 distinct entries of the vocabulary", len(topics))
	}
	if topics[0].Name != "Democratic Principles" || topics[len(topics)-1].Name != "Media" {
		t.Errorf("vocabulary runs %q … %q, want Democratic Principles … Media", topics[0].Name, topics[len(topics)-1].Name)
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, tp := range topics {
		if ids[tp.ID] || names[tp.Name] {
			t.Errorf("topic %q (%q) is duplicated", tp.ID, tp.Name)
		}
		ids[tp.ID], names[tp.Name] = true, true
		if got, err := c.Topic(tp.ID); err != nil || got != tp {
			t.Errorf("Topic(%q) = %v, %v", tp.ID, got, err)
		}
	}
	for _, p := range c.Provisions(Filter{}) {
		if len(p.Topics) == 0 {
			t.Errorf("%s has no topic", p.ID)
		}
		for _, tp := range p.Topics {
			if !ids[tp] {
				t.Errorf("%s: unknown topic %q", p.ID, tp)
			}
		}
	}
	att := c.Provisions(Filter{Topic: "attribution"})
	if !slices.ContainsFunc(att, func(p Provision) bool { return p.ID == "law-28f" }) {
		t.Error("law-28f is not under the Attribution topic")
	}
}

func TestUnknownIsNotFound(t *testing.T) {
	c := mustNew(t)
	_, err1 := c.Related("norm-z")
	_, err2 := c.Document("A/99/999")
	_, err3 := c.Topic("no-such-topic")
	tests := []struct {
		name string
		err  error
	}{
		{"Provision(norm-z)", func() error { _, err := c.Provision("norm-z"); return err }()},
		{"Provision(empty)", func() error { _, err := c.Provision(""); return err }()},
		{"Provision(NORM-H)", func() error { _, err := c.Provision("NORM-H"); return err }()},
		{"Related(norm-z)", err1},
		{"Document(A/99/999)", err2},
		{"Topic(no-such-topic)", err3},
	}
	for _, tt := range tests {
		if !errs.Is(tt.err, errs.NotFound) {
			t.Errorf("%s: err = %v, want not found", tt.name, tt.err)
		}
	}
}

func TestResultsAreCopies(t *testing.T) {
	c := mustNew(t)
	p, _ := c.Provision("cbm-1")
	p.Topics[0] = "changed"
	p.Related[0] = "changed"
	p.Items[2].Items[0].Text = "changed"
	c.Documents()[0].Title = "changed"
	c.Topics()[0].Name = "changed"

	q, _ := c.Provision("cbm-1")
	if q.Topics[0] == "changed" || q.Related[0] == "changed" || q.Items[2].Items[0].Text == "changed" {
		t.Error("changing a returned provision changed the catalogue")
	}
	if c.Documents()[0].Title == "changed" || c.Topics()[0].Name == "changed" {
		t.Error("changing a returned document or topic changed the catalogue")
	}
}

func TestSearch(t *testing.T) {
	c := mustNew(t)
	tests := []struct {
		query    string
		first    string   // expected top result, "" for no check
		contains []string // must be among the results
		none     bool     // expect no results
	}{
		{query: "requests for assistance", first: "norm-h"},
		{query: "Requests For ASSISTANCE", first: "norm-h"},
		{query: "attribute", contains: []string{"law-28f"}},
		{query: "norm-h", first: "norm-h"},
		{query: "13(h)", first: "norm-h"},
		{query: "28(f)", first: "law-28f"},
		{query: "supply chain", first: "norm-i", contains: []string{"gge2013-24"}},
		{query: "ping", first: "cbm-1"}, // and not norm-a's "developing"
		{query: `"ping" tests`, first: "cbm-1"},
		{query: "critical infrastructure", contains: []string{"norm-f", "norm-g", "norm-h", "cbm-7"}},
		{query: "originates territory", first: "law-28f"},
		{query: "A/79/214 directory", first: "cbm-1"},
		{query: "attribution", contains: []string{"norm-b", "law-28f"}},
		{query: "attribut", contains: []string{"norm-b", "law-28f", "gge2013-23"}}, // word prefixes match
		{query: "(h)", first: "norm-h"},
		{query: "vulnerability", first: "norm-j"}, // the text says "vulnerabilities"
		{query: "CERT", contains: []string{"norm-k", "gge2015-cbm-f"}},
		{query: "", none: true},
		{query: "   ", none: true},
		{query: `"" ;`, none: true},
		{query: "zzzzqqq", none: true},
		{query: "ping zzzzqqq", none: true}, // every word must match
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := c.Search(tt.query)
			var ids []string
			for _, p := range got {
				ids = append(ids, p.ID)
			}
			if tt.none {
				if len(got) != 0 {
					t.Fatalf("want no results, got %q", ids)
				}
				return
			}
			if len(got) == 0 {
				t.Fatal("no results")
			}
			if tt.first != "" && ids[0] != tt.first {
				t.Errorf("first result = %s, want %s (all: %q)", ids[0], tt.first, ids)
			}
			for _, id := range tt.contains {
				if !slices.Contains(ids, id) {
					t.Errorf("results %q lack %s", ids, id)
				}
			}
		})
	}
}

func TestMISPTaxonomy(t *testing.T) {
	c := mustNew(t)
	out, err := c.MISPTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	var tax struct {
		Namespace   string `json:"namespace"`
		Description string `json:"description"`
		Version     int    `json:"version"`
		Predicates  []struct {
			Value    string `json:"value"`
			Expanded string `json:"expanded"`
		} `json:"predicates"`
		Values []struct {
			Predicate string `json:"predicate"`
			Entry     []struct {
				Value       string `json:"value"`
				Expanded    string `json:"expanded"`
				Description string `json:"description"`
			} `json:"entry"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &tax); err != nil {
		t.Fatalf("taxonomy is not valid JSON: %v", err)
	}
	if tax.Namespace != "un-ict-framework" || tax.Description == "" || tax.Version < 1 {
		t.Errorf("header = %q, %q, %d", tax.Namespace, tax.Description, tax.Version)
	}
	var preds []string
	for _, p := range tax.Predicates {
		preds = append(preds, p.Value)
		if p.Expanded == "" {
			t.Errorf("predicate %s has no expansion", p.Value)
		}
	}
	if !slices.Equal(preds, []string{"norm", "law", "cbm"}) {
		t.Errorf("predicates = %q, want norm, law, cbm", preds)
	}
	entries := map[string]string{} // predicate:value → description
	for _, v := range tax.Values {
		if !slices.Contains(preds, v.Predicate) {
			t.Errorf("values for undeclared predicate %q", v.Predicate)
		}
		for _, e := range v.Entry {
			if e.Expanded == "" || e.Description == "" {
				t.Errorf("%s:%s lacks an expansion or description", v.Predicate, e.Value)
			}
			entries[v.Predicate+":"+e.Value] = e.Description
		}
	}
	for _, p := range c.Provisions(Filter{Kind: KindNorm}) {
		if got, ok := entries["norm:"+p.ID]; !ok || got != p.Text {
			t.Errorf("norm %s missing or not verbatim in the taxonomy", p.ID)
		}
	}
	for _, id := range []string{"law-28f", "cbm-1", "cbm-8"} {
		p, _ := c.Provision(id)
		if _, ok := entries[string(p.Kind)+":"+id]; !ok {
			t.Errorf("%s missing from the taxonomy", id)
		}
	}
}

// validJSON is the smallest catalogue parse accepts; the cases below break
// it one way each.
const validJSON = `{
 "documents": [{"symbol": "A/1", "title": "T", "year": 2000, "body": "B"}],
 "topics": [{"id": "t", "name": "T"}],
 "provisions": [
  {"id": "p-a", "document": "A/1", "paragraph": "1", "kind": "norm", "short_title": "A", "text": "x", "topics": ["t"]},
  {"id": "p-b", "document": "A/1", "paragraph": "2", "kind": "law", "short_title": "B", "text": "y"}
 ],
 "relations": [{"a": "p-a", "b": "p-b", "why": "w"}]
}`

func TestParseRejectsBadData(t *testing.T) {
	if c, err := parse([]byte(validJSON)); err != nil {
		t.Fatalf("valid data rejected: %v", err)
	} else if p, _ := c.Provision("p-b"); !slices.Equal(p.Related, []string{"p-a"}) {
		t.Fatalf("relation not made symmetric: %q", p.Related)
	}
	tests := []struct {
		name, old, new, wantErr string
	}{
		{"not JSON", `{`, `[`, "decode"},
		{"unknown field", `"body": "B"`, `"body": "B", "extra": 1`, "unknown field"},
		{"unknown document", `"document": "A/1", "paragraph": "2"`, `"document": "A/2", "paragraph": "2"`, "unknown document"},
		{"duplicate id", `"id": "p-b"`, `"id": "p-a"`, "listed twice"},
		{"bad id", `"id": "p-b"`, `"id": "P B"`, "id must be"},
		{"bad kind", `"kind": "law"`, `"kind": "treaty"`, "unknown kind"},
		{"missing text", `"text": "y"`, `"text": " "`, "required"},
		{"unknown topic", `"topics": ["t"]`, `"topics": ["u"]`, "unknown topic"},
		{"duplicate topic", `[{"id": "t", "name": "T"}]`, `[{"id": "t", "name": "T"}, {"id": "t", "name": "U"}]`, "listed twice"},
		{"relation to unknown", `"b": "p-b"`, `"b": "p-z"`, "unknown provision"},
		{"relation to itself", `"b": "p-b"`, `"b": "p-a"`, "itself"},
		{"relation twice", `{"a": "p-a", "b": "p-b", "why": "w"}`, `{"a": "p-a", "b": "p-b", "why": "w"}, {"a": "p-b", "b": "p-a", "why": "w"}`, "listed twice"},
		{"related on provision", `"text": "y"`, `"text": "y", "related": ["p-a"]`, "not on the provision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(validJSON, tt.old, tt.new, 1)
			if data == validJSON {
				t.Fatal("test case did not change the data")
			}
			_, err := parse([]byte(data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"vulnerability", "vulnerabilit"},
		{"vulnerabilities", "vulnerabilit"},
		{"attribute", "attribut"},
		{"attributed", "attribut"},
		{"requests", "request"},
		{"sharing", "shar"},
		{"ping", "ping"},     // too short to trim
		{"uses", "uses"},     // likewise
		{"norm-h", "norm-h"}, // ids stay whole
		{"13(h)", "13(h)"},   // paragraphs too
		{"côtes", "côte"},    // letters beyond ASCII count as letters
		{"states", "stat"},   // a stem may be short, but never under 4 letters
	}
	for _, tt := range tests {
		if got := stem(tt.in); got != tt.want {
			t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSearch(f *testing.F) {
	for _, q := range []string{"requests for assistance", "attribute", "13(h)", "norm-h", `"ping"`, "", " \t\n", "\xff\xfe", "ÇÖTE ď’", strings.Repeat("a ", 100)} {
		f.Add(q)
	}
	c := mustNew(f)
	f.Fuzz(func(t *testing.T, q string) {
		words := queryWords(q)
		got := c.Search(q)
		if len(words) == 0 && len(got) != 0 {
			t.Fatalf("query %q has no words but found %d", q, len(got))
		}
		seen := map[string]bool{}
		for _, p := range got {
			if seen[p.ID] {
				t.Fatalf("%s returned twice", p.ID)
			}
			seen[p.ID] = true
			e := newSearchEntry(p)
			for _, w := range words {
				if e.score(w) == 0 || !strings.Contains(e.id+e.paragraph+e.document+e.title+e.text, w) {
					t.Fatalf("query %q: %s lacks %q", q, p.ID, w)
				}
			}
		}
	})
}

func TestUsedTopicsListsOnlyTopicsWithProvisions(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	used := c.UsedTopics()
	if len(used) == 0 {
		t.Fatal("no topic has a provision")
	}
	if len(used) >= len(c.Topics()) {
		t.Logf("every topic is used (%d)", len(used))
	}
	for _, u := range used {
		got := len(c.Provisions(Filter{Topic: u.ID}))
		if u.Provisions != got || got == 0 {
			t.Errorf("topic %s: count %d, filter finds %d", u.ID, u.Provisions, got)
		}
	}
	listed := map[string]bool{}
	for _, u := range used {
		listed[u.ID] = true
	}
	for _, tp := range c.Topics() {
		if !listed[tp.ID] && len(c.Provisions(Filter{Topic: tp.ID})) > 0 {
			t.Errorf("topic %s has provisions but is not listed", tp.ID)
		}
	}
}
