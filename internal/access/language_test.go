package access_test

import (
	"context"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestSetLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc := e.create(t, "poc@fr.invalid", actor.POC, "FR")
		other := e.create(t, "poc@ke.invalid", actor.POC, "KE")
		tests := []struct {
			name, lang, want string
			code             errs.Code
		}{
			{"a language", "ar", "ar", ""},
			{"written in capitals", "FR", "fr", ""},
			{"not one of the six", "de", "fr", errs.Invalid},
			{"a region's variant", "fr-CA", "fr", errs.Invalid},
			{"hidden characters", "zh\u202e", "fr", errs.Invalid},
			{"following the browser again", "", "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				audits := count(t, db, "audit_log")
				err := e.svc.SetLanguage(ctx, acc.Actor(), tc.lang)
				if tc.code == "" && err != nil || tc.code != "" && !errs.Is(err, tc.code) {
					t.Fatalf("SetLanguage(%q): %v, want %q", tc.lang, err, tc.code)
				}
				if tc.code != "" && errs.FieldsOf(err)["language"] == "" {
					t.Errorf("no field error under language: %v", err)
				}
				got, err := e.svc.Account(ctx, acc.Actor(), acc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Language != tc.want {
					t.Errorf("language %q, want %q", got.Language, tc.want)
				}
				want := audits
				if tc.code == "" {
					want++
				}
				if n := count(t, db, "audit_log"); n != want {
					t.Errorf("%d audit entries, want %d", n, want)
				}
			})
		}
		// Each person sets only their own; the session carries it.
		if err := e.svc.SetLanguage(ctx, acc.Actor(), "ru"); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Account(ctx, other.Actor(), other.ID); got.Language != "" {
			t.Errorf("another account's language became %q", got.Language)
		}
		tok, _, err := e.svc.SignIn(ctx, acc.Email, pw, "192.0.2.1", "t")
		if err != nil {
			t.Fatal(err)
		}
		if sess, err := e.svc.Session(ctx, tok); err != nil || sess.Account.Language != "ru" {
			t.Errorf("session's account language %q, %v", sess.Account.Language, err)
		}
		if err := e.svc.SetLanguage(ctx, actor.Anonymous, "fr"); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous: %v", err)
		}
	})
}
