package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/detente/detente/internal/store/storetest"
)

// TestCampaign runs the whole benchmark with a few POCs and asserts only
// its correctness checks, never its timings.
func TestCampaign(t *testing.T) {
	for _, tc := range []struct {
		name, engine, ack string
	}{
		{"sqlite/http", "sqlite", "http"},
		{"sqlite/direct", "sqlite", "direct"},
		{"postgres/http", "postgres", "http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.engine == "postgres" {
				storetest.RequirePostgres(t) // skips without DETENTE_TEST_POSTGRES, fails in CI
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			const n = 30
			res, err := Run(ctx, Options{N: n, Engine: tc.engine, DSN: os.Getenv(storetest.EnvPostgres), Workers: 3, Clients: 4,
				Ack: tc.ack, SMTPTLS: true, Timeout: 2 * time.Minute})
			var out bytes.Buffer
			Print(&out, res)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			if !res.OK() {
				t.Fatalf("correctness checks failed:\n%s", out.String())
			}
			want := []string{"campaign opened by its job", "mails received by the sink", "no duplicate delivery", "distinct tokens read from the mails",
				"acknowledgements accepted", "results as the secretariat", "results by level and State", "outbox settled",
				"no failure, retry or warning logged", "baseline sent the same mails", "sink total after baseline"}
			got := map[string]bool{}
			for _, c := range res.Checks {
				got[c.Name] = true
			}
			for _, name := range want {
				if !got[name] {
					t.Errorf("check %q was not made:\n%s", name, out.String())
				}
			}
			if res.Participants != 10 {
				t.Errorf("%d participating States, want 10 (30 POCs in triples)", res.Participants)
			}
		})
	}
}

// TestChecksFail makes sure a failed check fails the run: a result without
// checks, or with one that failed, is not OK.
func TestChecksFail(t *testing.T) {
	var r Result
	if r.OK() {
		t.Error("a result without checks is OK")
	}
	r.check("a", true, "")
	r.check("b", false, "")
	if r.OK() {
		t.Error("a result with a failed check is OK")
	}
}
