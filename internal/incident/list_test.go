package incident_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

func rowCount(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBadInputWritesNothing: text no database stores, hidden formatting
// characters, huge numbers and dates out of range are field errors on
// both engines, every field at once, and nothing is written.
func TestBadInputWritesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		cases := []struct {
			name   string
			change func(*incident.Input)
			fields []string
		}{
			{"empty", func(in *incident.Input) { *in = incident.Input{} }, []string{"title", "summary", "occurred_at", "tlp"}},
			{"NUL in the title", func(in *incident.Input) { in.Title = "Wiper\x00" }, []string{"title"}},
			{"NUL in the summary", func(in *incident.Input) { in.Summary = "a\x00b" }, []string{"summary"}},
			{"invalid UTF-8", func(in *incident.Input) { in.Consequences.Scope = "\xff\xfe" }, []string{"scope"}},
			{"right-to-left override in the title", func(in *incident.Input) { in.Title = "Invoice\u202Eexe.pdf" }, []string{"title"}},
			{"zero-width space in a source", func(in *incident.Input) { in.Timeline[0].Source = "CERT\u200B" }, []string{"timeline.0.source"}},
			{"two lines in the title", func(in *incident.Input) { in.Title = "one\ntwo" }, []string{"title"}},
			{"long title", func(in *incident.Input) { in.Title = strings.Repeat("x", 201) }, []string{"title"}},
			{"far future", func(in *incident.Input) { in.OccurredAt = far }, []string{"occurred_at"}},
			{"before 1970", func(in *incident.Input) { in.OccurredAt = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, []string{"occurred_at"}},
			{"event out of range", func(in *incident.Input) { in.Timeline[1].At = far }, []string{"timeline.1.at"}},
			{"event without a date", func(in *incident.Input) { in.Timeline[0].At = time.Time{} }, []string{"timeline.0.at"}},
			{"too many events", func(in *incident.Input) {
				in.Timeline = slices.Repeat([]incident.Event{in.Timeline[0]}, 201)
			}, []string{"timeline"}},
			{"unknown sector", func(in *incident.Input) { in.Sectors = []incident.Sector{"casinos"} }, []string{"sectors"}},
			{"NUL in a sector", func(in *incident.Input) { in.Sectors = []incident.Sector{"energy\x00"} }, []string{"sectors"}},
			{"unknown severity", func(in *incident.Input) { in.Consequences.Severity = "apocalyptic" }, []string{"severity"}},
			{"unknown label", func(in *incident.Input) { in.TLP = "white" }, []string{"tlp"}},
			{"own State as recipient", func(in *incident.Input) { in.Recipients = []string{"FR"} }, []string{"recipients"}},
			{"non-participating recipient", func(in *incident.Input) { in.Recipients = []string{"NZ"} }, []string{"recipients"}},
			{"unknown recipient", func(in *incident.Input) { in.Recipients = []string{"XX"} }, []string{"recipients"}},
			{"NUL recipient", func(in *incident.Input) { in.Recipients = []string{"K\x00"} }, []string{"recipients"}},
			{"named below RED", func(in *incident.Input) { in.Named = []string{"0190a0b0-0000-7000-8000-000000000000"} }, []string{"named"}},
			{"related to nothing", func(in *incident.Input) { in.Context.Related = []string{"0190a0b0-0000-7000-8000-000000000000"} }, []string{"related"}},
			{"related not an id", func(in *incident.Input) { in.Context.Related = []string{"\xff"} }, []string{"related"}},
			{"everything at once", func(in *incident.Input) {
				in.Title, in.Summary, in.OccurredAt, in.TLP, in.Sectors = "\u2066x", "", far, "", []incident.Sector{"x"}
			}, []string{"title", "summary", "occurred_at", "tlp", "sectors"}},
		}
		for _, c := range cases {
			in := e.input(tlp.Amber, "KE")
			c.change(&in)
			_, err := e.svc.Create(ctx, e.who["frpoc"], in)
			fields := errs.FieldsOf(err)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: %v, want invalid", c.name, err)
				continue
			}
			for _, f := range c.fields {
				if fields[f] == "" {
					t.Errorf("%s: no error on %s: %v", c.name, f, fields)
				}
			}
		}
		// An edit refused the same way leaves the incident as it was.
		inc := e.create(t, "frpoc", e.input(tlp.Amber, "KE"))
		bad := e.input(tlp.Amber, "KE")
		bad.Summary = "x\x00"
		if _, err := e.svc.Edit(ctx, e.who["frpoc"], inc.ID, 1, bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad edit: %v", err)
		}
		// Bad assessments.
		good := incident.AttributionInput{Category: incident.ActorState, AttributedState: "DE", Likelihood: incident.Likely,
			Confidence: incident.ConfidenceLow, Basis: []incident.Basis{incident.BasisTechnical},
			Evidence: []incident.Evidence{{Description: "Same loader", Reliability: "A", Credibility: 1}}}
		for _, c := range []struct {
			name   string
			change func(*incident.AttributionInput)
			field  string
		}{
			{"huge credibility", func(x *incident.AttributionInput) { x.Evidence[0].Credibility = math.MaxInt64 }, "evidence.0.credibility"},
			{"negative credibility", func(x *incident.AttributionInput) { x.Evidence[0].Credibility = -1 }, "evidence.0.credibility"},
			{"reliability G", func(x *incident.AttributionInput) { x.Evidence[0].Reliability = "G" }, "evidence.0.reliability"},
			{"NUL in evidence", func(x *incident.AttributionInput) { x.Evidence[0].Description = "\x00" }, "evidence.0.description"},
			{"likelihood merged with confidence", func(x *incident.AttributionInput) { x.Likelihood = "likely, high confidence" }, "likelihood"},
			{"no confidence", func(x *incident.AttributionInput) { x.Confidence = "" }, "confidence"},
			{"no basis", func(x *incident.AttributionInput) { x.Basis = nil }, "basis"},
			{"unknown basis", func(x *incident.AttributionInput) { x.Basis = []incident.Basis{"astrology"} }, "basis"},
			{"unknown category", func(x *incident.AttributionInput) { x.Category = "alien" }, "category"},
			{"unknown State", func(x *incident.AttributionInput) { x.AttributedState = "ZZ" }, "attributed_state"},
			{"unknown spectrum step", func(x *incident.AttributionInput) { x.Spectrum = "state-sponsored" }, "spectrum"},
			{"origin without a State", func(x *incident.AttributionInput) { x.OriginTerritoryOnly, x.AttributedState = true, "" }, "attributed_state"},
			{"hidden character in the organisation", func(x *incident.AttributionInput) { x.ByOrganisation = "Lab\u202E" }, "organisation"},
		} {
			x := good
			x.Evidence = slices.Clone(good.Evidence)
			c.change(&x)
			if _, err := e.svc.AddAttribution(ctx, e.who["frpoc"], inc.ID, x); errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: %v, want a field error on %s", c.name, err, c.field)
			}
		}
		// Bad filters.
		early, late := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), far
		for _, c := range []struct {
			f     incident.Filter
			field string
		}{
			{incident.Filter{Status: "pending"}, "status"},
			{incident.Filter{Sector: "\xff"}, "sector"},
			{incident.Filter{Provision: "norm-q"}, "provision"},
			{incident.Filter{State: "X\x00"}, "state"},
			{incident.Filter{From: &early}, "from"},
			{incident.Filter{To: &late}, "to"},
			{incident.Filter{From: &inc.CreatedAt, To: &inc.CreatedAt}, "to"},
		} {
			if _, err := e.svc.List(ctx, e.who["frpoc"], c.f, page.First()); errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("filter %+v: %v, want a field error on %s", c.f, err, c.field)
			}
		}
		for _, cursor := range [][]string{{"x"}, {"not a time", inc.ID}, {time.Now().Format(time.RFC3339Nano), "not an id"}} {
			if _, err := e.svc.List(ctx, e.who["frpoc"], incident.Filter{}, page.Request{Limit: 5, After: cursor}); errs.FieldsOf(err)["cursor"] == "" {
				t.Errorf("cursor %q: %v", cursor, err)
			}
		}
		for table, want := range map[string]int{"incidents": 1, "incident_versions": 1, "incident_sectors": 2, "incident_recipients": 1, "incident_attributions": 0} {
			if n := rowCount(t, db, table); n != want {
				t.Errorf("%s holds %d rows, want %d", table, n, want)
			}
		}
		if got, _ := e.svc.Incident(ctx, e.who["frpoc"], inc.ID); got.Version != 1 || got.Summary != inc.Summary {
			t.Errorf("the refused edit changed the incident: %+v", got)
		}
	})
}

