package capacity_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// env: FR, KE and DE participate, NZ does not. Each has the accounts its
// key names; sec is the secretariat and anon the public.
type env struct {
	db    *store.DB
	svc   *capacity.Service
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
		{"keadmin", actor.StateAdmin, "KE"}, {"kepoc", actor.POC, "KE"}, {"keviewer", actor.Viewer, "KE"}, {"depoc", actor.POC, "DE"}, {"nzadmin", actor.StateAdmin, "NZ"},
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
	e.svc = capacity.New(db, log, c, cat, directory.NewSystem(dir))
	return e
}

func keNeed(vis capacity.Visibility) capacity.NeedInput {
	return capacity.NeedInput{Title: "Setting up a national CERT", Description: "Our CIRT needs help with incident handling procedures.",
		Topics: []capacity.Topic{capacity.IncidentResponse, capacity.TechnicalTraining}, Provisions: []string{"norm-h", "cbm-5"},
		Languages: []string{"en", "sw"}, Region: states.African, Visibility: vis, SourceReport: "KE national survey 2027", SourceProvision: "norm-h"}
}

func frOffer(vis capacity.Visibility) capacity.OfferInput {
	return capacity.OfferInput{Kind: capacity.Training, Title: "Incident handling course", Description: "Five days for CERT staff.",
		Topics: []capacity.Topic{capacity.IncidentResponse}, Provisions: []string{"norm-h"}, Languages: []string{"fr", "en-GB"},
		Regions: []string{states.African}, Capacity: "20 participants", Visibility: vis}
}

func (e *env) need(t *testing.T, who string, in capacity.NeedInput) capacity.Need {
	t.Helper()
	n, err := e.svc.CreateNeed(context.Background(), e.who[who], in)
	if err != nil {
		t.Fatalf("need as %s: %v", who, err)
	}
	e.clock.Advance(time.Minute)
	return n
}

