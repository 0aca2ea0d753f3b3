package api

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/detente/detente/internal/directory"
)

// items returns each item's key field from a list response, and its next
// link below /api/v1.
func items(t *testing.T, res response, key string) ([]string, string) {
	t.Helper()
	if res.status != 200 {
		t.Fatalf("%s", res)
	}
	body := res.json(t)
	var out []string
	for _, it := range body["items"].([]any) {
		out = append(out, fmt.Sprint(it.(map[string]any)[key]))
	}
	if n := int(body["count"].(float64)); n != len(out) {
		t.Fatalf("count %d for %d items", n, len(out))
	}
	next, _ := body["next"].(string)
	if next != "" && !strings.HasPrefix(next, prefix+"/") {
		t.Fatalf("next %q is not an API path", next)
	}
	return out, strings.TrimPrefix(next, prefix)
}

func TestListPaging(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		// More entries than fit in a page, in several States and levels.
		for i := 0; i < 5; i++ {
			f.nominate("FR", directory.Policy, fmt.Sprintf("FR policy lead %d", i), fmt.Sprintf("policy%d@fr.test.invalid", i))
			f.freshViewer()
		}
		// Runs, scenarios, needs and offers enough for pages of two.
		for i := 0; i < 2; i++ {
			f.freshRun(f.exercises().ddos, frAdmin, fmt.Sprintf("Paged run %d", i))
			f.pagedOffer(fmt.Sprintf("Paged offer %d", i))
		}
		f.capacity()
		for _, tc := range []struct {
			name, role, path, key string
		}{
			{"directory", sec, "/pocs", "id"},
			{"directory as another State", kePOC, "/pocs?level=policy", "id"},
			{"directory search", frAdmin, "/pocs?q=fr+policy", "id"},
			{"accounts", sec, "/accounts", "id"},
			{"a State's accounts", frAdmin, "/accounts?role=viewer&status=active", "id"},
			{"audit log", sec, "/audit", "seq"},
			{"audit log of a State", frAdmin, "/audit?object_type=account", "seq"},
			{"States of a group", anon, "/states?region=Eastern+European", "code"},
			{"exercise runs", frAdmin, "/exercise-runs", "id"},
			{"scenarios", frAdmin, "/scenarios", "id"},
			{"capacity needs", frAdmin, "/capacity/needs?topic=incident_response", "id"},
			{"capacity offers", anon, "/capacity/offers?language=en", "id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				sep := "?"
				if strings.Contains(tc.path, "?") {
					sep = "&"
				}
				all, next := items(t, f.get(tc.role, tc.path+sep+"limit=200"), tc.key)
				if next != "" || len(all) < 3 {
					t.Fatalf("one page of 200: %d items, next %q", len(all), next)
				}
				var walked []string
				path := tc.path + sep + "limit=2"
				for i := 0; path != ""; i++ {
					if i > 200 {
						t.Fatal("the pages do not end")
					}
					var got []string
					got, path = items(t, f.get(tc.role, path), tc.key)
					if len(got) > 2 {
						t.Fatalf("a page of %d items with limit=2", len(got))
					}
					if path != "" && !strings.Contains(path, "limit=2") {
						t.Fatalf("next %s lost the page size", path)
					}
					walked = append(walked, got...)
				}
				if !slices.Equal(walked, all) {
					t.Fatalf("pages of 2 gave %v,\none page %v", walked, all)
				}
			})
		}

		for _, tc := range []struct {
			name, role, path string
			fields           []string
		}{
			{"limit zero", sec, "/pocs?limit=0", []string{"limit"}},
			{"limit too large", sec, "/accounts?limit=201", []string{"limit"}},
			{"limit not a number", sec, "/audit?limit=ten", []string{"limit"}},
			{"cursor not base64", sec, "/pocs?cursor=%25%25", []string{"cursor"}},
			{"cursor of another list", sec, "/audit?cursor=WyJGUiIsImEiXQ", []string{"cursor"}},
			{"State cursor of the directory", anon, "/states?cursor=WyJ4Il0", []string{"cursor"}},
			{"filters and paging at once", sec, "/pocs?level=military&limit=0", []string{"level", "limit"}},
			{"search with a hidden character", sec, "/pocs?q=cert%E2%80%AE", []string{"q"}},
			{"account role", sec, "/accounts?role=king&status=asleep", []string{"role", "status"}},
			{"audit date", sec, "/audit?from=yesterday&to=2026-02-30", []string{"from", "to"}},
			{"audit dates reversed", sec, "/audit?from=2026-03-02&to=2026-03-01", []string{"to"}},
			{"participation not a boolean", sec, "/states?participating=maybe", []string{"participating"}},
			{"exercise run cursor of another list", sec, "/exercise-runs?cursor=WyJ4Il0", []string{"cursor"}},
			{"scenario filters and paging at once", sec, "/scenarios?owner=theirs&limit=0", []string{"owner", "limit"}},
			{"capacity filters and paging at once", anon, "/capacity/offers?region=Atlantis&limit=0", []string{"region", "limit"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				res := f.get(tc.role, tc.path)
				if res.status != 422 {
					t.Fatalf("%s: %s, want 422", tc.path, res)
				}
				fields, _ := res.json(t)["error"].(map[string]any)["fields"].(map[string]any)
				for _, name := range tc.fields {
					if fields[name] == nil {
						t.Errorf("%s: no message for %s: %s", tc.path, name, res.body)
					}
				}
			})
		}
	})
}