// TestListFilters: each filter narrows the list to what matches it, and
// pages follow each other without gap or repeat.
func TestListFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		base := e.clock.Now().Add(-30 * 24 * time.Hour)
		var all []incident.Incident
		for k := range 7 {
			in := e.input(tlp.Green)
			in.OccurredAt = base.Add(time.Duration(k) * 24 * time.Hour)
			in.Sectors = []incident.Sector{[]incident.Sector{"health", "finance"}[k%2]}
			who := "frpoc"
			if k%3 == 0 {
				who = "kepoc"
			}
			all = append(all, e.create(t, who, in))
		}
		if _, err := e.svc.SetStatus(ctx, e.who["frpoc"], all[1].ID, 1, incident.Closed); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetFinding(ctx, e.who["kepoc"], all[3].ID, incident.FindingInput{Provision: "norm-b", Engaged: true, Outcome: incident.InsufficientInformation}); err != nil {
			t.Fatal(err)
		}
		newest := func(ks ...int) []string {
			var out []string
			for _, k := range ks {
				out = append(out, all[k].ID)
			}
			return out
		}
		from, to := base.Add(2*24*time.Hour), base.Add(5*24*time.Hour)
		for _, c := range []struct {
			name string
			f    incident.Filter
			want []string
		}{
			{"everything", incident.Filter{}, newest(6, 5, 4, 3, 2, 1, 0)},
			{"closed", incident.Filter{Status: incident.Closed}, newest(1)},
			{"open", incident.Filter{Status: incident.Open}, newest(6, 5, 4, 3, 2, 0)},
			{"health", incident.Filter{Sector: "health"}, newest(6, 4, 2, 0)},
			{"reported by KE", incident.Filter{State: "KE"}, newest(6, 3, 0)},
			{"norm-b engaged", incident.Filter{Provision: "norm-b"}, newest(3)},
			{"days 2 to 4", incident.Filter{From: &from, To: &to}, newest(4, 3, 2)},
			{"finance reported by FR", incident.Filter{Sector: "finance", State: "FR"}, newest(5, 1)},
		} {
			got, err := e.svc.List(ctx, e.who["depoc"], c.f, page.First())
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.Equal(ids(got.Items), c.want) {
				t.Errorf("%s: got %d incidents, want %d, or in another order", c.name, len(got.Items), len(c.want))
			}
		}
		var walked []string
		req := page.Request{Limit: 3}
		for range 5 {
			p, err := e.svc.List(ctx, e.who["depoc"], incident.Filter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			walked = append(walked, ids(p.Items)...)
			if p.Next == "" {
				break
			}
			if req.After, err = page.Decode(p.Next); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(walked, newest(6, 5, 4, 3, 2, 1, 0)) {
			t.Errorf("paging walked %d incidents, want 7 in order", len(walked))
		}
		c, err := e.svc.Counts(ctx, e.who["depoc"])
		if err != nil {
			t.Fatal(err)
		}
		if countOf(c.BySector, "health") != 4 || countOf(c.BySector, "finance") != 3 || countOf(c.BySector, "energy") != 0 ||
			len(c.BySector) != len(incident.Sectors()) || !slices.Equal(c.ByProvision, []incident.Count{{Key: "norm-b", N: 1}}) {
			t.Errorf("counts %+v", c)
		}
	})
}