func (e *env) offer(t *testing.T, who string, in capacity.OfferInput) capacity.Offer {
	t.Helper()
	o, err := e.svc.CreateOffer(context.Background(), e.who[who], in)
	if err != nil {
		t.Fatalf("offer as %s: %v", who, err)
	}
	e.clock.Advance(time.Minute)
	return o
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// TestSuggestionToTheTwoSidesThenPublished: a need and an offer on the same
// provision and language are suggested to their two owners only; a
// partnership proposed, accepted and published by both is then on the
// public list, and never before.
func TestSuggestionToTheTwoSidesThenPublished(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		n := e.need(t, "kepoc", keNeed(capacity.Participants))
		o := e.offer(t, "fradmin", frOffer(capacity.Participants))
		// Nothing in common with either: no suggestion.
		other := e.offer(t, "depoc", capacity.OfferInput{Kind: capacity.Funding, Title: "Awareness grants", Description: "Grants.",
			Topics: []capacity.Topic{capacity.Awareness}, Languages: []string{"de"}, Visibility: capacity.Participants})

		got, err := e.svc.NeedSuggestions(ctx, e.who["keviewer"], n.ID)
		if err != nil || len(got) != 1 || got[0].Offer.ID != o.ID {
			t.Fatalf("KE's suggestions: %+v %v", got, err)
		}
		if sh := got[0].Shared; !slices.Equal(sh.Provisions, []string{"norm-h"}) || !slices.Equal(sh.Languages, []string{"en"}) ||
			!slices.Equal(sh.Topics, []capacity.Topic{capacity.IncidentResponse}) {
			t.Errorf("shared: %+v", sh)
		}
		got, err = e.svc.OfferSuggestions(ctx, e.who["frpoc"], o.ID)
		if err != nil || len(got) != 1 || got[0].Need.ID != n.ID {
			t.Fatalf("FR's suggestions: %+v %v", got, err)
		}
		if got, err := e.svc.OfferSuggestions(ctx, e.who["depoc"], other.ID); err != nil || len(got) != 0 {
			t.Errorf("DE's offer shares nothing, yet: %+v %v", got, err)
		}
		// Suggestions are the sides' own: a third State, the secretariat
		// and the public get nothing.
		for _, who := range []string{"depoc", "sec"} {
			_, err := e.svc.NeedSuggestions(ctx, e.who[who], n.ID)
			wantCode(t, who+" reads KE's suggestions", err, errs.Forbidden)
			_, err = e.svc.OfferSuggestions(ctx, e.who[who], o.ID)
			wantCode(t, who+" reads FR's suggestions", err, errs.Forbidden)
		}
		for _, who := range []string{"anon", "nzadmin"} {
			_, err := e.svc.NeedSuggestions(ctx, e.who[who], n.ID)
			wantCode(t, who+" reads KE's suggestions", err, errs.NotFound)
		}
		// DE may not propose between others' items.
		_, err = e.svc.Propose(ctx, e.who["depoc"], n.ID, o.ID, "")
		wantCode(t, "DE proposes", err, errs.Forbidden)
		_, err = e.svc.Propose(ctx, e.who["keviewer"], n.ID, o.ID, "")
		wantCode(t, "KE's viewer proposes", err, errs.Forbidden)
		_, err = e.svc.Propose(ctx, e.who["kepoc"], n.ID, other.ID, "")
		wantCode(t, "KE proposes what was not suggested", err, errs.Conflict)

		p, err := e.svc.Propose(ctx, e.who["kepoc"], n.ID, o.ID, "Could the course start in May?")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Propose(ctx, e.who["frpoc"], n.ID, o.ID, "")
		wantCode(t, "proposed twice", err, errs.Conflict)
		hidden := func(stage string) {
			t.Helper()
			for _, who := range []string{"anon", "sec", "depoc", "nzadmin"} {
				_, err := e.svc.Partnership(ctx, e.who[who], p.ID)
				wantCode(t, stage+": "+who+" reads the partnership", err, errs.NotFound)
				mine, err := e.svc.Mine(ctx, e.who[who], page.First())
				if who != "anon" && (err != nil || len(mine.Items) != 0) {
					t.Errorf("%s: %s's partnerships: %+v %v", stage, who, mine.Items, err)
				}
			}
			pub, err := e.svc.Published(ctx, e.who["anon"], page.First())
			if err != nil || len(pub.Items) != 0 {
				t.Errorf("%s: published %+v %v", stage, pub.Items, err)
			}
			for _, st := range []string{"KE", "FR"} {
				if with, err := e.svc.PublishedWith(ctx, e.who["anon"], st, 10); err != nil || len(with) != 0 {
					t.Errorf("%s: published with %s %+v %v", stage, st, with, err)
				}
			}
		}
		hidden("proposed")
		_, err = e.svc.Accept(ctx, e.who["kepoc"], p.ID, p.Version)
		wantCode(t, "the proposer accepts", err, errs.Forbidden)
		_, err = e.svc.Accept(ctx, e.who["depoc"], p.ID, p.Version)
		wantCode(t, "DE accepts", err, errs.NotFound)
		_, err = e.svc.Accept(ctx, e.who["frpoc"], p.ID, p.Version+1)
		wantCode(t, "stale accept", err, errs.Conflict)
		p, err = e.svc.Accept(ctx, e.who["frpoc"], p.ID, p.Version)
		if err != nil || p.Status != capacity.Agreed {
			t.Fatalf("accept: %+v %v", p, err)
		}
		if n2, err := e.svc.Need(ctx, e.who["kepoc"], n.ID); err != nil || n2.Status != capacity.Partnered || n2.Version != 2 {
			t.Errorf("need after the agreement: %+v %v", n2, err)
		}
		hidden("agreed")
		p, err = e.svc.Publish(ctx, e.who["keadmin"], p.ID, p.Version)
		if err != nil || p.Published() || !p.NeedPublish {
			t.Fatalf("KE's consent: %+v %v", p, err)
		}
		_, err = e.svc.Publish(ctx, e.who["kepoc"], p.ID, p.Version)
		wantCode(t, "KE consents twice", err, errs.Conflict)
		hidden("one side consented")
		p, err = e.svc.Publish(ctx, e.who["frpoc"], p.ID, p.Version)
		if err != nil || !p.Published() {
			t.Fatalf("FR's consent: %+v %v", p, err)
		}
		for _, who := range []string{"anon", "sec", "depoc", "nzadmin"} {
			pub, err := e.svc.Published(ctx, e.who[who], page.First())
			if err != nil || len(pub.Items) != 1 || pub.Items[0].ID != p.ID || pub.Items[0].NeedTitle != n.Title || pub.Items[0].OfferTitle != o.Title {
				t.Errorf("%s: published %+v %v", who, pub.Items, err)
			}
			if _, err := e.svc.Partnership(ctx, e.who[who], p.ID); err != nil {
				t.Errorf("%s reads the published partnership: %v", who, err)
			}
		}
		// Each side's profile lists it; a third State's does not.
		for st, n := range map[string]int{"KE": 1, "FR": 1, "DE": 0} {
			if with, err := e.svc.PublishedWith(ctx, e.who["anon"], st, 10); err != nil || len(with) != n {
				t.Errorf("published with %s: %+v %v, want %d", st, with, err, n)
			}
		}
		// The suggestions still belong to the sides alone.
		_, err = e.svc.NeedSuggestions(ctx, e.who["depoc"], n.ID)
		wantCode(t, "DE reads KE's suggestions after publication", err, errs.Forbidden)
	})
}

