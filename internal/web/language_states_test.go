package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestStatePagesNameStatesAsTheUNDoes: a State's page names it by the UN's
// official short name in the reader's language, not by CLDR's region name
// ("Territoires palestiniens", "Cité du Vatican", "梵蒂冈").
func TestStatePagesNameStatesAsTheUNDoes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		since := epoch.AddDate(-1, 0, 0)
		for _, code := range []string{"PS", "VA", "MK"} {
			if err := f.app.Directory.SetParticipation(context.Background(), actor.Operator, code, &since); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			lang, code string
			has        string
			hasNot     []string
		}{
			{"fr", "PS", "<h1>État de Palestine</h1>", []string{"Territoires palestiniens", "State of Palestine"}},
			{"fr", "VA", "<h1>Saint-Siège</h1>", []string{"Vatican", "Holy See"}},
			{"fr", "MK", "<h1>Macédoine du Nord</h1>", []string{"North Macedonia"}},
			{"es", "PS", "<h1>Estado de Palestina</h1>", []string{"Territorios Palestinos", "State of Palestine"}},
			{"ru", "VA", "<h1>Святейший Престол</h1>", []string{"Ватикан", "Holy See"}},
			{"zh", "VA", "<h1>教廷</h1>", []string{"梵蒂冈", "Holy See"}},
			{"zh", "PS", "<h1>巴勒斯坦国</h1>", []string{"巴勒斯坦领土", "State of Palestine"}},
			{"ar", "PS", "<h1>دولة فلسطين</h1>", []string{"الأراضي الفلسطينية", "State of Palestine"}},
			{"en", "PS", "<h1>State of Palestine</h1>", []string{"Palestinian Territories"}},
		}
		c := f.signIn("frpoc")
		for _, tc := range tests {
			t.Run(tc.code+"/"+tc.lang, func(t *testing.T) {
				c := c.on(t)
				if r := c.post("/language", url.Values{"lang": {tc.lang}, "next": {"/account"}}); r.status != http.StatusSeeOther {
					t.Fatalf("choosing %s: status %d", tc.lang, r.status)
				}
				r := c.get("/directory/states/" + tc.code)
				if r.status != http.StatusOK {
					t.Fatalf("status %d\n%s", r.status, snippet(r.body))
				}
				body := html.UnescapeString(r.body)
				if !strings.Contains(body, tc.has) {
					t.Errorf("lacks %q\n%s", tc.has, snippet(body))
				}
				for _, s := range tc.hasNot {
					if strings.Contains(body, s) {
						t.Errorf("still shows %q", s)
					}
				}
			})
		}
	})
}
