package library_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// The word the test PDF holds in its text stream, and nowhere else.
const pdfWord = "xylocarpous"

// env: FR, KE and DE participate, NZ does not.
type env struct {
	db    *store.DB
	svc   *library.Service
	clock *clock.Fixed
	who   map[string]actor.Actor
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	cfg := access.DefaultConfig()
	cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	acc := access.New(db, log, c, cfg)
	dir := directory.New(db, log, c, directory.DefaultConfig(), access.NewSystem(acc))
	if err := dir.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := c.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE", "DE"} {
		if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{db: db, clock: c, who: map[string]actor.Actor{"anon": actor.Anonymous}}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{
		{"sec", actor.Secretariat, ""}, {"fradmin", actor.StateAdmin, "FR"}, {"frpoc", actor.POC, "FR"}, {"frviewer", actor.Viewer, "FR"},
		{"kepoc", actor.POC, "KE"}, {"nzadmin", actor.StateAdmin, "NZ"},
	} {
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		e.who[x.key] = a.Actor()
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	e.svc = library.New(db, log, c, cat, directory.NewSystem(dir), messaging.AttachmentLimits{})
	return e
}

func testPDF(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/strategy.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func doc(vis library.Visibility, title string) library.Input {
	return library.Input{Type: library.Strategy, Title: title, Summary: "How the State protects its networks.", Language: "fr",
		Status: library.Adopted, Provisions: []string{"norm-h", "cbm-5"}, Topics: []string{"resilience"}, Visibility: vis,
		Link: "https://example.org/strategy"}
}

func withPDF(in library.Input, content []byte) library.Input {
	in.Link = ""
	in.File = &messaging.Upload{Name: "strategy.pdf", MediaType: "application/pdf", Content: bytes.NewReader(content)}
	return in
}

func (e *env) add(t *testing.T, who string, in library.Input) library.Document {
	t.Helper()
	e.clock.Advance(time.Minute)
	d, err := e.svc.Add(context.Background(), e.who[who], in)
	if err != nil {
		t.Fatalf("add as %s: %v", who, err)
	}
	return d
}

func (e *env) search(t *testing.T, who, q string) []string {
	t.Helper()
	p, err := e.svc.List(context.Background(), e.who[who], library.Filter{Query: q}, page.Request{Limit: 50})
	if err != nil {
		t.Fatalf("search as %s: %v", who, err)
	}
	var ids []string
	for _, d := range p.Items {
		ids = append(ids, d.ID)
	}
	return ids
}

// TestSearchFindsWordsInsideAPDF: a word only in an uploaded PDF's text is
// found, on both engines, by those who may read the document and by no one
// else.
func TestSearchFindsWordsInsideAPDF(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		pub := e.add(t, "frpoc", withPDF(doc(library.Public, "Strategy"), testPDF(t)))
		if pub.Text != library.Extracted {
			t.Fatalf("text status %q", pub.Text)
		}
		priv := e.add(t, "kepoc", withPDF(doc(library.Private, "Kenyan annex"), testPDF(t)))
		part := e.add(t, "kepoc", withPDF(doc(library.Participants, "Kenyan participants' annex"), testPDF(t)))
		for who, want := range map[string][]string{
			"anon":     {pub.ID},
			"nzadmin":  {pub.ID},
			"frviewer": {part.ID, pub.ID},
			"frpoc":    {part.ID, pub.ID},
			"kepoc":    {part.ID, priv.ID, pub.ID},
			"sec":      {part.ID, priv.ID, pub.ID},
		} {
			for _, q := range []string{pdfWord, "XYLOCARP", "strategy xylocarpous"} {
				if got := e.search(t, who, q); !slices.Equal(got, want) {
					t.Errorf("%s searching %q: %v, want %v", who, q, got, want)
				}
			}
			if got := e.search(t, who, "nowhereword"); len(got) != 0 {
				t.Errorf("%s: unrelated search found %v", who, got)
			}
		}
		// A private document of another State never appears in the list.
		p, err := e.svc.List(context.Background(), e.who["frpoc"], library.Filter{State: "KE"}, page.Request{})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != part.ID {
			t.Errorf("KE's list for FR: %v %v", p.Items, err)
		}
		if _, err := e.svc.Document(context.Background(), e.who["frpoc"], priv.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("FR reads KE's private document: %v", err)
		}
		if _, _, err := e.svc.File(context.Background(), e.who["anon"], part.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("the public downloads a participants' file: %v", err)
		}
		// Editing the metadata keeps the file's words searchable; a link
		// in place of the file drops them.
		in := doc(library.Public, "Renamed strategy")
		in.Link = ""
		d, err := e.svc.Edit(context.Background(), e.who["frpoc"], pub.ID, pub.Version, in)
		if err != nil || !d.HasFile() {
			t.Fatalf("edit: %v %+v", err, d.File)
		}
		if got := e.search(t, "anon", "renamed "+pdfWord); !slices.Equal(got, []string{pub.ID}) {
			t.Errorf("after the edit: %v", got)
		}
		in.Link = "https://example.org/renamed"
		if _, err := e.svc.Edit(context.Background(), e.who["frpoc"], pub.ID, d.Version, in); err != nil {
			t.Fatal(err)
		}
		if got := e.search(t, "anon", pdfWord); len(got) != 0 {
			t.Errorf("a link replaced the file, yet %v", got)
		}
		// Withdrawn, it is gone from the search.
		if err := e.svc.Delete(context.Background(), e.who["kepoc"], part.ID, part.Version); err != nil {
			t.Fatal(err)
		}
		if got := e.search(t, "sec", pdfWord); !slices.Equal(got, []string{priv.ID}) {
			t.Errorf("after withdrawal: %v", got)
		}
	})
}