// TestDeclinedThenProposedAgain: the other side may decline; either side
// may propose again.
func TestDeclinedThenProposedAgain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		n := e.need(t, "kepoc", keNeed(capacity.Public))
		o := e.offer(t, "frpoc", frOffer(capacity.Public))
		p, err := e.svc.Propose(ctx, e.who["frpoc"], n.ID, o.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Publish(ctx, e.who["frpoc"], p.ID, p.Version)
		wantCode(t, "publish before agreement", err, errs.Conflict)
		p, err = e.svc.Decline(ctx, e.who["keadmin"], p.ID, p.Version)
		if err != nil || p.Status != capacity.Declined {
			t.Fatalf("decline: %+v %v", p, err)
		}
		_, err = e.svc.Accept(ctx, e.who["keadmin"], p.ID, p.Version)
		wantCode(t, "accept after decline", err, errs.Conflict)
		p, err = e.svc.Propose(ctx, e.who["kepoc"], n.ID, o.ID, "Second try")
		if err != nil || p.Status != capacity.Proposed || p.ProposedBy != capacity.NeedSide {
			t.Fatalf("proposed again: %+v %v", p, err)
		}
		if n2, _ := e.svc.Need(ctx, e.who["kepoc"], n.ID); n2.Status != capacity.Open {
			t.Errorf("a declined partnership moved the need to %s", n2.Status)
		}
	})
}

