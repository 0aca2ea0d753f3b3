package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

var (
	nextRe    = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	pocLinkRe = regexp.MustCompile(`<a href="/directory/pocs/([0-9a-f-]{36})">`)
)

// walkPages follows the "Next page" links from path and returns what re
// captured on each page, in order.
func walkPages(t *testing.T, c *client, path string, re *regexp.Regexp) []string {
	t.Helper()
	var out []string
	for i := 0; path != ""; i++ {
		if i > 50 {
			t.Fatal("the pages do not end")
		}
		r := c.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, snippet(r.body))
		}
		for _, m := range re.FindAllStringSubmatch(r.body, -1) {
			out = append(out, m[1])
		}
		path = ""
		if m := nextRe.FindStringSubmatch(r.body); m != nil {
			path = html.UnescapeString(m[1])
			if !strings.Contains(path, "limit=2") {
				t.Fatalf("the next link %s lost the page size", path)
			}
		}
	}
	return out
}

func TestListPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		sec, fradmin, kepoc := f.signIn("sec"), f.signIn("fradmin"), f.signIn("kepoc")

		t.Run("directory pages walk every entry once", func(t *testing.T) {
			c := sec.on(t)
			var export struct {
				Items []struct{ ID string } `json:"items"`
			}
			if err := json.Unmarshal([]byte(c.get("/directory/export.json").body), &export); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, it := range export.Items {
				want = append(want, it.ID)
			}
			if got := walkPages(t, c, "/directory?limit=2", pocLinkRe); !slices.Equal(got, want) || len(want) < 3 {
				t.Fatalf("pages showed %v, the export %v", got, want)
			}
		})

		t.Run("a State's page walks its entries once", func(t *testing.T) {
			c := sec.on(t)
			in := directory.POCInput{Level: directory.Policy, FunctionTitle: "FR policy desk", Organisation: "SGDSN", Emails: []string{"policy@fr.test.invalid"},
				Phones: []string{"+33 1 00 00 00 00"}, Languages: []string{"fr"}, TimeZone: "Europe/Paris", Availability: directory.Always}
			if _, err := f.app.Directory.Nominate(context.Background(), f.acc["fradmin"].Actor(), "FR", in); err != nil {
				t.Fatal(err)
			}
			var export struct {
				Items []struct{ ID, State string } `json:"items"`
			}
			if err := json.Unmarshal([]byte(c.get("/directory/export.json?state=FR").body), &export); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, it := range export.Items {
				want = append(want, it.ID)
			}
			if got := walkPages(t, c, "/directory/states/FR?limit=2", pocLinkRe); !slices.Equal(got, want) || len(want) < 3 {
				t.Fatalf("pages showed %v, the export %v", got, want)
			}
		})

		t.Run("audit pages walk every entry once", func(t *testing.T) {
			c := sec.on(t)
			seq := regexp.MustCompile(`<tr><td>(\d+)</td>`)
			all := walkPages(t, c, "/admin/audit?limit=200", seq)
			if len(all) < 3 {
				t.Fatalf("only %d entries", len(all))
			}
			if got := walkPages(t, c, "/admin/audit?limit=2", seq); !slices.Equal(got, all) {
				t.Fatalf("pages of 2 showed %d entries, one page %d", len(got), len(all))
			}
		})

		for _, tc := range []struct {
			name          string
			c             *client
			path          string
			status        int
			present, gone []string
		}{
			{"directory search", kepoc, "/directory?q=cert+duty", 200, []string{"cert@fr-cert.test.invalid"},
				[]string{"duty@ke-cirt.test.invalid", "ambassador@fr-mfa.test.invalid", "duty@nz-cert.test.invalid"}},
			{"directory search by State code", kepoc, "/directory?q=KE", 200, []string{"duty@ke-cirt.test.invalid"}, []string{"cert@fr-cert.test.invalid"}},
			{"directory search keeps its filters in the exports", kepoc, "/directory?q=ke&level=technical", 200,
				[]string{`/directory/export.csv?level=technical&amp;q=ke`}, nil},
			{"directory with a bad page size", kepoc, "/directory?limit=0", 422, []string{"use a whole number from 1 to 200"}, []string{"duty@ke-cirt.test.invalid"}},
			{"directory with a damaged cursor", kepoc, "/directory?cursor=%25%25", 422, []string{"link to the next page is damaged"}, nil},
			{"directory with an unknown level", kepoc, "/directory?level=military", 422, []string{"level-error"}, nil},
			{"directory with a hidden character in the search", kepoc, "/directory?q=cert%E2%80%AE", 422, []string{"q-error", "invisible character"}, nil},
			{"participation search", sec, "/admin/states?q=keny", 200, []string{"Record Kenya as leaving"}, []string{"France"}},
			{"participation filter", sec, "/admin/states?participating=no&region=Western+European+and+others&q=zeal", 200,
				[]string{"Record New Zealand as participating"}, []string{"Kenya", "France"}},
			{"participation with a bad region", sec, "/admin/states?region=Atlantis", 422, []string{"sf-region-error"}, nil},
			{"accounts filtered", sec, "/admin/accounts?role=state_admin&state=KE", 200, []string{"admin@ke.test.invalid"}, []string{"admin@fr.test.invalid", "poc@ke.test.invalid"}},
			{"accounts search", fradmin, "/admin/accounts?q=viewer", 200, []string{"viewer@fr.test.invalid"}, []string{"poc@fr.test.invalid"}},
			{"a State admin's filter stays in its State", fradmin, "/admin/accounts?state=KE", 200, nil, []string{"@ke.test.invalid"}},
			{"accounts with a bad role", fradmin, "/admin/accounts?role=king", 422, []string{"af-role-error", "Create account"}, []string{`id="role-error"`}},
			{"audit labels and links", sec, "/admin/audit?action=poc.nominate", 200,
				[]string{"POC nominated", `<a href="/directory/pocs/` + f.poc["frtech"].ID + `">poc</a>`}, []string{">account.sign_in<"}},
			{"audit by actor", sec, "/admin/audit?actor=admin@ke.test.invalid", 200, []string{"admin@ke.test.invalid"}, []string{"admin@fr.test.invalid"}},
			{"audit links messages only where TLP lets the reader open them", fradmin, "/admin/audit?action=message.send", 200,
				[]string{"Communication sent", `<a href="/threads/` + f.msg.ThreadID + `#m-` + f.msg.ID + `">message</a>`}, nil},
			{"the secretariat is not linked to an AMBER thread", sec, "/admin/audit?action=message.send", 200,
				[]string{"Communication sent"}, []string{`href="/threads/`}},
			{"audit with a date that is not one", sec, "/admin/audit?from=yesterday", 422, []string{"lf-from-error", "use a date like"}, nil},
			{"audit with a damaged cursor", sec, "/admin/audit?cursor=WyJ4Il0", 422, []string{"link to the next page is damaged"}, nil},
			{"audit filters are not shown to whom the log is closed", kepoc, "/admin/audit?from=yesterday", 403, nil, []string{"lf-from-error"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.on(t).get(tc.path)
				if r.status != tc.status {
					t.Fatalf("GET %s: status %d, want %d\n%s", tc.path, r.status, tc.status, snippet(r.body))
				}
				for _, s := range tc.present {
					if !strings.Contains(r.body, s) {
						t.Errorf("GET %s lacks %q", tc.path, s)
					}
				}
				for _, s := range tc.gone {
					if strings.Contains(r.body, s) {
						t.Errorf("GET %s shows %q, which it must not", tc.path, s)
					}
				}
			})
		}
	})
}
