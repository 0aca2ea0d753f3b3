package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// The fixture's earlier check covers FR and KE: KE's POC confirmed, FR's
// did not. Overall 1 of 2 (50%): with KE's own 1 of 1 it gives FR's 0 of
// 1, so no State may see it before the secretariat publishes.
func TestCheckPagesKeepStatesApart(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		page, csv := "/checks/"+f.earlier.ID, "/checks/"+f.earlier.ID+"/export.csv"
		tests := []struct {
			role             string
			pageHas, pageNot []string
			csvHas, csvNot   []string
		}{
			{"sec", []string{"50%", "France", "Kenya", "checked</dt><dd>2</dd>"}, nil,
				[]string{"overall,all,2,1,0,0.5000", "state,FR,1,0", "state,KE,1,1", "unreachable,FR,"}, []string{"unreachable,KE"}},
			{"kepoc", []string{"checked</dt><dd>1</dd>", "1 (100%)"}, []string{"50%", "checked</dt><dd>2</dd>", "France", "0 (0%)"},
				[]string{"own,KE,1,1,0,1.0000"}, []string{"overall", ",2,", "0.5000", "FR", "France"}},
			{"fradmin", []string{"checked</dt><dd>1</dd>", "0 (0%)"}, []string{"50%", "checked</dt><dd>2</dd>", "Kenya", "1 (100%)"},
				[]string{"own,FR,1,0,0,0.0000", "unreachable,FR,"}, []string{"overall", ",2,", "0.5000", "KE", "Kenya"}},
		}
		for _, tc := range tests {
			t.Run(tc.role, func(t *testing.T) {
				c := f.signIn(tc.role).on(t)
				for _, x := range []struct {
					path     string
					has, not []string
				}{{page, tc.pageHas, tc.pageNot}, {csv, tc.csvHas, tc.csvNot}} {
					r := c.get(x.path)
					if r.status != http.StatusOK {
						t.Fatalf("GET %s: %d", x.path, r.status)
					}
					if x.path == csv && !strings.HasPrefix(r.body, "\uFEFFgroup,") {
						t.Errorf("the check CSV does not start with a UTF-8 byte order mark: %q", r.body[:min(20, len(r.body))])
					}
					for _, s := range x.has {
						if !strings.Contains(r.body, s) {
							t.Errorf("GET %s lacks %q", x.path, s)
						}
					}
					for _, s := range x.not {
						if strings.Contains(r.body, s) {
							t.Errorf("GET %s as %s shows %q", x.path, tc.role, s)
						}
					}
				}
			})
		}
	})
}

func TestCreateCheckFieldErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		sec := f.signIn("sec")
		count := func() int {
			var n int
			if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM ping_campaigns`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		valid := func(k, v string) url.Values {
			form := url.Values{"name": {"Ad hoc"}, "scope_kind": {"all"}, "levels": {"technical"}, "window_hours": {"72"}, "reminder_after_hours": {"48"}}
			form.Set(k, v)
			return form
		}
		tests := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"window of 3,000,000 hours", valid("window_hours", "3000000"), "window_hours"},
			{"window past int64", valid("window_hours", "99999999999999999999999"), "window_hours"},
			{"negative window", valid("window_hours", "-1"), "window_hours"},
			{"window not a number", valid("window_hours", "three days"), "window_hours"},
			{"window with a NUL", valid("window_hours", "72\x00"), "window_hours"},
			{"reminder after the window", valid("reminder_after_hours", "100"), "reminder_after_hours"},
			{"opens in year 9999", valid("opens_at", "9999-12-31T23:00"), "opens_at"},
			{"opened last year", valid("opens_at", "2025-06-01T09:00"), "opens_at"},
			{"opens_at not a date", valid("opens_at", "next Tuesday"), "opens_at"},
			{"opens_at with a NUL", valid("opens_at", "2026-07-01T09:00\x00"), "opens_at"},
			{"repeat of 99999999999 months", valid("repeat_months", "99999999999"), "repeat_months"},
			{"name with a NUL", valid("name", "Ad\x00hoc"), "name"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := sec.on(t).post("/checks", tc.form)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="`+tc.field+`-error"`) {
					t.Fatalf("status %d, want 422 with a message for %s: %s", r.status, tc.field, snippet(r.body))
				}
			})
		}
		if n := count(); n != before {
			t.Fatalf("refused checks were stored: %d → %d", before, n)
		}
	})
}

