package taxii_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/taxii"
)

// taxiiErrorWire is a TAXII error object as a client reads it.
type taxiiErrorWire struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	ErrorCode   string            `json:"error_code"`
	HTTPStatus  string            `json:"http_status"`
	Details     map[string]string `json:"details"`
}

// TestErrorsInTheRequestsLanguage: the title, description and details of
// an error, and the messages of a status, are in the language
// Accept-Language asks for, and Content-Language says which; the status
// code, error code, ids and counts are the same in every language.
func TestErrorsInTheRequestsLanguage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		objects := sharedPath + "objects/"
		_, small := note("small")
		cases := []struct {
			name, role, method, path string
			body                     []byte
			opts                     []func(*http.Request)
			want                     int
		}{
			{"unacceptable Accept", frPOC, "GET", objects, nil, []func(*http.Request){header("Accept", "text/html")}, 406},
			{"bad filters", frPOC, "GET", objects + "?limit=0&added_after=yesterday&match[version]=newest&match[name]=x", nil, nil, 400},
			{"unknown collection", frPOC, "GET", taxii.APIRoot + "collections/nope/", nil, nil, 404},
			{"unknown object", frPOC, "GET", objects + "note--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/", nil, nil, 404},
			{"unknown status", frPOC, "GET", taxii.APIRoot + "status/nope/", nil, nil, 404},
			{"read only", frViewer, "POST", objects, small, nil, 403},
			{"wrong content type", frPOC, "POST", objects, small, []func(*http.Request){header("Content-Type", "application/json")}, 415},
			{"bad credentials", anon, "GET", objects, nil, []func(*http.Request){header("Authorization", "Basic !!")}, 401},
			{"wrong method", frPOC, "PUT", objects, nil, nil, 405},
			{"no endpoint", frPOC, "GET", taxii.Prefix + "nowhere/", nil, nil, 404},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var english taxiiErrorWire
				// English first, as the answer the others are compared with.
				langs := append([]i18n.Language{i18n.English}, slices.DeleteFunc(i18n.Languages(), func(l i18n.Language) bool { return l == i18n.English })...)
				for _, l := range langs {
					res := f.do(t, c.role, c.method, c.path, c.body, append(slices.Clone(c.opts), header("Accept-Language", l.Code()+";q=0.9"))...)
					if res.status != c.want {
						t.Fatalf("%s: status %d, want %d: %s", l, res.status, c.want, res.body)
					}
					if got := res.header.Get("Content-Language"); got != l.HTMLLang() {
						t.Errorf("%s: Content-Language %q", l, got)
					}
					if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "Accept-Language") {
						t.Errorf("%s: Vary %v", l, res.header.Values("Vary"))
					}
					var e taxiiErrorWire
					res.json(t, &e)
					if e.Title == "" || e.Description == "" || e.HTTPStatus != fmt.Sprint(c.want) {
						t.Errorf("%s: %+v", l, e)
					}
					if l == i18n.English {
						english = e
						continue
					}
					if e.ErrorCode != english.ErrorCode || e.HTTPStatus != english.HTTPStatus || len(e.Details) != len(english.Details) {
						t.Errorf("%s: the machine-readable parts changed: %+v, in English %+v", l, e, english)
					}
					if e.Title == english.Title || e.Description == english.Description {
						t.Errorf("%s: left in English: %q / %q", l, e.Title, e.Description)
					}
					for k, v := range english.Details {
						if e.Details[k] == "" || e.Details[k] == v {
							t.Errorf("%s: detail %s is %q (English %q)", l, k, e.Details[k], v)
						}
					}
				}
			})
		}

		t.Run("a status", func(t *testing.T) {
			id, first := note("first")
			bad := []byte(strings.Replace(string(first), `"content":"first"`, `"content":"changed"`, 1))
			if res := f.do(t, frPOC, "POST", objects, first); res.status != http.StatusAccepted {
				t.Fatalf("%d %s", res.status, res.body)
			}
			// One object changed without a new modified timestamp, one
			// already held, one not STIX.
			var a, b struct{ Objects []json.RawMessage }
			if err := json.Unmarshal(bad, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(first, &b); err != nil {
				t.Fatal(err)
			}
			body, err := json.Marshal(map[string]any{"objects": []json.RawMessage{a.Objects[0], b.Objects[0], json.RawMessage(`{"type":"note"}`)}})
			if err != nil {
				t.Fatal(err)
			}
			var english struct {
				ID        string `json:"id"`
				Successes []struct {
					ID, Message string
				} `json:"successes"`
				Failures []struct {
					ID, Message string
				} `json:"failures"`
			}
			res := f.do(t, frPOC, "POST", objects, body, header("Accept-Language", "en"))
			if res.status != http.StatusAccepted {
				t.Fatalf("%d %s", res.status, res.body)
			}
			res.json(t, &english)
			if len(english.Successes) != 1 || len(english.Failures) != 2 || !slices.ContainsFunc(english.Failures, func(o struct{ ID, Message string }) bool { return o.ID == id }) {
				t.Fatalf("%s", res.body)
			}
			for _, l := range slices.DeleteFunc(i18n.Languages(), func(l i18n.Language) bool { return l == i18n.English }) {
				res := f.do(t, frPOC, "GET", taxii.APIRoot+"status/"+english.ID+"/", nil, header("Accept-Language", l.Code()))
				if res.status != http.StatusOK || res.header.Get("Content-Language") != l.HTMLLang() {
					t.Fatalf("%s: %d %v %s", l, res.status, res.header, res.body)
				}
				var got struct {
					Successes []struct{ ID, Message string } `json:"successes"`
					Failures  []struct{ ID, Message string } `json:"failures"`
				}
				if err := json.Unmarshal(res.body, &got); err != nil {
					t.Fatal(err)
				}
				for k, o := range english.Successes {
					if got.Successes[k].ID != o.ID || got.Successes[k].Message == o.Message {
						t.Errorf("%s: success %+v, in English %+v", l, got.Successes[k], o)
					}
				}
				for k, o := range english.Failures {
					if got.Failures[k].ID != o.ID || got.Failures[k].Message == o.Message {
						t.Errorf("%s: failure %+v, in English %+v", l, got.Failures[k], o)
					}
				}
			}
		})
	})
}
