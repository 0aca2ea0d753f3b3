package taxii_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
	"github.com/detente/detente/internal/tlp"
)

// TestMediaTypesAndErrors: what TAXII 2.1 says a server answers to wrong
// media types, oversized content, bad filters and credentials, always as
// a TAXII error object.
func TestMediaTypesAndErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{MaxBytes: 4096, MaxObjects: 3, MaxDepth: 10})
		_, small := note("small")
		objects := sharedPath + "objects/"
		for _, tc := range []struct {
			name, role, method, path string
			body                     []byte
			opts                     []func(*http.Request)
			want                     int
		}{
			{"no Accept header takes TAXII", frPOC, "GET", objects, nil, []func(*http.Request){header("Accept", "")}, 200},
			{"STIX media type for objects", frPOC, "GET", objects, nil, []func(*http.Request){header("Accept", taxii.MediaSTIX)}, 200},
			{"TAXII without version", frPOC, "GET", sharedPath, nil, []func(*http.Request){header("Accept", "application/taxii+json")}, 200},
			{"HTML", frPOC, "GET", objects, nil, []func(*http.Request){header("Accept", "text/html")}, 406},
			{"TAXII 2.0", frPOC, "GET", objects, nil, []func(*http.Request){header("Accept", "application/vnd.oasis.taxii+json; version=2.0")}, 406},
			{"STIX for a collection", frPOC, "GET", sharedPath, nil, []func(*http.Request){header("Accept", taxii.MediaSTIX)}, 406},
			{"quality zero", frPOC, "GET", objects, nil, []func(*http.Request){header("Accept", taxii.MediaTAXII+";q=0")}, 406},
			{"POST as JSON", frPOC, "POST", objects, small, []func(*http.Request){header("Content-Type", "application/json")}, 415},
			{"POST as TAXII 2.0", frPOC, "POST", objects, small, []func(*http.Request){header("Content-Type", "application/taxii+json;version=2.0")}, 415},
			{"POST over the limit", frPOC, "POST", objects, []byte(`{"objects":[` + strings.Repeat(" ", 5000) + `]}`), nil, 413},
			{"POST of too many objects", frPOC, "POST", objects, []byte(`{"objects":[{},{},{},{}]}`), nil, 413},
			{"POST of nested objects", frPOC, "POST", objects, []byte(`{"objects":[` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `]}`), nil, 413},
			{"POST of no JSON", frPOC, "POST", objects, []byte(`{"objects":`), nil, 422},
			{"POST of invalid UTF-8", frPOC, "POST", objects, []byte("{\"objects\":[\"\xff\"]}"), nil, 422},
			{"bad added_after", frPOC, "GET", objects + "?added_after=yesterday", nil, nil, 400},
			{"bad limit", frPOC, "GET", objects + "?limit=0", nil, nil, 400},
			{"huge limit", frPOC, "GET", objects + "?limit=99999999999999999999", nil, nil, 400},
			{"bad next", frPOC, "GET", objects + "?next=abc", nil, nil, 400},
			{"bad version", frPOC, "GET", objects + "?match[version]=newest", nil, nil, 400},
			{"bad id", frPOC, "GET", objects + "?match[id]=x", nil, nil, 400},
			{"NUL in type", frPOC, "GET", objects + "?match[type]=a%00b", nil, nil, 400},
			{"unknown filter", frPOC, "GET", objects + "?match[name]=x", nil, nil, 400},
			{"unknown collection", frPOC, "GET", taxii.APIRoot + "collections/nope/", nil, nil, 404},
			{"unknown object", frPOC, "GET", objects + "note--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/", nil, nil, 404},
			{"not an id", frPOC, "GET", objects + "nope/", nil, nil, 404},
			{"unknown status", frPOC, "GET", taxii.APIRoot + "status/nope/", nil, nil, 404},
			{"unknown path", frPOC, "GET", taxii.Prefix + "elsewhere/", nil, nil, 404},
			{"wrong method", frPOC, "PUT", objects, nil, nil, 405},
			{"no credentials", anon, "GET", objects, nil, nil, 401},
			{"unknown token", anon, "GET", objects, nil, []func(*http.Request){header("Authorization", "Bearer dtt_nonsense")}, 401},
			{"empty Basic", anon, "GET", objects, nil, []func(*http.Request){basic("x", "")}, 401},
			{"Basic with the token", anon, "GET", objects, nil, []func(*http.Request){basic("anyone", f.token[frPOC])}, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := f.do(t, tc.role, tc.method, tc.path, tc.body, tc.opts...)
				if r.status != tc.want {
					t.Fatalf("%d, want %d: %s", r.status, tc.want, r.body)
				}
				if r.header.Get("Content-Type") != taxii.MediaTAXII {
					t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
				}
				if tc.want >= 400 {
					var e struct {
						Title      string `json:"title"`
						HTTPStatus string `json:"http_status"`
					}
					r.json(t, &e)
					if e.Title == "" || e.HTTPStatus != http.StatusText(0)+itoa(tc.want) {
						t.Errorf("error object %s", r.body)
					}
				}
				if tc.want == 401 && len(r.header.Values("WWW-Authenticate")) != 2 {
					t.Errorf("WWW-Authenticate %q", r.header.Values("WWW-Authenticate"))
				}
			})
		}
		// Nothing refused was stored.
		r := f.do(t, frPOC, "GET", objects+"?match[version]=all", nil)
		var env envelope
		r.json(t, &env)
		if len(env.Objects) != 0 {
			t.Errorf("refused posts stored %d objects", len(env.Objects))
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestBadObjectsFailAlone: in one POST, objects that are not valid STIX
// 2.1, or are marked more restricted than the collection, fail in the
// status one by one; the others are stored. Re-posting the same object
// succeeds without a copy; changing it without a new version fails.
func TestBadObjectsFailAlone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		good := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","x_custom":{"deep":[1,2.50,"\u00e9"]}}`
		amber := `{"type":"note","spec_version":"2.1","id":"note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","content":"x","object_refs":["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],"object_marking_refs":["` + tlp.Amber.MarkingDefinition() + `"]}`
		sco := `{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`
		body := `{"objects":[` + good + `,{"type":"indicator"},` + amber + `,{"type":"x-thing","spec_version":"2.0","id":"x-thing--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z"},` + sco + `]}`
		r := f.do(t, frPOC, "POST", sharedPath+"objects/", []byte(body))
		var st status
		r.json(t, &st)
		if r.status != 202 || st.TotalCount != 5 || st.SuccessCount != 2 || st.FailureCount != 3 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if !strings.Contains(string(r.body), "TLP:AMBER") || !strings.Contains(string(r.body), "only STIX 2.1") {
			t.Errorf("failures do not say why: %s", r.body)
		}
		// The same objects again, written differently: successes, no
		// second copy, an observable included.
		r = f.do(t, frPOC, "POST", sharedPath+"objects/", []byte(`{"objects":[`+strings.ReplaceAll(good, ",", ", ")+`,`+sco+`,`+sco+`]}`))
		r.json(t, &st)
		if st.SuccessCount != 3 || st.FailureCount != 0 {
			t.Fatalf("re-post: %s", r.body)
		}
		changed := strings.Replace(good, `"x_custom"`, `"name":"changed","x_custom"`, 1)
		r = f.do(t, frPOC, "POST", sharedPath+"objects/", []byte(`{"objects":[`+changed+`]}`))
		r.json(t, &st)
		if st.SuccessCount != 0 || st.FailureCount != 1 {
			t.Fatalf("changed without a new version: %s", r.body)
		}
		got := all(t, f, kePOC, sharedPath, map[string][]string{"match[version]": {"all"}})
		if len(got) != 2 || string(got[0].Raw) != good || string(got[1].Raw) != sco {
			t.Fatalf("stored: %d objects", len(got))
		}
		// Another observable under the same id is a new version, dated
		// when it was added.
		sco2 := strings.Replace(sco, `"198.51.100.3"`, `"198.51.100.4"`, 1)
		r = f.do(t, frPOC, "POST", sharedPath+"objects/", []byte(`{"objects":[`+sco2+`]}`))
		if r.json(t, &st); st.SuccessCount != 1 {
			t.Fatalf("a second observable: %s", r.body)
		}
		r = f.do(t, kePOC, "GET", sharedPath+"objects/ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd/versions/", nil)
		var vl struct{ Versions []string }
		if r.json(t, &vl); len(vl.Versions) != 2 {
			t.Fatalf("observable versions: %s", r.body)
		}
		r = f.do(t, kePOC, "GET", sharedPath+"objects/ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd/", nil)
		if !strings.Contains(string(r.body), "198.51.100.4") || strings.Contains(string(r.body), "198.51.100.3") {
			t.Fatalf("the last observable: %s", r.body)
		}
		// An AMBER object goes into France's own collection.
		r = f.do(t, frPOC, "POST", frPath+"objects/", []byte(`{"objects":[`+amber+`]}`))
		r.json(t, &st)
		if st.SuccessCount != 1 {
			t.Fatalf("amber into the State's own: %s", r.body)
		}
	})
}