func TestWhoMayWrite(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, who := range []string{"anon", "frviewer", "nzadmin"} {
			if _, err := e.svc.Add(ctx, e.who[who], doc(library.Public, "x")); err == nil {
				t.Errorf("%s added a document", who)
			}
		}
		d := e.add(t, "frpoc", doc(library.Public, "Strategy"))
		if d.Owner != "FR" {
			t.Errorf("owner %q", d.Owner)
		}
		for _, who := range []string{"kepoc", "sec", "frviewer"} {
			if _, err := e.svc.Edit(ctx, e.who[who], d.ID, d.Version, doc(library.Public, "y")); err == nil {
				t.Errorf("%s edited FR's document", who)
			}
			if err := e.svc.Delete(ctx, e.who[who], d.ID, d.Version); err == nil {
				t.Errorf("%s withdrew FR's document", who)
			}
		}
		if _, err := e.svc.Edit(ctx, e.who["fradmin"], d.ID, d.Version+1, doc(library.Public, "y")); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale edit: %v", err)
		}
		s := e.add(t, "sec", doc(library.Public, "Secretariat paper"))
		if s.Owner != "" {
			t.Errorf("secretariat owner %q", s.Owner)
		}
		// Supersession names a document the editor may read.
		in := doc(library.Public, "Old strategy")
		in.Status, in.SupersededBy = library.Superseded, d.ID
		old := e.add(t, "frpoc", in)
		if old.SupersededBy != d.ID {
			t.Errorf("superseded by %q", old.SupersededBy)
		}
		if err := e.svc.Delete(ctx, e.who["frpoc"], d.ID, d.Version); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Document(ctx, e.who["anon"], old.ID)
		if err != nil || got.SupersededBy != "" {
			t.Errorf("after the successor was withdrawn: %q %v", got.SupersededBy, err)
		}
	})
}

