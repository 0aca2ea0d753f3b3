package api

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// libraryRows counts what a library write touches, with the audit log.
func (f *fixture) libraryRows() int {
	f.t.Helper()
	var n int
	if err := f.app.DB.R.QueryRow(`SELECT (SELECT COUNT(*) FROM library_documents) + (SELECT COALESCE(SUM(version), 0) FROM library_documents)
		+ (SELECT COUNT(*) FROM audit_log)`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func libraryBody(change map[string]any) map[string]any {
	b := map[string]any{"type": "strategy", "title": "Strategy", "language": "en", "status": "adopted", "visibility": "public",
		"link": "https://fr.test.invalid/strategy"}
	for k, v := range change {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func libraryFileIn(name, content string) map[string]any {
	return map[string]any{"name": name, "content_base64": content}
}

// TestLibraryBadInput: bad text, dates that cannot be read or are out of
// range, unknown values, files refused as attachments are and huge
// numbers get field errors on both engines, writing nothing.
func TestLibraryBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		post := func(body any) req { return req{method: http.MethodPost, path: "/library/documents", body: body} }
		exe := base64.StdEncoding.EncodeToString([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"))
		for _, tc := range []struct {
			name   string
			r      req
			status int
			fields []string
		}{
			{"NUL in a title", post(`{"title": "Strategy\u0000"}`), 400, []string{"title"}},
			{"invalid UTF-8 in a summary", post("{\"summary\": \"Caf\xe9\"}"), 400, []string{"summary"}},
			{"hidden characters and unknown values", post(libraryBody(map[string]any{"title": "Strategy\u202e", "type": "novel", "status": "lost",
				"visibility": "everyone", "language": "english", "provisions": []string{"norm-zz"}, "link": "ftp://fr.test.invalid/"})),
				422, []string{"title", "type", "status", "visibility", "language", "provisions", "link"}},
			{"a date that cannot be read, with other problems", post(libraryBody(map[string]any{"date": "2025-02-30", "title": ""})), 422, []string{"date", "title"}},
			{"a date out of range", post(libraryBody(map[string]any{"date": "0001-01-01"})), 422, []string{"date"}},
			{"superseded by nothing", post(libraryBody(map[string]any{"status": "superseded"})), 422, []string{"superseded_by"}},
			{"superseded by an unknown document", post(libraryBody(map[string]any{"status": "superseded", "superseded_by": unknownID})), 422, []string{"superseded_by"}},
			{"neither file nor link", post(libraryBody(map[string]any{"link": nil})), 422, []string{"file"}},
			{"a file and a link", post(libraryBody(map[string]any{"file": libraryFileIn("a.txt", "YQ==")})), 422, []string{"link"}},
			{"a file not in base64", post(libraryBody(map[string]any{"link": nil, "title": "", "file": libraryFileIn("a.txt", "not base64!")})),
				422, []string{"file.content_base64", "title"}},
			{"a program", post(libraryBody(map[string]any{"link": nil, "file": libraryFileIn("tool.exe", exe)})), 422, []string{"file"}},
			{"a huge number for a title", post(`{"title": 1e400}`), 400, nil},
			{"too many provisions", post(libraryBody(map[string]any{"provisions": strings.Split(strings.Repeat("cbm-7,", 21), ",")[:21]})), 422, []string{"provisions"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := f.libraryRows()
				res := f.do(frPOC, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				got := res.errorFields(t)
				for _, name := range tc.fields {
					if msg, _ := got[name].(string); msg == "" {
						t.Errorf("no message for %s: %s", name, res)
					}
				}
				if after := f.libraryRows(); after != before {
					t.Errorf("refused request wrote: %d → %d", before, after)
				}
			})
		}
	})
}

// TestLibraryDocumentLifecycle: a shared file is searched by its text,
// kept when only the metadata changes, and a withdrawn document is gone
// from search and reads; stale and missing versions are refused.
func TestLibraryDocumentLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		text := "Measures against ransomware in hospitals: a heliotropic plan."
		res := f.do(frPOC, req{method: http.MethodPost, path: "/library/documents", body: libraryBody(map[string]any{"link": nil,
			"file": libraryFileIn("plan.txt", base64.StdEncoding.EncodeToString([]byte(text)))})})
		if res.status != http.StatusCreated {
			t.Fatalf("add: %d: %s", res.status, res)
		}
		id, _ := res.json(t)["id"].(string)
		path := "/library/documents/" + id
		found := func(who string) bool {
			return strings.Contains(string(f.get(who, "/library/documents?q=heliotrop").body), id)
		}
		if !found(anon) {
			t.Error("the public document's file text is not searched")
		}
		edit := libraryBody(map[string]any{"link": nil, "title": "Hospital plan", "summary": "Edited."})
		if res := f.do(frPOC, req{method: http.MethodPut, path: path, body: edit}); res.status != http.StatusPreconditionRequired {
			t.Errorf("edit without a version: %d, want 428", res.status)
		}
		if res := f.do(frPOC, req{method: http.MethodPut, path: path, body: edit, header: map[string]string{"If-Match": `"4"`}}); res.status != http.StatusConflict {
			t.Errorf("edit at a stale version: %d, want 409", res.status)
		}
		edit["version"] = 1
		res = f.do(frAdmin, req{method: http.MethodPut, path: path, body: edit})
		if res.status != http.StatusOK || !strings.Contains(string(res.body), `"name":"plan.txt"`) {
			t.Fatalf("edit keeping the file: %d: %s", res.status, res)
		}
		if file := f.get(anon, path+"/file"); file.status != http.StatusOK || string(file.body) != text || file.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("file after the edit: %d %q %v", file.status, file.body, file.header)
		}
		if !found(kePOC) {
			t.Error("an edit of the metadata lost the file's words")
		}
		if res := f.do(frPOC, req{method: http.MethodDelete, path: path, body: map[string]any{"version": 2}}); res.status != http.StatusNoContent {
			t.Fatalf("withdraw: %d: %s", res.status, res)
		}
		if found(frPOC) || f.get(frPOC, path).status != http.StatusNotFound {
			t.Error("a withdrawn document is still found")
		}
	})
}

// TestLibrarySupersededByWhatTheReaderMayRead: a public document
// superseded by a private one names it to its own State only, and a list
// names it to nobody.
func TestLibrarySupersededByWhatTheReaderMayRead(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		set := f.library()
		old := f.freshDocument()
		res := f.do(frPOC, req{method: http.MethodPut, path: "/library/documents/" + old.ID, header: map[string]string{"If-Match": `"1"`},
			body: libraryBody(map[string]any{"status": "superseded", "superseded_by": set.frPriv.ID})})
		if res.status != http.StatusOK || !strings.Contains(string(res.body), set.frPriv.ID) {
			t.Fatalf("supersede: %d: %s", res.status, res)
		}
		for role, names := range map[string]bool{frViewer: true, sec: true, kePOC: false, nzPOC: false, anon: false} {
			got := f.get(role, "/library/documents/"+old.ID)
			if named := strings.Contains(string(got.body), set.frPriv.ID); got.status != http.StatusOK || named != names {
				t.Errorf("%s: %d, names the private document: %v, want %v: %s", role, got.status, named, names, got)
			}
			if list := f.get(role, "/library/documents?state=FR&limit=200"); strings.Contains(string(list.body), set.frPriv.ID) && role != frViewer && role != sec {
				t.Errorf("%s lists the private document's id: %s", role, list)
			}
		}
	})
}