func TestCheckReportReadsForPeople(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		ctx := context.Background()
		sec := f.signIn("sec")

		// Publish is offered on a closed, unpublished check, to the
		// secretariat only; never on an open one.
		const publish = "Publish the aggregates"
		if r := sec.get("/checks/" + f.check.ID); strings.Contains(r.body, publish) {
			t.Error("the secretariat is offered to publish an open check")
		}
		if r := sec.get("/checks/" + f.earlier.ID); !strings.Contains(r.body, publish) {
			t.Error("the secretariat is not offered to publish a closed check")
		}
		if r := f.signIn("fradmin").get("/checks/" + f.earlier.ID); strings.Contains(r.body, publish) || strings.Contains(r.body, "/publish") {
			t.Error("a State is offered to publish")
		}

		// A scheduled check says when it opens and whom it will check.
		next, err := f.app.Checks.Create(ctx, f.acc["sec"].Actor(), checks.Input{Name: "Communication check", ScopeKind: checks.ScopeStates,
			Scope: []string{"FR", "KE"}, Levels: []string{"technical"}, WindowHours: 48, RepeatMonths: 6, OpensAt: f.clock.Now().Add(36 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		want := "Opens on " + next.OpensAt.Format("2 January 2006 15:04 UTC") + "; 2 points of contact in scope"
		r := sec.get("/checks/" + next.ID)
		if !strings.Contains(r.body, want) || !strings.Contains(r.body, "Communication check — first half of 2026") {
			t.Errorf("scheduled check page lacks %q or its run's name: %s", want, snippet(r.body))
		}
		if strings.Contains(r.body, "Follow-up") {
			t.Error("a scheduled check shows an empty follow-up table")
		}

		// Times read as people write them; the level table says "Level".
		c, err := f.app.Checks.Create(ctx, f.acc["sec"].Actor(), checks.Input{Name: "Slow check", ScopeKind: checks.ScopeStates,
			Scope: []string{"FR", "KE"}, Levels: []string{"technical"}, WindowHours: 48})
		if err != nil {
			t.Fatal(err)
		}
		f.drain()
		f.clock.Advance(29*time.Hour + 58*time.Minute)
		pending, err := f.app.Checks.Pending(ctx, f.acc["kepoc"].Actor())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pending {
			if p.Check.ID == c.ID {
				if err := f.app.Checks.AcknowledgeAsAccount(ctx, f.acc["kepoc"].Actor(), p.Challenge.ID, checks.ViaInbox); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.clock.Advance(19 * time.Hour)
		f.drain()
		r = f.signIn("sec").get("/checks/" + c.ID) // the first session has expired
		if r.status != http.StatusOK {
			t.Fatalf("report: %d %s", r.status, snippet(r.body))
		}
		for _, s := range []string{"median 1\u00a0day 6\u00a0h", `<th scope="col">Level</th>`, ">Technical<"} {
			if !strings.Contains(r.body, s) {
				t.Errorf("report lacks %q", s)
			}
		}
		for _, s := range []string{"29h58m0s", "29h58m", "h0m"} {
			if strings.Contains(r.body, s) {
				t.Errorf("report shows %q", s)
			}
		}
		if err := f.app.Checks.SetPublished(ctx, f.acc["sec"].Actor(), c.ID, true); err != nil {
			t.Fatal(err)
		}
		r = f.anon().get("/results")
		for _, s := range []string{"median 1\u00a0day 6\u00a0h", `<th scope="col">Level</th>`, `<th scope="col">Regional group</th>`} {
			if !strings.Contains(r.body, s) {
				t.Errorf("results page lacks %q", s)
			}
		}
		if strings.Contains(r.body, `<th scope="col">Group</th>`) {
			t.Error(`results page heads a table "Group"`)
		}
	})
}

func TestCheckListsArePaged(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		sec := f.signIn("sec")
		next := regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page</a>`)

		// Two checks, one a page: the second page holds the other.
		first := sec.get("/checks?limit=1")
		m := next.FindStringSubmatch(first.body)
		if first.status != http.StatusOK || m == nil {
			t.Fatalf("first page: %d, next link %v", first.status, m)
		}
		// The table of checks, without the history of rates below it.
		campaigns := func(body string) string {
			_, after, _ := strings.Cut(body, "<h2>All checks</h2>")
			table, _, _ := strings.Cut(after, "<section")
			return table
		}
		second := sec.get(html.UnescapeString(m[1]))
		one, two := campaigns(first.body), campaigns(second.body)
		if second.status != http.StatusOK || !strings.Contains(one, ">"+f.check.Name+"</a>") || strings.Contains(one, ">"+f.earlier.Name+"</a>") ||
			!strings.Contains(two, ">"+f.earlier.Name+"</a>") || strings.Contains(two, ">"+f.check.Name+"</a>") || next.MatchString(two) {
			t.Fatalf("pages: %d\n%s\n%s", second.status, one, two)
		}
		if r := sec.get("/checks?limit=100000"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "whole number from 1 to") {
			t.Fatalf("a huge limit: %d", r.status)
		}

		// The follow-up list filters by State, level and reason.
		report := "/checks/" + f.earlier.ID
		for _, tc := range []struct {
			query     string
			status    int
			has, hasn []string
		}{
			{"", http.StatusOK, []string{frEntry, "No answer"}, nil},
			{"?state=FR&level=technical&status=no-answer", http.StatusOK, []string{frEntry}, nil},
			{"?status=bounced", http.StatusOK, []string{"No point of contact matches"}, []string{frEntry}},
			{"?level=diplomatic", http.StatusOK, []string{"No point of contact matches"}, []string{frEntry}},
			{"?state=KE", http.StatusOK, []string{"No point of contact matches"}, []string{frEntry}},
			{"?status=late&level=military", http.StatusUnprocessableEntity, []string{`id="status-error"`, `id="level-error"`}, []string{frEntry}},
			{"?cursor=%00", http.StatusBadRequest, nil, []string{frEntry}},
			{"?cursor=bm90LWEta2V5", http.StatusUnprocessableEntity, []string{"damaged"}, []string{frEntry}},
		} {
			r := sec.get(report + tc.query)
			if r.status != tc.status {
				t.Errorf("%s: status %d, want %d", tc.query, r.status, tc.status)
			}
			for _, s := range tc.has {
				if !strings.Contains(r.body, s) {
					t.Errorf("%s: lacks %q", tc.query, s)
				}
			}
			for _, s := range tc.hasn {
				if strings.Contains(r.body, s) {
					t.Errorf("%s: shows %q", tc.query, s)
				}
			}
		}
	})
}

// TestParticipationFormComesBack: a date that is not a date, or one in the
// future, brings the participation page back for that State, with what
// was typed and the message beside the field, and records nothing.
func TestParticipationFormComesBack(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		sec := f.signIn("sec").on(t)
		for _, tc := range []struct{ name, since, says string }{
			{"not a date", "1st of May", "enter the date as YYYY-MM-DD"},
			{"a date to come", "2999-01-01", "cannot be in the future"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := sec.post("/admin/states/NZ/participation", url.Values{"participating": {"yes"}, "since": {tc.since}})
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422\n%s", r.status, snippet(r.body))
				}
				for _, want := range []string{tc.says, `id="since-NZ-error"`, `aria-describedby="since-NZ-error"`, "Record New Zealand as participating"} {
					if !strings.Contains(html.UnescapeString(r.body), want) {
						t.Errorf("the page lacks %q", want)
					}
				}
				if strings.Contains(r.body, "Record France as leaving") {
					t.Error("the page is not narrowed to the State whose form came back")
				}
				if after := sec.get("/admin/states?q=NZ"); !strings.Contains(after.body, "Record New Zealand as participating") {
					t.Error("a refused form recorded participation")
				}
			})
		}
	})
}