// TestBadInput: every bad field is a field error on both engines, and
// nothing is written.
func TestBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		private := e.add(t, "kepoc", doc(library.Private, "Kenyan draft"))
		big := make([]byte, messaging.DefaultAttachmentLimits().MaxFileBytes+1)
		copy(big, "%PDF-1.4")
		day := func(y int) *time.Time { t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); return &t }
		for name, c := range map[string]struct {
			edit  func(*library.Input)
			field string
		}{
			"NUL in title":        {func(in *library.Input) { in.Title = "a\x00b" }, "title"},
			"invalid UTF-8":       {func(in *library.Input) { in.Summary = "a\xffb" }, "summary"},
			"hidden formatting":   {func(in *library.Input) { in.Title = "exe\u202e.pdf" }, "title"},
			"no title":            {func(in *library.Input) { in.Title = " " }, "title"},
			"bad type":            {func(in *library.Input) { in.Type = "poem" }, "type"},
			"bad language":        {func(in *library.Input) { in.Language = "english" }, "language"},
			"date out of range":   {func(in *library.Input) { in.Date = day(12000) }, "date"},
			"bad status":          {func(in *library.Input) { in.Status = "lost" }, "status"},
			"unknown provision":   {func(in *library.Input) { in.Provisions = []string{"norm-zz"} }, "provisions"},
			"NUL in provision":    {func(in *library.Input) { in.Provisions = []string{"norm-h\x00"} }, "provisions"},
			"bad visibility":      {func(in *library.Input) { in.Visibility = "secret" }, "visibility"},
			"javascript link":     {func(in *library.Input) { in.Link = "javascript:alert(1)" }, "link"},
			"data link":           {func(in *library.Input) { in.Link = "data:text/html,<b>x</b>" }, "link"},
			"relative link":       {func(in *library.Input) { in.Link = "/library" }, "link"},
			"link with user":      {func(in *library.Input) { in.Link = "https://user:pw@example.org/" }, "link"},
			"no file nor link":    {func(in *library.Input) { in.Link = "" }, "attachments"},
			"superseded by none":  {func(in *library.Input) { in.Status = library.Superseded }, "superseded_by"},
			"superseded, unseen":  {func(in *library.Input) { in.Status, in.SupersededBy = library.Superseded, private.ID }, "superseded_by"},
			"long topic":          {func(in *library.Input) { in.Topics = []string{strings.Repeat("x", 61)} }, "topics"},
			"file and link":       {func(in *library.Input) { in.File = &messaging.Upload{Name: "a.txt", Content: strings.NewReader("x")} }, "link"},
			"huge file":           {func(in *library.Input) { *in = withPDF(*in, big) }, "attachments"},
			"program":             {func(in *library.Input) { *in = withPDF(*in, []byte("MZ\x90\x00program")) }, "attachments"},
			"empty file":          {func(in *library.Input) { *in = withPDF(*in, nil) }, "attachments"},
			"program by its name": {func(in *library.Input) { *in = withPDF(*in, []byte("text")); in.File.Name = "run.exe" }, "attachments"},
		} {
			in := doc(library.Public, "Strategy")
			c.edit(&in)
			_, err := e.svc.Add(ctx, e.who["frpoc"], in)
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: %v (fields %v)", name, err, errs.FieldsOf(err))
			}
		}
		if got := e.search(t, "sec", "strategy"); len(got) != 0 {
			t.Errorf("refused documents were written: %v", got)
		}
		for _, q := range []string{"a\x00b", "\xff", strings.Repeat("x", 300)} {
			if _, err := e.svc.List(ctx, e.who["sec"], library.Filter{Query: q}, page.Request{}); !errs.Is(err, errs.Invalid) {
				t.Errorf("query %q: %v", q, err)
			}
		}
		for _, f := range []library.Filter{{State: "XX"}, {Type: "poem"}, {Provision: "norm-zz"}} {
			if _, err := e.svc.List(ctx, e.who["sec"], f, page.Request{}); !errs.Is(err, errs.Invalid) {
				t.Errorf("filter %+v: %v", f, err)
			}
		}
		// Query syntax of either engine typed in the box is only words.
		for _, q := range []string{`"`, `a OR b*`, `x:* & !y`, `NEAR(a b)`, `'`} {
			if _, err := e.svc.List(ctx, e.who["sec"], library.Filter{Query: q}, page.Request{}); err != nil {
				t.Errorf("query %q: %v", q, err)
			}
		}
	})
}