// TestWhoReadsNeedsAndOffers: private items reach their State and the
// secretariat, and pair only with the secretariat's offers; public ones
// reach anyone; participants' ones every participating State.
func TestWhoReadsNeedsAndOffers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		priv := e.need(t, "kepoc", keNeed(capacity.Private))
		part := e.need(t, "kepoc", keNeed(capacity.Participants))
		pub := e.need(t, "kepoc", keNeed(capacity.Public))
		fro := e.offer(t, "frpoc", frOffer(capacity.Participants))
		seco := e.offer(t, "sec", frOffer(capacity.Public))
		reads := map[string][]string{
			"anon":     {pub.ID},
			"nzadmin":  {pub.ID},
			"sec":      {pub.ID, part.ID, priv.ID},
			"kepoc":    {pub.ID, part.ID, priv.ID},
			"keviewer": {pub.ID, part.ID, priv.ID},
			"frviewer": {pub.ID, part.ID},
			"depoc":    {pub.ID, part.ID},
		}
		for who, want := range reads {
			got, err := e.svc.Needs(ctx, e.who[who], capacity.Filter{}, page.First())
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, n := range got.Items {
				ids = append(ids, n.ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("%s lists %v, want %v", who, ids, want)
			}
			for _, n := range []capacity.Need{priv, part, pub} {
				_, err := e.svc.Need(ctx, e.who[who], n.ID)
				if slices.Contains(want, n.ID) != (err == nil) {
					t.Errorf("%s reads %s need: %v", who, n.Visibility, err)
				}
			}
		}
		offers, err := e.svc.Offers(ctx, e.who["anon"], capacity.Filter{}, page.First())
		if err != nil || len(offers.Items) != 1 || offers.Items[0].ID != seco.ID {
			t.Errorf("the public's offers: %+v %v", offers.Items, err)
		}
		// The private need pairs with the secretariat's offer only; the
		// others with both.
		for _, c := range []struct {
			need capacity.Need
			want []string
		}{{priv, []string{seco.ID}}, {part, []string{fro.ID, seco.ID}}, {pub, []string{fro.ID, seco.ID}}} {
			sg, err := e.svc.NeedSuggestions(ctx, e.who["kepoc"], c.need.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range sg {
				ids = append(ids, s.Offer.ID)
			}
			slices.Sort(ids)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("%s need's suggestions %v, want %v", c.need.Visibility, ids, want)
			}
		}
		sg, err := e.svc.OfferSuggestions(ctx, e.who["frpoc"], fro.ID)
		if err != nil || len(sg) != 2 {
			t.Errorf("FR's offer is suggested %d needs, want the two it may read: %v", len(sg), err)
		}
		// Making the need private later drops FR's suggestion with it.
		in := keNeed(capacity.Private)
		if _, err := e.svc.EditNeed(ctx, e.who["kepoc"], part.ID, part.Version, in); err != nil {
			t.Fatal(err)
		}
		if sg, _ := e.svc.OfferSuggestions(ctx, e.who["frpoc"], fro.ID); len(sg) != 1 || sg[0].Need.ID != pub.ID {
			t.Errorf("after the need became private FR is suggested %+v", sg)
		}
		_, err = e.svc.EditNeed(ctx, e.who["kepoc"], part.ID, part.Version, in)
		wantCode(t, "stale edit", err, errs.Conflict)
		_, err = e.svc.EditNeed(ctx, e.who["frpoc"], pub.ID, pub.Version, in)
		wantCode(t, "FR edits KE's need", err, errs.Forbidden)
		_, err = e.svc.EditNeed(ctx, e.who["frpoc"], priv.ID, priv.Version, in)
		wantCode(t, "FR edits KE's private need", err, errs.NotFound)
	})
}

// TestWhoPosts: participating States' administrators and POCs post needs
// and offers; the secretariat offers; viewers, the public and a State that
// does not participate post nothing.
func TestWhoPosts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, c := range []struct {
			who         string
			need, offer errs.Code
		}{
			{"anon", errs.Unauthenticated, errs.Unauthenticated}, {"sec", errs.Forbidden, ""}, {"fradmin", "", ""}, {"frpoc", "", ""},
			{"frviewer", errs.Forbidden, errs.Forbidden}, {"nzadmin", errs.Forbidden, errs.Forbidden},
		} {
			_, err := e.svc.CreateNeed(ctx, e.who[c.who], keNeed(capacity.Public))
			if c.need == "" && err != nil || c.need != "" && !errs.Is(err, c.need) {
				t.Errorf("%s posts a need: %v, want %q", c.who, err, c.need)
			}
			_, err = e.svc.CreateOffer(ctx, e.who[c.who], frOffer(capacity.Public))
			if c.offer == "" && err != nil || c.offer != "" && !errs.Is(err, c.offer) {
				t.Errorf("%s posts an offer: %v, want %q", c.who, err, c.offer)
			}
		}
	})
}