// TestPageCostIsFixed: a page of incidents, with its sectors, sharing and
// counts, costs as many statements for 3 rows as for 30, and so do the
// per-provision list and the chart counts.
func TestPageCostIsFixed(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			cost := func(limit int) [3]int64 {
				var out [3]int64
				before := n.Load()
				p, err := e.svc.List(ctx, e.who["kepoc"], incident.Filter{}, page.Request{Limit: limit})
				if err != nil || len(p.Items) != limit {
					t.Fatalf("list of %d: %d rows, %v", limit, len(p.Items), err)
				}
				out[0] = n.Load() - before
				before = n.Load()
				if p, err = e.svc.ByProvision(ctx, e.who["kepoc"], "norm-g", page.Request{Limit: limit}); err != nil || len(p.Items) != limit {
					t.Fatalf("per provision of %d: %d rows, %v", limit, len(p.Items), err)
				}
				out[1] = n.Load() - before
				before = n.Load()
				if _, err := e.svc.Counts(ctx, e.who["kepoc"]); err != nil {
					t.Fatal(err)
				}
				out[2] = n.Load() - before
				return out
			}
			for k := range 31 {
				in := e.input([]tlp.Label{tlp.Green, tlp.Amber, tlp.Red}[k%3], "KE")
				if k%3 == 2 {
					in.Named = []string{e.who["kepoc"].AccountID}
				}
				inc := e.create(t, "frpoc", in)
				if _, err := e.svc.SetFinding(ctx, e.who["frpoc"], inc.ID, incident.FindingInput{Provision: "norm-g", Engaged: true, Outcome: incident.Consistent}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.svc.AddAttribution(ctx, e.who["kepoc"], inc.ID, incident.AttributionInput{Category: incident.ActorUnknown,
					Likelihood: incident.Unlikely, Confidence: incident.ConfidenceLow, Basis: []incident.Basis{incident.BasisTechnical}}); err != nil {
					t.Fatal(err)
				}
			}
			small, large := cost(3), cost(30)
			if small != large {
				t.Errorf("statements for 3 rows %v, for 30 rows %v", small, large)
			}
		})
	}
}