// TestFilesAndPages: plain text and HTML are searchable too, filters
// narrow, pages follow one another, and the profile's counts are per
// provision for what the viewer may read.
func TestFilesAndPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		txt := doc(library.Public, "Plain")
		txt.Link, txt.File = "", &messaging.Upload{Name: "law.txt", Content: strings.NewReader("Article 1: the quokkanese clause.")}
		a := e.add(t, "frpoc", txt)
		page1 := doc(library.Public, "Page")
		page1.Type, page1.Provisions = library.Law, []string{"norm-h"}
		page1.Link, page1.File = "", &messaging.Upload{Name: "law.html", Content: strings.NewReader("<html><head><script>var hiddenscriptword;</script></head><body><p>The wombatic provision</p></body></html>")}
		b := e.add(t, "frpoc", page1)
		if got := e.search(t, "anon", "quokkanese"); !slices.Equal(got, []string{a.ID}) {
			t.Errorf("text: %v", got)
		}
		if got := e.search(t, "anon", "wombatic"); !slices.Equal(got, []string{b.ID}) {
			t.Errorf("html: %v", got)
		}
		if got := e.search(t, "anon", "hiddenscriptword"); len(got) != 0 {
			t.Errorf("script text indexed: %v", got)
		}
		_, content, err := e.svc.File(ctx, e.who["anon"], a.ID)
		if err != nil || string(content) != "Article 1: the quokkanese clause." {
			t.Errorf("file: %q %v", content, err)
		}
		e.add(t, "kepoc", doc(library.Private, "Kenyan"))
		p, err := e.svc.List(ctx, e.who["anon"], library.Filter{Type: library.Law}, page.Request{})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != b.ID {
			t.Errorf("by type: %v %v", p.Items, err)
		}
		p, err = e.svc.List(ctx, e.who["anon"], library.Filter{Provision: "cbm-5"}, page.Request{})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != a.ID {
			t.Errorf("by provision: %v %v", p.Items, err)
		}
		var seen []string
		req := page.Request{Limit: 1}
		for {
			p, err := e.svc.List(ctx, e.who["sec"], library.Filter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range p.Items {
				seen = append(seen, d.ID)
			}
			if p.Next == "" {
				break
			}
			if req.After, err = page.Decode(p.Next); err != nil {
				t.Fatal(err)
			}
		}
		if len(seen) != 3 || seen[2] != a.ID {
			t.Errorf("paged: %v", seen)
		}
		counts, err := e.svc.PerProvision(ctx, e.who["anon"], "FR")
		if err != nil || counts["norm-h"] != 2 || counts["cbm-5"] != 1 {
			t.Errorf("FR per provision: %v %v", counts, err)
		}
		for who, want := range map[string]int{"frpoc": 0, "anon": 0, "kepoc": 1, "sec": 1} {
			counts, err := e.svc.PerProvision(ctx, e.who[who], "KE")
			if err != nil || counts["norm-h"] != want {
				t.Errorf("KE per provision for %s: %v %v", who, counts, err)
			}
		}
		newest, err := e.svc.Newest(ctx, e.who["anon"], "KE", 10)
		if err != nil || len(newest) != 0 {
			t.Errorf("KE's newest for the public: %v %v", newest, err)
		}
	})
}

// TestListStatements holds the cost of a page of the list, searched or
// not, fixed as documents grow.
func TestListStatements(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			cost := func(f library.Filter, want int) int64 {
				before := n.Load()
				p, err := e.svc.List(ctx, e.who["frpoc"], f, page.Request{Limit: 50})
				if err != nil || len(p.Items) != want {
					t.Fatalf("%d listed, want %d: %v", len(p.Items), want, err)
				}
				if _, err := e.svc.PerProvision(ctx, e.who["frpoc"], "KE"); err != nil {
					t.Fatal(err)
				}
				return n.Load() - before
			}
			add := func(k int) {
				for range k {
					e.add(t, "kepoc", doc(library.Participants, "Kenyan strategy"))
				}
			}
			add(3)
			few, fewSearch := cost(library.Filter{}, 3), cost(library.Filter{Query: "kenyan", Provision: "norm-h"}, 3)
			add(20)
			if many := cost(library.Filter{}, 23); many != few {
				t.Errorf("list: %d statements for 3 documents, %d for 23", few, many)
			}
			if many := cost(library.Filter{Query: "kenyan", Provision: "norm-h"}, 23); many != fewSearch {
				t.Errorf("search: %d statements for 3 documents, %d for 23", fewSearch, many)
			}
		})
	}
}
