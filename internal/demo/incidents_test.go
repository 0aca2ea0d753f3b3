package demo

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestDemoIncidents seeds the whole demo on every engine and reads its
// incidents as the demo's people would: each sees only what its label
// allows, the contested assessments keep likelihood and confidence
// apart, and the statuses, labels and findings cover their range.
func TestDemoIncidents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg, err := config.Parse("test", nil, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Database = storetest.DSN(t, db.Engine)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
			return app.Open(ctx, cfg, log, app.Options{Clock: c, Mail: m, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}})
		}
		now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
		res, err := Seed(ctx, open, now, "demo-password-for-tests")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Logins) == 0 {
			t.Fatal("no logins")
		}
		a, err := open(clock.NewFixed(now), &Outbox{refuse: map[string]bool{}})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		who := func(email string) actor.Actor {
			t.Helper()
			var x actor.Actor
			var role string
			if err := a.DB.R.QueryRowContext(ctx, `SELECT id, role, COALESCE(state_code, '') FROM accounts WHERE email = $1`, email).Scan(&x.AccountID, &role, &x.State); err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			x.Email, x.Role = email, actor.Role(role)
			return x
		}
		titles := func(viewer actor.Actor) []string {
			t.Helper()
			p, err := a.Incidents.List(ctx, viewer, incident.Filter{}, page.Request{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, i := range p.Items {
				out = append(out, i.Title)
			}
			slices.Sort(out)
			return out
		}
		const (
			hospital = "Ransomware at a regional hospital network"
			ddos     = "DDoS on the revenue authority's filing portal"
			election = "Intrusion into the electoral commission's network"
			deface   = "Defacement of municipal websites"
		)
		for _, c := range []struct {
			email string
			want  []string
		}{
			{"secretariat@un.demo.invalid", []string{deface}},
			{"cert.duty@br.demo.invalid", []string{ddos, deface, hospital}},
			{"analyst@br.demo.invalid", []string{ddos, deface, hospital}},
			{"cert.duty@jp.demo.invalid", []string{ddos, deface, election, hospital}},
			// Japan's other accounts are not named on the RED record.
			{"focal.point@jp.demo.invalid", []string{ddos, deface, election}},
			{"cert.duty@ke.demo.invalid", []string{ddos, deface, election}},
			{"analyst@fr.demo.invalid", []string{ddos, deface, election}},
		} {
			if got := titles(who(c.email)); !slices.Equal(got, c.want) {
				t.Errorf("%s reads %q, want %q", c.email, got, c.want)
			}
		}

		fr := who("analyst@fr.demo.invalid")
		p, err := a.Incidents.List(ctx, fr, incident.Filter{}, page.Request{})
		if err != nil {
			t.Fatal(err)
		}
		statuses, labels := map[incident.Status]bool{}, map[string]bool{}
		var electionID, ddosID string
		for _, i := range p.Items {
			statuses[i.Status] = true
			labels[i.TLP.String()] = true
			switch i.Title {
			case election:
				electionID = i.ID
				if !slices.Equal(i.Recipients, []string{"JP", "KE"}) {
					t.Errorf("election shared with %v", i.Recipients)
				}
			case ddos:
				ddosID = i.ID
			}
		}
		labels["TLP:RED"] = true // the hospital record, which France does not read
		for _, l := range []string{"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER"} {
			if !labels[l] {
				t.Errorf("no demo incident at %s", l)
			}
		}

		xs, err := a.Incidents.Attributions(ctx, fr, electionID)
		if err != nil {
			t.Fatal(err)
		}
		if len(xs) != 2 || xs[0].AssertedByState != "FR" || !strings.Contains(xs[1].AssertedByOrg, "fictitious") ||
			xs[0].Likelihood == xs[1].Likelihood || xs[0].Confidence == xs[1].Confidence {
			t.Errorf("the election's contested assessments: %+v", xs)
		}
		for _, x := range xs {
			for _, e := range x.Evidence {
				if e.Reliability == "" || e.Credibility < 1 {
					t.Errorf("ungraded evidence %+v", e)
				}
			}
		}
		xs, err = a.Incidents.Attributions(ctx, fr, ddosID)
		if err != nil {
			t.Fatal(err)
		}
		var originOnly bool
		for _, x := range xs {
			if x.OriginTerritoryOnly && slices.Equal(x.Cites(), []string{incident.LawOriginNotAttribution}) && x.AttributedState == "BR" {
				originOnly = true
			}
		}
		if !originOnly {
			t.Errorf("the DDoS has no assessment resting on origin only: %+v", xs)
		}

		outcomes := map[incident.Outcome]bool{}
		for _, id := range []string{electionID, ddosID} {
			fs, err := a.Incidents.Findings(ctx, fr, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.Engaged && f.Rationale == "" {
					t.Errorf("finding on %s without a rationale", f.Provision)
				}
				outcomes[f.Outcome] = true
			}
		}
		for _, o := range incident.Outcomes() {
			if !outcomes[o] {
				t.Errorf("no demo finding is %s", o)
			}
		}

		jp := who("cert.duty@jp.demo.invalid")
		hp, err := a.Incidents.List(ctx, jp, incident.Filter{Sector: "health"}, page.Request{})
		if err != nil || len(hp.Items) != 1 {
			t.Fatalf("Japan's duty officer, health: %v %v", hp.Items, err)
		}
		h, err := a.Incidents.Incident(ctx, jp, hp.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if h.TLP.String() != "TLP:RED" || h.ReportingState != "BR" || len(h.Messages) != 1 || h.Status != incident.Assessed {
			t.Errorf("the hospital incident, opened from Brazil's request: %+v", h)
		}
		statuses[h.Status] = true
		for _, s := range incident.Statuses() {
			if !statuses[s] {
				t.Errorf("no demo incident is %s", s)
			}
		}
		counts, err := a.Incidents.Counts(ctx, who("secretariat@un.demo.invalid"))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range counts.BySector {
			if n.Key != "government" && n.N != 0 {
				t.Errorf("the secretariat is counted %d in %s", n.N, n.Key)
			}
		}
	})
}