// TestLinksToCommunications: a communication is linked only by the
// reporting State and only if the linking account may read it; a
// request for assistance opens an incident for the requested State, or
// joins one; linked communications show only to those who may read them.
func TestLinksToCommunications(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		send := func(from string, typ messaging.Type, label tlp.Label, fields map[string]string, to ...string) messaging.Message {
			m, err := e.msg.Send(ctx, e.who[from], messaging.Draft{Type: typ, Recipients: to, Level: messaging.Technical, Urgency: messaging.Urgent,
				TLP: label, Subject: "Hospital networks encrypted", Body: "Ransomware in three hospitals; we ask for help.", Fields: fields})
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			return m
		}
		help := send("kepoc", messaging.AssistanceRequest, tlp.Amber, map[string]string{"sector": "health", "critical_infrastructure": "yes",
			"assistance": "Forensics", "impact": "Three hospitals offline"}, "FR")
		other := send("depoc", messaging.InformationRequest, tlp.Amber, map[string]string{"question": "Seen this?"}, "KE")

		// FR, asked for help, opens an incident from the request.
		inc, err := e.svc.OpenFromMessage(ctx, e.who["frpoc"], help.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if inc.ReportingState != "FR" || inc.TLP != tlp.Amber || !slices.Equal(inc.Recipients, []string{"KE"}) ||
			!slices.Equal(inc.Messages, []string{help.ID}) || inc.Title != help.Subject || inc.Version != 1 ||
			!slices.Equal(inc.Sectors, []incident.Sector{"health"}) {
			t.Fatalf("opened %+v", inc)
		}
		// KE, which asked, opens its own and FR's incident joins nothing of it.
		own := e.create(t, "kepoc", e.input(tlp.Amber, "FR"))
		joined, err := e.svc.OpenFromMessage(ctx, e.who["kepoc2"], help.ID, own.ID)
		if err != nil || !slices.Equal(joined.Messages, []string{help.ID}) {
			t.Fatalf("join: %+v %v", joined.Messages, err)
		}
		if got := auditActions(t, db, inc.ID); !slices.Equal(got, []string{"incident.create"}) {
			t.Errorf("opening from a message audited %v, want one creation", got)
		}
		if _, err := e.svc.OpenFromMessage(ctx, e.who["frpoc"], help.ID, own.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("FR joins KE's incident: %v", err)
		}
		// Only opening communications of an incident open one.
		if _, err := e.svc.OpenFromMessage(ctx, e.who["kepoc"], other.ID, ""); errs.FieldsOf(err)["message"] == "" {
			t.Errorf("an information request opens an incident: %v", err)
		}
		// FR cannot link what it may not read, nor DE link to FR's incident.
		if _, err := e.svc.LinkMessage(ctx, e.who["frpoc"], inc.ID, other.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("FR links DE's message to KE: %v", err)
		}
		if _, err := e.svc.OpenFromMessage(ctx, e.who["frpoc"], other.ID, ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("FR opens from DE's message to KE: %v", err)
		}
		if _, err := e.svc.LinkMessage(ctx, e.who["depoc"], inc.ID, other.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("DE links to FR's AMBER incident: %v", err)
		}
		// KE links DE's request to its incident, now GREEN for everyone:
		// FR reads the incident but not the message, so it is not shown.
		in := e.input(tlp.Green)
		shared, err := e.svc.Edit(ctx, e.who["kepoc"], own.ID, own.Version+1, in)
		if err != nil {
			t.Fatal(err)
		}
		if shared, err = e.svc.LinkMessage(ctx, e.who["kepoc"], own.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shared.Messages, []string{help.ID, other.ID}) {
			t.Errorf("KE sees links %v", shared.Messages)
		}
		again, err := e.svc.LinkMessage(ctx, e.who["kepoc"], own.ID, other.ID)
		if err != nil || again.Version != shared.Version {
			t.Errorf("linking twice made a version: %d → %d, %v", shared.Version, again.Version, err)
		}
		for who, want := range map[string][]string{"frpoc": {help.ID}, "depoc": {other.ID}, "nzpoc": nil} {
			got, err := e.svc.Incident(ctx, e.who[who], own.ID)
			if err != nil || !slices.Equal(got.Messages, want) {
				t.Errorf("%s sees links %v (%v), want %v", who, got.Messages, err, want)
			}
		}
		if got := auditActions(t, db, own.ID); !slices.Equal(got, []string{"incident.create", "incident.link", "incident.edit", "incident.link"}) {
			t.Errorf("audit %v", got)
		}
		// A TLP:RED request names its author to the State that opens an
		// incident from it: only those people read the incident outside it.
		red, err := e.msg.Send(ctx, e.who["kepoc"], messaging.Draft{Type: messaging.AssistanceRequest, Recipients: []string{"FR"}, Level: messaging.Technical,
			Urgency: messaging.Urgent, TLP: tlp.Red, Named: []string{e.who["frpoc"].AccountID}, Subject: "Grid control lost", Body: "Help.",
			Fields: map[string]string{"sector": "energy", "critical_infrastructure": "yes", "assistance": "Forensics", "impact": "Blackout"}})
		if err != nil {
			t.Fatal(err)
		}
		fromRed, err := e.svc.OpenFromMessage(ctx, e.who["frpoc"], red.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if fromRed.TLP != tlp.Red || !slices.Equal(fromRed.Named, []string{e.who["kepoc"].AccountID}) {
			t.Errorf("opened from RED: %s named %v", fromRed.TLP, fromRed.Named)
		}
		for who, may := range map[string]bool{"frviewer": true, "kepoc": true, "kepoc2": false, "keadmin": false, "depoc": false, "sec": false} {
			if _, err := e.svc.Incident(ctx, e.who[who], fromRed.ID); (err == nil) != may {
				t.Errorf("%s reads the incident opened from RED: %v", who, err)
			}
		}
	})
}

