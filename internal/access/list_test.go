package access_test

import (
	"context"
	"slices"
	"testing"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func emails(accs []access.Account) []string {
	out := make([]string, len(accs))
	for i, a := range accs {
		out[i] = a.Email
	}
	return out
}

func TestAccountPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec := e.create(t, "sec@un.invalid", actor.Secretariat, "").Actor()
		e.create(t, "desk@un.invalid", actor.Secretariat, "")
		fr := e.create(t, "admin@fr.invalid", actor.StateAdmin, "FR").Actor()
		e.create(t, "camille.martin@fr.invalid", actor.POC, "FR")
		e.create(t, "viewer@fr.invalid", actor.Viewer, "FR")
		gone := e.create(t, "gone@fr.invalid", actor.POC, "FR")
		if err := e.svc.SetDisabled(ctx, fr, gone.ID, true); err != nil {
			t.Fatal(err)
		}
		e.create(t, "admin@ke.invalid", actor.StateAdmin, "KE")
		e.create(t, "duty_officer@ke.invalid", actor.POC, "KE")
		e.create(t, "duty100%@ke.invalid", actor.POC, "KE")

		t.Run("paging walks every account once", func(t *testing.T) {
			for _, a := range []actor.Actor{sec, fr} {
				all, err := e.svc.Accounts(ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				var walked []string
				req := page.Request{Limit: 2}
				for {
					p, err := e.svc.AccountPage(ctx, a, access.AccountFilter{}, req)
					if err != nil {
						t.Fatal(err)
					}
					walked = append(walked, emails(p.Items)...)
					if p.Next == "" {
						break
					}
					req.After, _ = page.Decode(p.Next)
				}
				if !slices.Equal(walked, emails(all)) {
					t.Fatalf("%s walked %v, want %v", a.Email, walked, emails(all))
				}
			}
		})

		for _, tc := range []struct {
			name      string
			a         actor.Actor
			f         access.AccountFilter
			want, not []string
		}{
			{"State", sec, access.AccountFilter{State: "ke"}, []string{"admin@ke.invalid"}, []string{"admin@fr.invalid", "sec@un.invalid"}},
			{"role", sec, access.AccountFilter{Role: actor.Secretariat}, []string{"sec@un.invalid", "desk@un.invalid"}, []string{"admin@fr.invalid"}},
			{"disabled", fr, access.AccountFilter{Status: access.StatusDisabled}, []string{"gone@fr.invalid"}, []string{"viewer@fr.invalid"}},
			{"active", fr, access.AccountFilter{Status: access.StatusActive}, []string{"viewer@fr.invalid"}, []string{"gone@fr.invalid"}},
			{"name or email, any case", sec, access.AccountFilter{Query: "MARTIN"}, []string{"camille.martin@fr.invalid"}, []string{"admin@fr.invalid"}},
			{"wildcards are characters", sec, access.AccountFilter{Query: "100%"}, []string{"duty100%@ke.invalid"}, []string{"duty_officer@ke.invalid"}},
			{"underscore is a character", sec, access.AccountFilter{Query: "duty_"}, []string{"duty_officer@ke.invalid"}, []string{"duty100%@ke.invalid"}},
			{"a State admin stays in its State", fr, access.AccountFilter{State: "KE"}, nil, []string{"admin@ke.invalid"}},
			{"a State admin's search stays in its State", fr, access.AccountFilter{Query: "admin"}, []string{"admin@fr.invalid"}, []string{"admin@ke.invalid"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := e.svc.AccountPage(ctx, tc.a, tc.f, page.First())
				if err != nil {
					t.Fatal(err)
				}
				got := emails(p.Items)
				for _, m := range tc.want {
					if !slices.Contains(got, m) {
						t.Errorf("lacks %s: %v", m, got)
					}
				}
				for _, m := range tc.not {
					if slices.Contains(got, m) {
						t.Errorf("lists %s, which it must not", m)
					}
				}
			})
		}

		for _, tc := range []struct {
			name  string
			f     access.AccountFilter
			after []string
			field string
		}{
			{"unknown role", access.AccountFilter{Role: "king"}, nil, "role"},
			{"unknown status", access.AccountFilter{Status: "asleep"}, nil, "status"},
			{"malformed State", access.AccountFilter{State: "F"}, nil, "state"},
			{"malformed id", access.AccountFilter{ID: "1; DROP"}, nil, "id"},
			{"NUL in the search", access.AccountFilter{Query: "\x00"}, nil, "q"},
			{"damaged cursor", access.AccountFilter{}, []string{"FR"}, "cursor"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.AccountPage(ctx, sec, tc.f, page.Request{Limit: 5, After: tc.after})
				if _, ok := errs.FieldsOf(err)[tc.field]; !ok || !errs.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want a field error on %s", err, tc.field)
				}
			})
		}
		poc := e.create(t, "poc2@fr.invalid", actor.POC, "FR").Actor()
		if _, err := e.svc.AccountPage(ctx, poc, access.AccountFilter{Role: "king"}, page.First()); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a POC listing accounts: %v, want forbidden before any field error", err)
		}
	})
}
