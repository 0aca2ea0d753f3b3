package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/profile"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/survey"
)

// TestProfileShowsPublicReports: a report published for participants is
// on KE's profile for FR and not for the public; once public, for both,
// with the provisions it records measures under, and counted.
func TestProfileShowsPublicReports(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
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
		for _, st := range []string{"FR", "KE"} {
			if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
				t.Fatal(err)
			}
		}
		cat, err := catalog.New()
		if err != nil {
			t.Fatal(err)
		}
		svc := survey.New(db, log, c, cat, directory.NewSystem(dir))
		profiles := profile.New(dir, cat, profile.Sources{Reports: profileReports{svc}})
		sec := actor.Actor{AccountID: "sec", Role: actor.Secretariat}
		ke := actor.Actor{AccountID: "ke", Role: actor.StateAdmin, State: "KE"}
		fr := actor.Actor{AccountID: "fr", Role: actor.POC, State: "FR"}
		day := func(m time.Month, d int) *time.Time { t := time.Date(2027, m, d, 0, 0, 0, 0, time.UTC); return &t }
		cy, err := svc.OpenCycle(ctx, sec, survey.CycleInput{Name: "2027", Opens: day(3, 1), Deadline: day(6, 30)})
		if err != nil {
			t.Fatal(err)
		}
		r, err := svc.Start(ctx, ke, cy.ID)
		if err == nil {
			r, err = svc.Save(ctx, ke, r.ID, r.Version, survey.PartNorms, []survey.Answer{{Subject: survey.Subject{Provision: "norm-c"}, Taken: survey.Yes}})
		}
		if err == nil {
			r, err = svc.Submit(ctx, ke, r.ID, r.Version)
		}
		if err == nil {
			r, err = svc.Publish(ctx, ke, r.ID, r.Version, survey.Participants)
		}
		if err != nil {
			t.Fatal(err)
		}
		shows := func(a actor.Actor) bool {
			p, err := profiles.Profile(ctx, a, "KE")
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Reports) == 1 && p.Reports[0].ID == r.ID && len(p.Measures) == 1 && p.Measures[0].ID == "norm-c"
		}
		if !shows(fr) || shows(actor.Anonymous) {
			t.Errorf("for participants: FR sees it %v, the public %v", shows(fr), shows(actor.Anonymous))
		}
		if _, err = svc.Publish(ctx, ke, r.ID, r.Version, survey.Public); err != nil {
			t.Fatal(err)
		}
		if !shows(actor.Anonymous) {
			t.Error("a public report is not on the public profile")
		}
		tally, err := profiles.Counts(ctx, actor.Anonymous)
		if err != nil || tally.Cycle != "2027" {
			t.Fatalf("counts: %+v %v", tally, err)
		}
		i := slices.IndexFunc(tally.Counts, func(c profile.Count) bool { return c.Provision.ID == "norm-c" })
		if i < 0 || tally.Counts[i].States != 1 {
			t.Errorf("norm-c counted %+v", tally.Counts)
		}
	})
}
