package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestTextNoDatabaseStores: a NUL character or bytes that are not UTF-8
// get, on every engine (PostgreSQL used to answer 500), a 400 naming the
// address parameter, or the form again with the field marked (422), and
// change nothing.
func TestTextNoDatabaseStores(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		clients := map[string]*client{}
		for _, key := range []string{"sec", "fradmin", "frpoc"} {
			clients[key] = f.signIn(key)
		}
		nominate := url.Values{"level": {"policy"}, "function_title": {"Policy lead"}, "organisation": {"Ministry \xff"},
			"emails": {"policy@fr.test.invalid"}, "phones": {"+33 1 23 45 67 89"}, "languages": {"fr"}, "time_zone": {"Europe/Paris"}, "availability": {"24x7"}}
		send := url.Values{"type": {"information_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"routine"}, "tlp": {"amber"},
			"subject": {"Scan\x00ning"}, "body": {"Seen?"}, "f_question": {"Indicators?"}}
		draft := "/survey/reports/" + f.survey().frB.ID
		for _, tc := range []struct {
			name, who, method, path string
			form                    url.Values
			status                  int
			field                   string
		}{
			{"NUL in a directory filter", "fradmin", "GET", "/directory?region=%00", nil, 400, "region"},
			{"invalid UTF-8 in a directory filter", "fradmin", "GET", "/directory?level=%FF", nil, 400, "level"},
			{"NUL in an export filter", "fradmin", "GET", "/directory/export.csv?state=F%00", nil, 400, "state"},
			{"NUL in a search", "frpoc", "GET", "/messages?q=scan%00", nil, 400, "q"},
			{"invalid UTF-8 in a search", "frpoc", "GET", "/messages?q=%C3", nil, 400, "q"},
			{"NUL in an audit filter", "sec", "GET", "/admin/audit?actor=%00", nil, 400, "actor"},
			{"invalid UTF-8 in an audit filter", "sec", "GET", "/admin/audit?action=poc%FE", nil, 400, "action"},
			{"NUL in a path", "fradmin", "GET", "/directory/states/F%00", nil, 404, ""},
			{"invalid UTF-8 in a form field", "fradmin", "POST", "/directory/states/FR/nominate", nominate, 422, "organisation"},
			{"NUL in a form field", "frpoc", "POST", "/messages", send, 422, "subject"},
			{"NUL in a long form field", "frpoc", "POST", "/messages", withField(send, "subject", "Scan", "body", "Seen\x00?"), 422, "body"},
			{"invalid UTF-8 in a template field", "frpoc", "POST", "/messages", withField(send, "subject", "Scan", "f_question", "Seen \xc3?"), 422, "f_question"},
			{"NUL in a recipient", "frpoc", "POST", "/messages", withField(send, "subject", "Scan", "recipients", "K\x00E"), 422, "recipients"},
			{"NUL in an incident filter", "frpoc", "GET", "/incidents?sector=%00", nil, 400, "sector"},
			{"NUL in an incident title", "frpoc", "POST", "/incidents", url.Values{"title": {"Out\x00age"}, "summary": {"Down."}, "occurred_at": {"2026-05-30T08:00"}, "tlp": {"TLP:GREEN"}}, 422, "title"},
			{"invalid UTF-8 in an incident's event", "frpoc", "POST", "/incidents", url.Values{"title": {"Outage"}, "summary": {"Down."}, "occurred_at": {"2026-05-30T08:00"},
				"tlp": {"TLP:GREEN"}, "rows": {"3"}, "ev_at_2": {"2026-05-30T09:00"}, "ev_what_2": {"Seen \xc3"}}, 422, "timeline.2.what"},
			{"NUL in a template label", "sec", "POST", "/admin/templates/closure", url.Values{"title": {"Closure"}, "rows": {"1"},
				"f0_name": {"outcome"}, "f0_label": {"Out\x00come"}, "f0_kind": {"longtext"}}, 422, "f0"},
			{"NUL in a survey cycle's name", "sec", "POST", "/survey/cycles", url.Values{"name": {"20\x0031"}, "opens": {"2031-01-01"}, "deadline": {"2031-02-01"}}, 422, "name"},
			{"invalid UTF-8 in a survey answer", "frpoc", "POST", draft + "/edit", url.Values{"part": {"law"}, "version": {"2"}, "law-26.challenges": {"Few \xc3"}}, 422, "law-26.challenges"},
			{"NUL in a library search", "frpoc", "GET", "/library?q=law%00", nil, 400, "q"},
			{"invalid UTF-8 in a library filter", "frpoc", "GET", "/library?type=%FF", nil, 400, "type"},
			{"NUL in a library document's title", "frpoc", "POST", "/library", url.Values{"type": {"law"}, "title": {"La\x00w"}, "language": {"fr"},
				"status": {"adopted"}, "visibility": {"public"}, "link": {"https://example.org/"}}, 422, "title"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := clients[tc.who].on(t)
				before := rowCounts(t, f)
				var r response
				if tc.method == "GET" {
					r = c.get(tc.path)
				} else {
					r = c.post(tc.path, tc.form)
				}
				if r.status != tc.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tc.status, snippet(r.body))
				}
				named := "“" + tc.field + "”"
				if tc.status == 422 {
					named = `id="` + tc.field + `-error"`
				}
				if tc.field != "" && !strings.Contains(r.body, named) {
					t.Errorf("the page does not name the field %q\n%s", tc.field, snippet(r.body))
				}
				if after := rowCounts(t, f); after != before {
					t.Errorf("refused request changed the database: %v → %v", before, after)
				}
			})
		}
	})
}

func rowCounts(t *testing.T, f *fixture) [3]int {
	t.Helper()
	var out [3]int
	for i, table := range []string{"pocs", "messages", "audit_log"} {
		if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// withField returns a copy of form with the given fields set.
func withField(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}