// TestRelatedIncidentsShowOnlyWhatTheReaderMayRead: the context names
// other incidents; a reader sees those it may read.
func TestRelatedIncidentsShowOnlyWhatTheReaderMayRead(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		secret := e.create(t, "frpoc", e.input(tlp.Red))
		open := e.create(t, "frpoc", e.input(tlp.Clear))
		in := e.input(tlp.Green)
		in.Context.Related = []string{secret.ID, open.ID, open.ID}
		inc := e.create(t, "frpoc", in)
		if _, err := e.svc.Create(ctx, e.who["kepoc"], in); errs.FieldsOf(err)["related"] == "" {
			t.Errorf("KE relates FR's RED incident: %v", err)
		}
		for who, want := range map[string][]string{"frviewer": {secret.ID, open.ID}, "kepoc": {open.ID}} {
			got, err := e.svc.Incident(ctx, e.who[who], inc.ID)
			if err != nil || !slices.Equal(got.Context.Related, want) {
				t.Errorf("%s sees related %v (%v), want %v", who, got.Context.Related, err, want)
			}
			vs, err := e.svc.Versions(ctx, e.who[who], inc.ID)
			if err != nil || !slices.Equal(vs[0].Incident.Context.Related, want) {
				t.Errorf("%s sees related %v in the versions (%v), want %v", who, fmt.Sprint(vs), err, want)
			}
		}
		// KE relates FR's GREEN incident; FR then marks it RED. KE's later
		// changes, made without seeing it, keep it related.
		fr := e.create(t, "frpoc", e.input(tlp.Green))
		in = e.input(tlp.Clear)
		in.Context.Related = []string{fr.ID}
		ke := e.create(t, "kepoc", in)
		if _, err := e.svc.Edit(ctx, e.who["frpoc"], fr.ID, 1, e.input(tlp.Red)); err != nil {
			t.Fatal(err)
		}
		if ke, _ = e.svc.Incident(ctx, e.who["kepoc"], ke.ID); len(ke.Context.Related) != 0 {
			t.Fatalf("KE still sees the RED incident: %v", ke.Context.Related)
		}
		in.Context.Related, in.Title = nil, "Edited without seeing it"
		if ke, err := e.svc.Edit(ctx, e.who["kepoc"], ke.ID, 1, in); err != nil {
			t.Fatal(err)
		} else if _, err := e.svc.SetStatus(ctx, e.who["kepoc"], ke.ID, ke.Version, incident.Assessed); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.Incident(ctx, e.who["frpoc"], ke.ID); err != nil || !slices.Equal(got.Context.Related, []string{fr.ID}) || got.Version != 3 {
			t.Errorf("FR sees KE's incident related to %v, version %d (%v)", got.Context.Related, got.Version, err)
		}
	})
}

