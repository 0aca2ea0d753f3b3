package audit_test

import (
	"context"
	"database/sql"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestPageWalksTheWholeLog(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := clock.NewFixed(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC))
		log := audit.New(db, c)
		frAdmin := actor.Actor{AccountID: "0190a0b0-0000-7000-8000-0000000000fa", Email: "admin@fr.invalid", Role: actor.StateAdmin, State: "FR"}
		keAdmin := actor.Actor{AccountID: "0190a0b0-0000-7000-8000-0000000000ka", Email: "admin@ke.invalid", Role: actor.StateAdmin, State: "KE"}
		add := func(a actor.Actor, action, typ, id string) {
			t.Helper()
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				return log.Append(ctx, tx, a, audit.Change{Action: action, ObjectType: typ, ObjectID: id, State: a.State})
			}); err != nil {
				t.Fatal(err)
			}
		}
		// 130 entries over three days: more than the 100 the page used to
		// stop at.
		for i := 0; i < 130; i++ {
			if i%50 == 0 && i > 0 {
				c.Advance(24 * time.Hour)
			}
			a := frAdmin
			if i%3 == 0 {
				a = keAdmin
			}
			add(a, []string{"poc.edit", "account.sign_in"}[i%2], "poc", "p"+string(rune('a'+i%5)))
		}
		seqs := func(a actor.Actor, f audit.Filter, limit int) []int64 {
			t.Helper()
			var out []int64
			req := page.Request{Limit: limit}
			for {
				p, err := log.Page(ctx, a, f, req)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range p.Items {
					out = append(out, e.Seq)
				}
				if p.Next == "" {
					return out
				}
				req.After, _ = page.Decode(p.Next)
			}
		}
		all := seqs(sec, audit.Filter{}, 200)
		if len(all) != 130 {
			t.Fatalf("one page of 200 holds %d entries, want 130", len(all))
		}
		if !slices.IsSortedFunc(all, func(a, b int64) int { return int(b - a) }) {
			t.Fatalf("not newest first: %v", all)
		}
		if got := seqs(sec, audit.Filter{}, 2); !slices.Equal(got, all) {
			t.Fatalf("pages of 2 walked %d entries, want the %d of the log", len(got), len(all))
		}

		count := func(a actor.Actor, q string) int {
			t.Helper()
			v, _ := url.ParseQuery(q)
			f, err := audit.FilterFrom(v)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return len(seqs(a, f, 200))
		}
		for _, tc := range []struct {
			name  string
			a     actor.Actor
			query string
			want  int
		}{
			{"by actor email, any case", sec, "actor=ADMIN@KE.invalid", 44},
			{"by actor id", sec, "actor=" + keAdmin.AccountID, 44},
			{"by action", sec, "action=poc.edit", 65},
			{"by object", sec, "object_type=poc&object_id=pa", 26},
			{"from a day", sec, "from=2026-01-11", 80},
			{"to a day, included", sec, "to=2026-01-10", 50},
			{"one day", sec, "from=2026-01-11&to=2026-01-11", 50},
			{"a State admin reads its State's only", frAdmin, "", 86},
			{"a State admin's filter cannot widen it", frAdmin, "actor=admin@ke.invalid&state=KE", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := count(tc.a, tc.query); got != tc.want {
					t.Fatalf("%d entries, want %d", got, tc.want)
				}
			})
		}
	})
}

func TestFilterFromRefusesWhatIsNotAFilter(t *testing.T) {
	for _, tc := range []struct{ query, field string }{
		{"from=yesterday", "from"},
		{"to=2026-02-30", "to"},
		{"from=2026-03-01&to=2026-02-01", "to"},
		{"action=POC+EDITED", "action"},
		{"actor=%00", "actor"},
		{"object_id=%FF", "object_id"},
		{"state=France", "state"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			_, err := audit.FilterFrom(q)
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
				t.Fatalf("err = %v, want a field error on %s", err, tc.field)
			}
		})
	}
}

func TestPageRefusesDamagedCursorsAndOthers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		log := audit.New(db, clock.System{})
		for _, after := range [][]string{{"x"}, {"0"}, {"1", "2"}, {"99999999999999999999999"}} {
			_, err := log.Page(context.Background(), sec, audit.Filter{}, page.Request{Limit: 5, After: after})
			if errs.FieldsOf(err)["cursor"] == "" {
				t.Errorf("cursor %v: %v", after, err)
			}
		}
		poc := actor.Actor{AccountID: "p", Email: "poc@fr.invalid", Role: actor.POC, State: "FR"}
		if _, err := log.Page(context.Background(), poc, audit.Filter{}, page.First()); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a POC read the log: %v", err)
		}
	})
}

// TestEveryRecordedActionHasALabel reads the source for the action codes
// changes record, so a new one cannot reach the audit page unnamed.
func TestEveryRecordedActionHasALabel(t *testing.T) {
	code := regexp.MustCompile(`"([a-z_]+\.[a-z_]+)"`)
	pocAction := regexp.MustCompile(`(?:recordVersion\(ctx, tx, a, p|s\.change\(ctx, a, id, \w+), "([a-z_]+)"`)
	found := map[string]bool{}
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "labels.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, line := range strings.Split(string(b), "\n") {
				if strings.Contains(strings.ToLower(line), "action") {
					for _, m := range code.FindAllStringSubmatch(line, -1) {
						found[m[1]] = true
					}
				}
				for _, m := range pocAction.FindAllStringSubmatch(line, -1) {
					found["poc."+m[1]] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !found["poc.nominate"] || !found["account.sign_in"] || !found["message.send"] {
		t.Fatalf("the scan missed known actions: %v", found)
	}
	for c := range found {
		if audit.Label(c) == c {
			t.Errorf("action %s is recorded but has no label in labels.go", c)
		}
	}
	for _, a := range audit.Actions() {
		if a.Label == "" || a.Label == a.Code {
			t.Errorf("%s has no label", a.Code)
		}
	}
	if audit.Label("poc.edit") != "POC edited" || audit.Label("account.sign_in") != "Signed in" || audit.Label("message.send") != "Communication sent" {
		t.Error("labels")
	}
	if audit.Label("something.new") != "something.new" {
		t.Error("an unknown code is shown as it is")
	}
}