// TestWritesAreAudited: each POST and DELETE leaves one audit entry, in
// the collection owner's State.
func TestWritesAreAudited(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		id, body := note("audited")
		if r := f.do(t, frPOC, "POST", frPath+"objects/", body); r.status != 202 {
			t.Fatal(r.status)
		}
		if r := f.do(t, frAdmin, "DELETE", frPath+"objects/"+id+"/", nil); r.status != 200 {
			t.Fatal(r.status)
		}
		if r := f.do(t, frAdmin, "DELETE", frPath+"objects/"+id+"/", nil); r.status != 404 {
			t.Fatalf("second delete: %d", r.status)
		}
		entries, err := f.app.Audit.List(context.Background(), actor.Operator, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "taxii.") {
				got = append(got, e.Action+" "+e.ActorLabel+" "+e.State+" "+e.ObjectID)
			}
		}
		want := []string{
			"taxii.delete admin@fr.test.invalid FR " + taxii.StateCollectionID("FR"),
			"taxii.add poc@fr.test.invalid FR " + taxii.StateCollectionID("FR"),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestPageCostsTheSame: a page of objects sends as many statements for
// 5 objects as for 50.
func TestPageCostsTheSame(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, count := storetest.OpenCounting(t, engine)
			a := audit.New(db, clockAt())
			svc := taxii.New(db, a, clockAt(), noStates{}, taxii.DefaultConfig())
			ctx := context.Background()
			poc := actor.Actor{AccountID: "acc", Email: "poc@fr.test.invalid", Role: actor.POC, State: "FR"}
			cost := func(n int) int64 {
				var objs []string
				for range n {
					_, b := note("x")
					var env struct{ Objects []json.RawMessage }
					_ = json.Unmarshal(b, &env)
					objs = append(objs, string(env.Objects[0]))
				}
				if _, err := svc.Add(ctx, poc, taxii.StateCollectionID("FR"), []byte(`{"objects":[`+strings.Join(objs, ",")+`]}`)); err != nil {
					t.Fatal(err)
				}
				count.Store(0)
				p, err := svc.Objects(ctx, poc, taxii.StateCollectionID("FR"), taxii.Filter{Limit: 1000, Versions: []string{"last"}, Types: []string{"note"}})
				if err != nil || len(p.Records) == 0 {
					t.Fatal(err)
				}
				return count.Load()
			}
			small, large := cost(5), cost(45)
			if small != large || small > 2 {
				t.Errorf("a page cost %d statements with 5 objects and %d with 50", small, large)
			}
		})
	}
}

func clockAt() *clock.Fixed { return clock.NewFixed(epoch) }

// noStates answers that no State participates.
type noStates struct{}

func (noStates) State(ctx context.Context, a actor.Actor, code string) (directory.State, error) {
	return directory.State{}, nil
}
