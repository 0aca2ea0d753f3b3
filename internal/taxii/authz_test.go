package taxii_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
)

// note returns a STIX note with a fresh id, its text naming it so that a
// leak is easy to see.
func note(text string) (id string, body []byte) {
	id = "note--" + uuid.NewString()
	return id, []byte(fmt.Sprintf(`{"objects":[{"type":"note","spec_version":"2.1","id":%q,"created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","content":%q,"object_refs":[%q]}]}`,
		id, text, "identity--"+uuid.NewString()))
}

// rights is what one role may do with one collection: 200 to read, or
// the status it gets instead, and 202 to write, or the status instead.
type rights struct{ read, write int }

// TestEveryRouteForEveryRole walks each TAXII route for each role over
// each kind of collection, and checks the status and that nothing of a
// collection reaches those who may not read it.
func TestEveryRouteForEveryRole(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		type collection struct {
			name, path, writer string
			who                map[string]rights
		}
		colls := []collection{
			// TLP:CLEAR: anyone signed in reads; the secretariat writes.
			{"public", publicPath, sec, map[string]rights{
				sec: {200, 202}, frAdmin: {200, 403}, frPOC: {200, 403}, frViewer: {200, 403},
				kePOC: {200, 403}, nzPOC: {200, 403}, readOnly: {200, 403}, anon: {401, 401}}},
			// TLP:GREEN: every State account reads; participating States write.
			{"shared", sharedPath, frPOC, map[string]rights{
				sec: {404, 404}, frAdmin: {200, 202}, frPOC: {200, 202}, frViewer: {200, 403},
				kePOC: {200, 202}, nzPOC: {200, 403}, readOnly: {200, 403}, anon: {401, 401}}},
			// A State's own, TLP:AMBER: its accounts only.
			{"France's", frPath, frPOC, map[string]rights{
				sec: {404, 404}, frAdmin: {200, 202}, frPOC: {200, 202}, frViewer: {200, 403},
				kePOC: {404, 404}, nzPOC: {404, 404}, readOnly: {200, 403}, anon: {401, 401}}},
			{"New Zealand's", nzPath, nzPOC, map[string]rights{
				sec: {404, 404}, frAdmin: {404, 404}, frPOC: {404, 404}, frViewer: {404, 404},
				kePOC: {404, 404}, nzPOC: {200, 202}, readOnly: {404, 404}, anon: {401, 401}}},
		}
		for _, c := range colls {
			secretID, body := note("secret of " + c.name)
			res := f.do(t, c.writer, "POST", c.path+"objects/", body)
			var st status
			res.json(t, &st)
			if res.status != 202 || st.SuccessCount != 1 {
				t.Fatalf("%s: seeding: %d %s", c.name, res.status, res.body)
			}
			statusPath := taxii.APIRoot + "status/" + st.ID + "/"
			for _, role := range roles {
				want := c.who[role]
				leaks := func(what string, r response) {
					t.Helper()
					if want.read != 200 && (strings.Contains(string(r.body), secretID) || strings.Contains(string(r.body), "secret of") ||
						strings.Contains(string(r.body), c.name)) {
						t.Errorf("%s %s: %s leaks: %s", role, c.name, what, r.body)
					}
				}
				for _, rt := range []struct{ method, path string }{
					{"GET", c.path},
					{"GET", c.path + "manifest/"},
					{"GET", c.path + "objects/"},
					{"GET", c.path + "objects/" + secretID + "/"},
					{"GET", c.path + "objects/" + secretID + "/versions/"},
				} {
					r := f.do(t, role, rt.method, rt.path, nil)
					if r.status != want.read {
						t.Errorf("%s %s %s (%s): %d, want %d: %s", role, rt.method, rt.path, c.name, r.status, want.read, r.body)
					}
					if want.read == 200 && !strings.Contains(string(r.body), secretID) && rt.path != c.path && !strings.HasSuffix(rt.path, "/versions/") {
						t.Errorf("%s %s %s: the object is missing: %s", role, rt.method, rt.path, r.body)
					}
					leaks(rt.method+" "+rt.path, r)
				}
				// The list of collections names this one exactly when the
				// role may read it.
				r := f.do(t, role, "GET", taxii.APIRoot+"collections/", nil)
				if id := strings.Split(c.path, "/")[4]; (want.read == 200) != strings.Contains(string(r.body), id) {
					t.Errorf("%s: collections list and %s: %s", role, c.name, r.body)
				}
				// Writing: a new object, then deleting one the writer added.
				id, body := note("added by " + role)
				r = f.do(t, role, "POST", c.path+"objects/", body)
				if r.status != want.write {
					t.Errorf("%s POST %s: %d, want %d: %s", role, c.name, r.status, want.write, r.body)
				}
				leaks("POST", r)
				victim, vbody := note("to delete")
				if res := f.do(t, c.writer, "POST", c.path+"objects/", vbody); res.status != 202 {
					t.Fatal(res.status)
				}
				r = f.do(t, role, "DELETE", c.path+"objects/"+victim+"/", nil)
				wantDel := want.write
				if wantDel == 202 {
					wantDel = 200
				}
				if r.status != wantDel {
					t.Errorf("%s DELETE %s: %d, want %d: %s", role, c.name, r.status, wantDel, r.body)
				}
				after := f.do(t, c.writer, "GET", c.path+"objects/"+victim+"/", nil)
				if (after.status == 404) != (wantDel == 200) {
					t.Errorf("%s DELETE %s: the object is still there: %d", role, c.name, after.status)
				}
				stored := f.do(t, c.writer, "GET", c.path+"objects/"+id+"/", nil)
				if (stored.status == 200) != (want.write == 202) {
					t.Errorf("%s POST %s: stored: %d", role, c.name, stored.status)
				}
				// A status is its poster's only.
				r = f.do(t, role, "GET", statusPath, nil)
				wantStatus := 404
				switch {
				case role == anon:
					wantStatus = 401
				case role == c.writer:
					wantStatus = 200
				}
				if r.status != wantStatus {
					t.Errorf("%s GET status of %s's post: %d, want %d", role, c.writer, r.status, wantStatus)
				}
			}
		}
		// Discovery and the API root say nothing of any collection.
		for _, role := range roles {
			for _, p := range []string{taxii.Prefix, taxii.APIRoot} {
				r := f.do(t, role, "GET", p, nil)
				if r.status != 200 || strings.Contains(string(r.body), "collections/") {
					t.Errorf("%s GET %s: %d %s", role, p, r.status, r.body)
				}
			}
		}
	})
}