// TestBadInputWritesNothing: every field's problem is reported at once,
// and nothing is stored, on both engines.
func TestBadInputWritesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		early := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
		later := time.Date(2030, 4, 1, 0, 0, 0, 0, time.UTC)
		long := make([]string, 30)
		for k := range long {
			long[k] = "norm-h"
		}
		needs := []struct {
			name   string
			edit   func(*capacity.NeedInput)
			fields []string
		}{
			{"NUL in the title", func(in *capacity.NeedInput) { in.Title = "CERT\x00" }, []string{"title"}},
			{"invalid UTF-8 in the description", func(in *capacity.NeedInput) { in.Description = "help \xff" }, []string{"description"}},
			{"hidden formatting in the title", func(in *capacity.NeedInput) { in.Title = "CERT\u202egnp" }, []string{"title"}},
			{"nothing", func(in *capacity.NeedInput) { *in = capacity.NeedInput{} },
				[]string{"title", "description", "topics", "languages", "region", "visibility"}},
			{"unknown codes", func(in *capacity.NeedInput) {
				in.Topics, in.Provisions, in.Languages, in.Region, in.Status, in.SourceProvision = []capacity.Topic{"hacking"}, []string{"norm-z"}, []string{"english!"}, "Europe", "done", "cbm-99"
			}, []string{"topics", "provisions", "languages", "region", "status", "source_provision"}},
			{"too many provisions", func(in *capacity.NeedInput) { in.Provisions = long }, []string{"provisions"}},
			{"NUL in a provision", func(in *capacity.NeedInput) { in.Provisions = []string{"norm\x00h"} }, []string{"provisions"}},
		}
		offers := []struct {
			name   string
			edit   func(*capacity.OfferInput)
			fields []string
		}{
			{"a date out of range", func(in *capacity.OfferInput) { in.Until = &far }, []string{"until"}},
			{"an end before the start", func(in *capacity.OfferInput) { in.From, in.Until = &early, &later }, []string{"until"}},
			{"unknown kind and region", func(in *capacity.OfferInput) { in.Kind, in.Regions = "loan", []string{"Mars"} }, []string{"kind", "regions"}},
			{"NUL in the capacity", func(in *capacity.OfferInput) { in.Capacity = "20\x00" }, []string{"capacity"}},
		}
		count := func() [4]int {
			var c [4]int
			for k, table := range []string{"capacity_needs", "capacity_offers", "capacity_tags", "audit_log"} {
				if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&c[k]); err != nil {
					t.Fatal(err)
				}
			}
			return c
		}
		check := func(name string, err error, fields []string, before [4]int) {
			t.Helper()
			got := errs.FieldsOf(err)
			for _, f := range fields {
				if got[f] == "" {
					t.Errorf("%s: no error for %s in %v", name, f, err)
				}
			}
			if len(got) != len(fields) {
				t.Errorf("%s: errors %v, want for %v", name, got, fields)
			}
			if after := count(); after != before {
				t.Errorf("%s wrote: %v → %v", name, before, after)
			}
		}
		for _, c := range needs {
			in := keNeed(capacity.Public)
			c.edit(&in)
			before := count()
			_, err := e.svc.CreateNeed(ctx, e.who["kepoc"], in)
			check(c.name, err, c.fields, before)
		}
		for _, c := range offers {
			in := frOffer(capacity.Public)
			c.edit(&in)
			before := count()
			_, err := e.svc.CreateOffer(ctx, e.who["frpoc"], in)
			check(c.name, err, c.fields, before)
		}
		for _, f := range []capacity.Filter{{Topic: "x"}, {Provision: "norm\x00"}, {Language: "\xff"}, {Region: "Mars"}, {State: "XX"}} {
			_, err := e.svc.Needs(ctx, e.who["kepoc"], f, page.First())
			wantCode(t, "bad filter", err, errs.Invalid)
		}
		_, err := e.svc.Needs(ctx, e.who["kepoc"], capacity.Filter{}, page.Request{Limit: 5, After: []string{"x"}})
		wantCode(t, "damaged cursor", err, errs.Invalid)
	})
}