// TestEveryTemplateSectorIsASector: each sector a communication may name
// opens an incident in a sector of the fixed list, but "other".
func TestEveryTemplateSectorIsASector(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	tmpl, err := e.msg.Template(ctx, messaging.AssistanceRequest)
	if err != nil {
		t.Fatal(err)
	}
	var choices []string
	for _, f := range tmpl.Fields {
		if f.Name == "sector" {
			choices = f.Choices
		}
	}
	if len(choices) == 0 {
		t.Fatal("the template has no sector to choose")
	}
	help := map[string]string{"critical_infrastructure": "yes", "assistance": "Forensics", "impact": "Outage"}
	for _, c := range choices {
		help["sector"] = c
		m, err := e.msg.Send(ctx, e.who["kepoc"], messaging.Draft{Type: messaging.AssistanceRequest, Recipients: []string{"FR"}, Level: messaging.Technical,
			Urgency: messaging.Urgent, TLP: tlp.Green, Subject: "Outage in " + c, Body: "Help.", Fields: help})
		if err != nil {
			t.Fatal(err)
		}
		inc, err := e.svc.OpenFromMessage(ctx, e.who["frpoc"], m.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if c == "other" {
			want = 0
		}
		if len(inc.Sectors) != want || (want == 1 && !inc.Sectors[0].Valid()) {
			t.Errorf("%q opens an incident in %v", c, inc.Sectors)
		}
	}
}
