package meeting_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/ical/icaltest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestWhoMayAnswerAndReadTheInvitations asks CanRespond, AllInvitations
// and Calendar as every audience of the secretariat's meeting with FR and
// KE: only accounts linked to an invited entry answer (and only while the
// meeting takes answers), only the organiser's side reads the
// invitations, and the calendar holds the venue for those who may see it.
func TestWhoMayAnswerAndReadTheInvitations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := e.create(t, "sec", e.input("FR", "KE"))
		e.run(t)
		spec := map[string]struct {
			respond, invitations errs.Code // "" for allowed
			private              bool
		}{
			"anon":     {errs.Unauthenticated, errs.Unauthenticated, false},
			"sec":      {errs.Forbidden, "", true},
			"fradmin":  {errs.Forbidden, errs.Forbidden, false},
			"frpoc":    {"", errs.Forbidden, true},
			"frviewer": {errs.Forbidden, errs.Forbidden, false},
			"keadmin":  {errs.Forbidden, errs.Forbidden, false},
			"kepoc":    {"", errs.Forbidden, true},
			"kepoc2":   {errs.Forbidden, errs.Forbidden, false},
			"deadmin":  {errs.NotFound, errs.NotFound, false},
			"depoc":    {errs.NotFound, errs.NotFound, false},
			"nzpoc":    {errs.NotFound, errs.NotFound, false},
		}
		for _, who := range everyone {
			want := spec[who]
			a := e.who[who]
			seen, err := e.svc.Meeting(ctx, a, m.ID)
			if err != nil {
				seen = m // what a page could not have shown; CanRespond must still refuse
			}
			if got := errs.CodeOf(e.svc.CanRespond(ctx, a, seen)); got != want.respond {
				t.Errorf("%s: CanRespond %q, want %q", who, got, want.respond)
			}
			invs, err := e.svc.AllInvitations(ctx, a, m.ID)
			if got := errs.CodeOf(err); got != want.invitations {
				t.Errorf("%s: AllInvitations %v, want %q", who, err, want.invitations)
			}
			if err == nil {
				var states []string
				for _, i := range invs {
					states = append(states, i.State)
				}
				if !slices.Contains(states, "FR") || !slices.Contains(states, "KE") {
					t.Errorf("%s: the organiser's invitations are of %v", who, states)
				}
			}
			cal, err := e.svc.Calendar(ctx, a, m.ID)
			if want.respond == errs.NotFound || want.respond == errs.Unauthenticated {
				if err == nil || bytes.Contains(cal, []byte("Palais")) {
					t.Errorf("%s: calendar of a meeting not seen: %v", who, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: calendar: %v", who, err)
			}
			if _, err := icaltest.Read(cal); err != nil {
				t.Errorf("%s: the strict reader refuses the calendar: %v", who, err)
			}
			if got := bytes.Contains(cal, []byte("Palais des Nations")) || bytes.Contains(cal, []byte("video.test.invalid")); got != want.private {
				t.Errorf("%s: venue in the calendar %v, want %v", who, got, want.private)
			}
		}
		// A read-only actor of a linked account does not answer; nor does
		// anyone once the meeting is cancelled or over.
		ro := e.who["kepoc"]
		ro.ReadOnly = true
		if err := e.svc.CanRespond(ctx, ro, m); !errs.Is(err, errs.Forbidden) {
			t.Errorf("read-only: %v", err)
		}
		e.clock.Set(m.End.Add(time.Minute))
		if err := e.svc.CanRespond(ctx, e.who["kepoc"], m); !errs.Is(err, errs.Conflict) {
			t.Errorf("over: %v", err)
		}
		e.clock.Set(m.Start.Add(-48 * time.Hour))
		c, err := e.svc.Cancel(ctx, e.who["sec"], m.ID, m.Version)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.CanRespond(ctx, e.who["kepoc"], c); !errs.Is(err, errs.Conflict) {
			t.Errorf("cancelled: %v", err)
		}
	})
}

// TestInvitationCarriesTheInviteesZone: the page of an answer link has
// the invited POC's time zone from the directory.
func TestInvitationCarriesTheInviteesZone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		in := e.input("KE")
		in.TimeZone = "America/New_York"
		e.create(t, "sec", in)
		e.run(t)
		mails := e.box.take()
		if len(mails) != 1 || mails[0].mail.Token == "" {
			t.Fatalf("mails %+v", mails)
		}
		_, inv, err := e.svc.Invitation(context.Background(), mails[0].mail.Token)
		if err != nil {
			t.Fatal(err)
		}
		if inv.TimeZone != "Europe/Zurich" || inv.POCID != e.pocs["ke-tech"] {
			t.Errorf("invitation zone %q of %s, want Europe/Zurich of ke-tech", inv.TimeZone, inv.POCID)
		}
	})
}

// TestFeedCreated: none before the first address, its time after, a new
// time after replacing it, none after revoking it.
func TestFeedCreated(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.who["frpoc"]
		at := func() *time.Time {
			t.Helper()
			got, err := e.svc.FeedCreated(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := at(); got != nil {
			t.Errorf("before any feed: %v", got)
		}
		if _, err := e.svc.FeedCreated(ctx, e.who["anon"]); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous: %v", err)
		}
		if _, err := e.svc.FeedToken(ctx, a); err != nil {
			t.Fatal(err)
		}
		first := e.clock.Now().UTC()
		if got := at(); got == nil || !got.Equal(first) {
			t.Errorf("after the first address: %v, want %v", got, first)
		}
		e.clock.Advance(90 * time.Minute)
		if _, err := e.svc.FeedToken(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := at(); got == nil || !got.Equal(first.Add(90*time.Minute)) {
			t.Errorf("after replacing it: %v", got)
		}
		if got, _ := e.svc.FeedCreated(ctx, e.who["kepoc"]); got != nil {
			t.Errorf("another account's feed shown: %v", got)
		}
		if err := e.svc.RevokeFeed(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := at(); got != nil {
			t.Errorf("after revoking: %v", got)
		}
	})
}