// TestListsFilterAndPage: the filters pick by topic, provision, language
// (by primary subtag) and region, and pages by key cover every item once.
func TestListsFilterAndPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.need(t, "kepoc", keNeed(capacity.Public))
		in := keNeed(capacity.Public)
		in.Topics, in.Provisions, in.Languages, in.Region = []capacity.Topic{capacity.InternationalLaw, capacity.IncidentResponse}, []string{"law-28f"}, []string{"fr-CA"}, states.WesternEurope
		b := e.need(t, "frpoc", in)
		o := e.offer(t, "sec", frOffer(capacity.Public)) // serves Africa only
		every := frOffer(capacity.Public)
		every.Regions = nil
		o2 := e.offer(t, "depoc", every)
		for _, c := range []struct {
			f    capacity.Filter
			want []string
		}{
			{capacity.Filter{}, []string{b.ID, a.ID}},
			{capacity.Filter{Topic: capacity.InternationalLaw}, []string{b.ID}},
			{capacity.Filter{Provision: "norm-h"}, []string{a.ID}},
			{capacity.Filter{Language: "fr"}, []string{b.ID}},
			{capacity.Filter{Language: "sw"}, []string{a.ID}},
			{capacity.Filter{Region: states.African}, []string{a.ID}},
			{capacity.Filter{State: "fr"}, []string{b.ID}},
			{capacity.Filter{Topic: capacity.InternationalLaw, Region: states.African}, nil},
		} {
			got, err := e.svc.Needs(ctx, e.who["anon"], c.f, page.First())
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, n := range got.Items {
				ids = append(ids, n.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("%+v: %v, want %v", c.f, ids, c.want)
			}
		}
		for _, c := range []struct {
			f    capacity.Filter
			want []string
		}{
			{capacity.Filter{Region: states.WesternEurope}, []string{o2.ID}},
			{capacity.Filter{Region: states.African}, []string{o2.ID, o.ID}},
			{capacity.Filter{State: capacity.SecretariatFilter}, []string{o.ID}},
			{capacity.Filter{Language: "en"}, []string{o2.ID, o.ID}},
		} {
			got, err := e.svc.Offers(ctx, e.who["anon"], c.f, page.First())
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, x := range got.Items {
				ids = append(ids, x.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("offers %+v: %v, want %v", c.f, ids, c.want)
			}
		}
		// FR's need in Western Europe meets DE's offer for every group, not
		// the secretariat's for Africa.
		sg, err := e.svc.NeedSuggestions(ctx, e.who["frpoc"], b.ID)
		if err != nil || len(sg) != 1 || sg[0].Offer.ID != o2.ID {
			t.Errorf("FR's suggestions: %+v %v", sg, err)
		}
		var seen []string
		req := page.Request{Limit: 1}
		for range 5 {
			p, err := e.svc.Needs(ctx, e.who["anon"], capacity.Filter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Items {
				seen = append(seen, n.ID)
			}
			if p.Next == "" {
				break
			}
			after, err := page.Decode(p.Next)
			if err != nil {
				t.Fatal(err)
			}
			req.After = after
		}
		if !slices.Equal(seen, []string{b.ID, a.ID}) {
			t.Errorf("paged: %v", seen)
		}
	})
}

// TestPageStatements holds the cost of a list page and of an item's
// suggestions fixed: as many statements for 3 needs and offers as for 20.
func TestPageStatements(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			var first capacity.Offer
			cost := func(want int) int64 {
				before := n.Load()
				p, err := e.svc.Needs(ctx, e.who["frpoc"], capacity.Filter{Topic: capacity.IncidentResponse, Language: "en"}, page.Request{Limit: 50})
				if err != nil || len(p.Items) != want {
					t.Fatalf("%d needs listed, want %d: %v", len(p.Items), want, err)
				}
				sg, err := e.svc.OfferSuggestions(ctx, e.who["frpoc"], first.ID)
				if err != nil || len(sg) != want {
					t.Fatalf("%d suggestions, want %d: %v", len(sg), want, err)
				}
				return n.Load() - before
			}
			first = e.offer(t, "frpoc", frOffer(capacity.Participants))
			add := func(k int) {
				for range k {
					n := e.need(t, "kepoc", keNeed(capacity.Participants))
					if _, err := e.svc.Propose(ctx, e.who["frpoc"], n.ID, first.ID, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			add(3)
			few := cost(3)
			add(17)
			if many := cost(20); many != few {
				t.Errorf("%d statements for 20 needs, %d for 3", many, few)
			}
		})
	}
}
