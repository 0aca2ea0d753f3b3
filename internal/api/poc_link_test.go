package api

import (
	"net/http"
	"testing"
)

// pendingIDs returns the challenge ids of the open checks role may answer.
func (f *fixture) pendingIDs(role string) []string {
	f.t.Helper()
	res := f.get(role, "/checks/pending")
	if res.status != http.StatusOK {
		f.t.Fatalf("pending checks of %s: %s", role, res)
	}
	var out []string
	items, _ := res.json(f.t)["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["challenge_id"].(string))
	}
	return out
}

// linkOf returns the account_id an entry shows role, and whether it is there
// at all.
func (f *fixture) linkOf(role, path string) (any, bool) {
	f.t.Helper()
	res := f.get(role, path)
	if res.status != http.StatusOK {
		f.t.Fatalf("GET %s as %s: %s", path, role, res)
	}
	v, ok := res.json(f.t)["account_id"]
	return v, ok
}

// TestAccountLinkThroughTheAPI: an edit that does not mention the link
// keeps it, so the person's pending checks stay; a link made after a check
// opened lets that person answer it; only the State's administrators are
// told the link.
func TestAccountLinkThroughTheAPI(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		ke, fr := f.poc["ketech"], f.poc["frtech"]
		f.token["keadmin"] = f.newToken("keadmin", "read", "write")
		keAccount, frPOCAccount := f.acc[kePOC].ID, f.acc[frPOC].ID

		if got := f.pendingIDs(kePOC); len(got) != 1 {
			t.Fatalf("KE's POC has %d pending checks before the edit, want 1", len(got))
		}
		res := f.do("keadmin", req{method: http.MethodPut, path: "/pocs/" + ke.ID, body: validPOC("KE CIRT duty desk"), header: map[string]string{"If-Match": `"1"`}})
		if res.status != http.StatusOK || res.json(t)["account_id"] != keAccount {
			t.Fatalf("edit without account_id: %s; want the link to %s kept", res, keAccount)
		}
		if got := f.pendingIDs(kePOC); len(got) != 1 {
			t.Errorf("after an edit that did not mention the link, KE's POC has %d pending checks, want 1", len(got))
		}

		// FR's entry was not linked when the autumn check opened.
		if got := f.pendingIDs(frPOC); len(got) != 0 {
			t.Fatalf("FR's POC has pending checks before being linked: %v", got)
		}
		body := validPOC("FR CERT duty")
		body["account_id"] = frPOCAccount
		res = f.do(frAdmin, req{method: http.MethodPut, path: "/pocs/" + fr.ID, body: body, header: map[string]string{"If-Match": `"1"`}})
		if res.status != http.StatusOK || res.json(t)["account_id"] != frPOCAccount {
			t.Fatalf("link by edit: %s", res)
		}
		pending := f.pendingIDs(frPOC)
		if len(pending) != 1 {
			t.Fatalf("linked after the check opened, FR's POC has %d pending checks, want 1", len(pending))
		}
		// Unlinked again, the person can no longer answer for the entry.
		body["account_id"] = nil
		res = f.do(frAdmin, req{method: http.MethodPut, path: "/pocs/" + fr.ID, body: body, header: map[string]string{"If-Match": `"2"`}})
		if v, ok := res.json(t)["account_id"]; res.status != http.StatusOK || !ok || v != nil {
			t.Fatalf("unlink with null: %s", res)
		}
		if got := f.pendingIDs(frPOC); len(got) != 0 {
			t.Errorf("unlinked, FR's POC still has pending checks %v", got)
		}
		if res := f.do(frPOC, req{method: http.MethodPost, path: "/checks/challenges/" + pending[0] + "/acknowledge"}); res.status != http.StatusNotFound {
			t.Errorf("unlinked account answers the check: %s", res)
		}
		body["account_id"] = frPOCAccount
		if res := f.do(frAdmin, req{method: http.MethodPut, path: "/pocs/" + fr.ID, body: body, header: map[string]string{"If-Match": `"3"`}}); res.status != http.StatusOK {
			t.Fatalf("relink: %s", res)
		}
		if res := f.do(frPOC, req{method: http.MethodPost, path: "/checks/challenges/" + pending[0] + "/acknowledge"}); res.status != http.StatusNoContent {
			t.Errorf("linked account cannot answer the check: %s", res)
		}

		// Who is told the link.
		for _, c := range []struct {
			role, path string
			want       any // nil with shown=false: the field is absent
			shown      bool
		}{
			{frAdmin, "/pocs/" + fr.ID, frPOCAccount, true},
			{readOnly, "/pocs/" + fr.ID, frPOCAccount, true},
			{"keadmin", "/pocs/" + ke.ID, keAccount, true},
			{frAdmin, "/pocs/" + f.poc["frdip"].ID, nil, true}, // not linked: null
			{frViewer, "/pocs/" + fr.ID, nil, false},
			{frPOC, "/pocs/" + fr.ID, nil, false},
			{sec, "/pocs/" + fr.ID, nil, false},
			{kePOC, "/pocs/" + fr.ID, nil, false},
			{kePOC, "/pocs/" + ke.ID, nil, false},
			{frAdmin, "/pocs/" + ke.ID, nil, false},
			{"keadmin", "/pocs/" + fr.ID, nil, false},
		} {
			got, shown := f.linkOf(c.role, c.path)
			if shown != c.shown || got != c.want {
				t.Errorf("GET %s as %s: account_id %v (present %v), want %v (present %v)", c.path, c.role, got, shown, c.want, c.shown)
			}
		}
		for role, shown := range map[string]bool{frAdmin: true, frViewer: false, sec: false} {
			res := f.get(role, "/pocs/"+fr.ID+"/history")
			for _, it := range res.json(t)["items"].([]any) {
				if _, ok := it.(map[string]any)["snapshot"].(map[string]any)["account_id"]; ok != shown {
					t.Errorf("history as %s: account_id present %v, want %v", role, ok, shown)
				}
			}
		}
	})
}

// TestReinstate: a retired entry comes back as a new version, audited, and
// only once.
func TestReinstate(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		p := f.freshPOC()
		if res := f.do(frAdmin, req{method: http.MethodPost, path: "/pocs/" + p.ID + "/retire"}); res.status != http.StatusOK {
			t.Fatalf("retire: %s", res)
		}
		if res := f.get(kePOC, "/pocs/"+p.ID); res.status != http.StatusNotFound {
			t.Fatalf("another State reads the retired entry: %s", res)
		}
		res := f.do(frAdmin, req{method: http.MethodPost, path: "/pocs/" + p.ID + "/reinstate"})
		if res.status != http.StatusOK || res.json(t)["status"] != "active" || res.json(t)["version"] != 3.0 || res.header.Get("ETag") != `"3"` {
			t.Fatalf("reinstate: %s", res)
		}
		if res := f.get(kePOC, "/pocs/"+p.ID); res.status != http.StatusOK {
			t.Errorf("another State cannot read the reinstated entry: %s", res)
		}
		if res := f.do(frAdmin, req{method: http.MethodPost, path: "/pocs/" + p.ID + "/reinstate"}); res.status != http.StatusConflict {
			t.Errorf("reinstating an active entry: %s", res)
		}
		hist := f.get(frAdmin, "/pocs/"+p.ID+"/history").json(t)["items"].([]any)
		if a := hist[0].(map[string]any)["action"]; a != "reinstate" {
			t.Errorf("newest version's action %v, want reinstate", a)
		}
		var n int
		if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'poc.reinstate' AND object_id = $1`, p.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries for the reinstatement: %d, %v", n, err)
		}
	})
}
