package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// runLifecycle walks one entry through nomination, edits guarded by
// version, confirmation and retirement, as a State administrator's script
// would.
func runLifecycle(t *testing.T, f *fixture) {
	f = f.with(t)
	body := validPOC("CERT-FR duty officer")
	body["pgp_key"] = testKey(t, false)
	res := f.do(frAdmin, req{method: http.MethodPost, path: "/states/fr/pocs", body: body})
	if res.status != http.StatusCreated {
		t.Fatalf("nominate: %s", res)
	}
	p := res.json(t)
	id, _ := p["id"].(string)
	if loc := res.header.Get("Location"); loc != prefix+"/pocs/"+id {
		t.Errorf("Location %q", loc)
	}
	if p["state"] != "FR" || p["version"] != 1.0 || res.header.Get("ETag") != `"1"` {
		t.Errorf("nominated entry: %s (ETag %s)", res.body, res.header.Get("ETag"))
	}
	if fp, _ := p["pgp_fingerprint"].(string); len(fp) != 40 {
		t.Errorf("pgp_fingerprint %q, want the key's v4 fingerprint", fp)
	}
	if phones := p["phones"].([]any); phones[0] != "+33171758468" {
		t.Errorf("phones %v, want the E.164 form", phones)
	}

	// Two administrators load version 1; the first edit wins, the second
	// is refused instead of silently overwriting it.
	get := f.get(frAdmin, "/pocs/"+id)
	etag := get.header.Get("ETag")
	body["function_title"] = "CERT-FR head of operations"
	if res := f.do(frAdmin, req{method: http.MethodPut, path: "/pocs/" + id, body: body, header: map[string]string{"If-Match": etag}}); res.status != 200 || res.header.Get("ETag") != `"2"` {
		t.Fatalf("first edit: %s", res)
	}
	body["function_title"] = "Overwritten"
	if res := f.do(frAdmin, req{method: http.MethodPut, path: "/pocs/" + id, body: body, header: map[string]string{"If-Match": etag}}); res.status != http.StatusConflict {
		t.Fatalf("second edit with the old ETag: %s", res)
	}
	// Clients that cannot set headers send the version in the body.
	body["version"] = 2
	body["function_title"] = "CERT-FR operations"
	if res := f.do(frAdmin, req{method: http.MethodPut, path: "/pocs/" + id, body: body}); res.status != 200 || res.json(t)["version"] != 3.0 {
		t.Fatalf("edit with a version field: %s", res)
	}

	f.clock.Advance(time.Hour)
	res = f.do(frAdmin, req{method: http.MethodPost, path: "/pocs/" + id + "/confirm"})
	if res.status != 200 || res.json(t)["confirmed_at"] != f.clock.Now().Format(time.RFC3339) {
		t.Fatalf("confirm: %s", res)
	}
	if res := f.do(frAdmin, req{method: http.MethodPost, path: "/pocs/" + id + "/retire"}); res.status != 200 || res.json(t)["status"] != "retired" {
		t.Fatalf("retire: %s", res)
	}

	hist := f.get(frAdmin, "/pocs/"+id+"/history")
	items, _ := hist.json(t)["items"].([]any)
	var actions []string
	for _, it := range items {
		actions = append(actions, it.(map[string]any)["action"].(string))
	}
	if got := strings.Join(actions, ","); got != "retire,confirm,edit,edit,nominate" {
		t.Errorf("history actions %s", got)
	}

	// Retired entries leave the directory, except for their own State.
	for _, c := range []struct {
		role, path string
		listed     bool
	}{
		{frAdmin, "/pocs?state=FR", false},
		{frAdmin, "/pocs?state=FR&retired=true", true},
		{sec, "/pocs?retired=true", true},
		{kePOC, "/pocs?retired=true", false},
	} {
		res := f.get(c.role, c.path)
		if res.status != 200 || strings.Contains(string(res.body), id) != c.listed {
			t.Errorf("%s GET %s: listed=%v, want %v: %s", c.role, c.path, !c.listed, c.listed, res.body)
		}
	}
	if res := f.get(kePOC, "/pocs/"+id); res.status != http.StatusNotFound {
		t.Errorf("another State reads a retired entry: %s", res)
	}
}

func TestPOCLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) { runLifecycle(t, f) })
}

// runFilters checks the directory filters narrow the list as documented.
func runFilters(t *testing.T, f *fixture) {
	f = f.with(t)
	for _, c := range []struct {
		path      string
		want, not []string
	}{
		{"/pocs?state=ke", []string{keTechEmail}, []string{frTechEmail}},
		{"/pocs?level=diplomatic", []string{frDipEmail}, []string{frTechEmail, keTechEmail}},
		{"/pocs?region=African", []string{keTechEmail}, []string{frTechEmail}},
		{"/pocs?region=Western+European+and+others", []string{frTechEmail}, []string{keTechEmail}},
		{"/pocs?stale=false", []string{frTechEmail, keTechEmail}, nil},
		{"/pocs?stale=true", nil, []string{frTechEmail, keTechEmail}},
	} {
		res := f.get(sec, c.path)
		if res.status != 200 {
			t.Errorf("GET %s: %s", c.path, res)
			continue
		}
		for _, s := range c.want {
			if !strings.Contains(string(res.body), s) {
				t.Errorf("GET %s lacks %s", c.path, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(string(res.body), s) {
				t.Errorf("GET %s lists %s", c.path, s)
			}
		}
	}
	// The catalogue search combines with the filters.
	res := f.get(anon, "/framework/provisions?q=critical+infrastructure&kind=norm")
	items, _ := res.json(t)["items"].([]any)
	if res.status != 200 || len(items) == 0 {
		t.Fatalf("search: %s", res)
	}
	for _, it := range items {
		if k := it.(map[string]any)["kind"]; k != "norm" {
			t.Errorf("search with kind=norm returned a %v", k)
		}
	}
}

func TestFilters(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) { runFilters(t, f) })
}
