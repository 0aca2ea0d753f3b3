package checks_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/notify"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestOpenWritesEveryChallengeAndMail opens campaigns over more POCs than
// one statement writes, and checks that each POC in scope gets one
// challenge, one mail job and a token that works, and that the audit entry
// counts them all.
func TestOpenWritesEveryChallengeAndMail(t *testing.T) {
	tests := []struct {
		name  string
		extra int // FR technical POCs besides the world's one; opening writes 500 to a statement
	}{
		{"one statement", 3},
		{"one full statement", 499},
		{"several statements and a remainder", 1136},
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w := newWorld(t, db.Engine)
				ctx := context.Background()
				for i := range tc.extra {
					if _, err := w.app.Directory.Nominate(ctx, w.who["fradmin"], "FR", directory.POCInput{Level: directory.Technical,
						FunctionTitle: fmt.Sprintf("Duty officer %d", i), Organisation: "ANSSI", Emails: []string{fmt.Sprintf("duty%d@fr.test.invalid", i)},
						Phones: []string{"+33 1 00 00 00 00"}, Languages: []string{"fr"}, TimeZone: "Europe/Paris", Availability: directory.Always}); err != nil {
						t.Fatal(err)
					}
				}
				c, err := w.app.Checks.Create(ctx, w.who["sec"], checks.Input{Name: "Check of France", ScopeKind: checks.ScopeStates,
					Scope: []string{"FR"}, Levels: []string{"technical"}, WindowHours: 72})
				if err != nil {
					t.Fatal(err)
				}
				if n, err := w.app.Jobs.RunOnce(ctx); err != nil || n != 1 {
					t.Fatalf("open: ran %d jobs, %v", n, err)
				}
				want := tc.extra + 1
				count := func(q string, args ...any) int {
					t.Helper()
					var n int
					if err := w.app.DB.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
						t.Fatal(err)
					}
					return n
				}
				if n := count(`SELECT COUNT(DISTINCT token_hash) FROM ping_challenges WHERE campaign_id = $1 AND state_code = 'FR'`, c.ID); n != want {
					t.Fatalf("%d challenges with distinct tokens, want %d", n, want)
				}
				if n := count(`SELECT COUNT(DISTINCT dedupe_key) FROM jobs WHERE kind = $1`, notify.JobMail); n != want {
					t.Fatalf("%d check mails queued, want %d", n, want)
				}
				// The audit log keeps a digest of the details, not the details.
				details, _ := json.Marshal(map[string]int{"challenges": want})
				sum := sha256.Sum256(details)
				if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'ping.open' AND object_id = $1 AND digest = $2`, c.ID, hex.EncodeToString(sum[:])); n != 1 {
					t.Fatalf("%d audit entries for the opening counting %d challenges", n, want)
				}
				// w.drain stops at fewer mails than these.
				for ran := 1; ran > 0; {
					if ran, err = w.app.Jobs.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				toks := w.tokens(t)
				if len(toks) != want {
					t.Fatalf("%d POCs got a token, want %d", len(toks), want)
				}
				seen := map[string]bool{}
				for to, tok := range toks {
					chk, err := w.app.Checks.Peek(ctx, tok)
					if err != nil {
						t.Fatalf("%s's token: %v", to, err)
					}
					poc, err := w.app.Directory.POC(ctx, actor.Operator, chk.Challenge.POCID)
					if err != nil {
						t.Fatal(err)
					}
					if poc.Emails[0] != to || chk.Check.ID != c.ID || seen[chk.Challenge.ID] {
						t.Fatalf("%s's token opens %s's check %s", to, poc.Emails[0], chk.Challenge.ID)
					}
					// The page names the POC as the check found it.
					if chk.POC.FunctionTitle != poc.FunctionTitle || chk.POC.Organisation != poc.Organisation || chk.POC.FunctionTitle == "" {
						t.Fatalf("%s's page names %q of %q, the directory %q of %q", to, chk.POC.FunctionTitle, chk.POC.Organisation, poc.FunctionTitle, poc.Organisation)
					}
					seen[chk.Challenge.ID] = true
				}
			})
		}
	})
}
