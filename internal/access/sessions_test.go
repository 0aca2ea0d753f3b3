package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestKeptSessionsFollowOtherInstances: two instances on one database,
// each keeping the sessions and API tokens it has read. What one changes — a sign-out, a
// disabled account, a language — the other sees at its next request, and a
// session in use on one is not ended as idle by the other.
func TestKeptSessionsFollowOtherInstances(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		cfg := access.DefaultConfig()
		cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
		other := access.New(db, e.log, e.clock, cfg) // a second instance
		admin := e.create(t, "sec@un.invalid", actor.Secretariat, "")
		poc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		signIn := func() string {
			tok, _, err := e.svc.SignIn(ctx, poc.Email, pw, "192.0.2.1", "t")
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		live := func(svc *access.Service, tok string) bool {
			t.Helper()
			_, err := svc.Session(ctx, tok)
			if err != nil && !errs.Is(err, errs.Unauthenticated) {
				t.Fatal(err)
			}
			return err == nil
		}

		tok := signIn()
		if !live(other, tok) || !live(other, tok) {
			t.Fatal("the other instance does not find a new session")
		}
		if err := e.svc.SignOut(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if live(other, tok) {
			t.Error("a session signed out on one instance lives on in the other")
		}

		tok = signIn()
		if err := e.svc.SetLanguage(ctx, poc.Actor(), "fr"); err != nil {
			t.Fatal(err)
		}
		if s, err := other.Session(ctx, tok); err != nil || s.Account.Language != "fr" {
			t.Errorf("the other instance shows language %q (%v), want fr", s.Account.Language, err)
		}
		if !live(other, tok) {
			t.Fatal("session lost")
		}
		if err := e.svc.SetDisabled(ctx, admin.Actor(), poc.ID, true); err != nil {
			t.Fatal(err)
		}
		if live(other, tok) {
			t.Error("a disabled account's session lives on in the other instance")
		}
		if err := e.svc.SetDisabled(ctx, admin.Actor(), poc.ID, false); err != nil {
			t.Fatal(err)
		}

		// An API token read on the other instance is refused there as soon
		// as it is revoked here.
		secret, apiTok, err := e.svc.CreateToken(ctx, poc.Actor(), "script", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := other.TokenActor(ctx, secret); err != nil {
				t.Fatalf("the other instance refuses a live token: %v", err)
			}
		}
		if err := e.svc.RevokeToken(ctx, poc.Actor(), apiTok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := other.TokenActor(ctx, secret); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("a revoked token still works on the other instance: %v", err)
		}

		// Used on the first instance every few minutes, kept unused on the
		// other: the other must not end it as idle.
		tok = signIn()
		if !live(other, tok) {
			t.Fatal("session lost")
		}
		idle := access.DefaultConfig().SessionIdle
		for elapsed := time.Duration(0); elapsed <= idle+10*time.Minute; elapsed += 5 * time.Minute {
			e.clock.Advance(5 * time.Minute)
			if !live(e.svc, tok) {
				t.Fatalf("session ended after %s of steady use", elapsed)
			}
		}
		if !live(other, tok) {
			t.Error("the other instance ended a session in use as idle")
		}
		e.clock.Advance(idle + time.Minute)
		if live(other, tok) || live(e.svc, tok) {
			t.Error("an idle session lives on")
		}
	})
}
