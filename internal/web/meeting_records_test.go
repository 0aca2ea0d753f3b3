package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// recordRows counts what the pages after a meeting write.
func recordRows(t *testing.T, f *fixture) [4]int {
	t.Helper()
	return [4]int{f.rows("meeting_records"), f.rows("meeting_attendance"), f.rows("meeting_publications"), f.rows("audit_log")}
}

// TestMeetingRecordsBadInput: NUL bytes, invalid UTF-8, hidden formatting
// characters, labels that may not be used and sizes too large come back
// as the form with the field marked, on every engine, and write nothing.
func TestMeetingRecordsBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		p := f.pastMeetings()
		sec := f.signIn("sec")
		base := "/meetings/" + p.sec.ID + "/records"
		minutes := url.Values{"m_title": {"Addendum"}, "m_tlp": {"TLP:GREEN"}, "body": {"More points."}}
		publish := url.Values{"summary": {"Outcome."}}
		for _, tc := range []struct {
			name, path string
			form       url.Values
			files      []upload
			status     int
			field      string
		}{
			{"NUL in a title", base + "/minutes", withField(minutes, "m_title", "Add\x00endum"), nil, 422, "m_title"},
			{"invalid UTF-8 in a title", base + "/minutes", withField(minutes, "m_title", "Add\xffendum"), nil, 422, "m_title"},
			{"hidden character in a title", base + "/minutes", withField(minutes, "m_title", "Addendum\u202Etxt.exe"), nil, 422, "m_title"},
			{"huge title", base + "/minutes", withField(minutes, "m_title", strings.Repeat("t", 5_000)), nil, 422, "m_title"},
			{"NUL in minutes", base + "/minutes", withField(minutes, "body", "More\x00points"), nil, 422, "body"},
			{"invalid UTF-8 in minutes", base + "/minutes", withField(minutes, "body", "More \xc3 points"), nil, 422, "body"},
			{"hidden character in minutes", base + "/minutes", withField(minutes, "body", "More\u2067points"), nil, 422, "body"},
			{"huge minutes", base + "/minutes", withField(minutes, "body", strings.Repeat("word ", 45_000)), nil, 422, "body"},
			{"TLP:RED minutes", base + "/minutes", withField(minutes, "m_tlp", "TLP:RED"), nil, 422, "m_tlp"},
			{"unknown label", base + "/minutes", withField(minutes, "m_tlp", "TLP:PURPLE\x00"), nil, 422, "m_tlp"},
			{"a program", base + "/files", url.Values{"f_title": {"Tool"}, "f_tlp": {"TLP:AMBER"}}, []upload{{"tool.pdf", "application/pdf", []byte("MZ\x90\x00")}}, 422, "attachments"},
			{"a disguised file name", base + "/files", url.Values{"f_title": {"Report"}, "f_tlp": {"TLP:AMBER"}}, []upload{{"report\u202Efdp.exe", "application/pdf", []byte("%PDF")}}, 422, "attachments"},
			{"two files", base + "/files", url.Values{"f_title": {"Report"}, "f_tlp": {"TLP:AMBER"}},
				[]upload{{"a.txt", "text/plain", []byte("a")}, {"b.txt", "text/plain", []byte("b")}}, 422, "attachments"},
			{"a file over the limit", base + "/files", url.Values{"f_title": {"Dump"}, "f_tlp": {"TLP:AMBER"}},
				[]upload{{"dump.txt", "text/plain", make([]byte, 10<<20+1)}}, 422, "attachments"},
			{"a file too large for any form", base + "/files", url.Values{"f_title": {"Dump"}, "f_tlp": {"TLP:AMBER"}},
				[]upload{{"dump.txt", "text/plain", make([]byte, 40<<20)}}, http.StatusRequestEntityTooLarge, ""},
			{"unknown presence", base + "/attendance", url.Values{"p_" + p.keInv: {"asleep\x00"}}, nil, 422, "attendance." + p.keInv},
			{"unknown invitation", base + "/attendance", url.Values{"p_\xff": {"remote"}}, nil, 422, "attendance"},
			{"NUL in the public summary", base + "/publish", withField(publish, "summary", "Out\x00come"), nil, 422, "summary"},
			{"hidden character in the public summary", base + "/publish", withField(publish, "summary", "Out\u200Bcome"), nil, 422, "summary"},
			{"huge public summary", base + "/publish", withField(publish, "summary", strings.Repeat("s", 9_000)), nil, 422, "summary"},
			{"publishing TLP:AMBER minutes", base + "/publish", withField(publish, "records", p.minutes.ID), nil, 422, "records"},
			{"NUL in changed minutes", "/meetings/records/" + p.minutes.ID + "/edit",
				url.Values{"version": {"1"}, "title": {"Minutes"}, "tlp": {"TLP:AMBER"}, "body": {"a\x00b"}}, nil, 422, "body"},
			{"a huge version", "/meetings/records/" + p.minutes.ID + "/edit",
				url.Values{"version": {"99999999999999999999999"}, "title": {"Minutes"}, "tlp": {"TLP:AMBER"}, "body": {"ab"}}, nil, http.StatusConflict, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := sec.on(t)
				before := recordRows(t, f)
				var r response
				if tc.files != nil {
					r = c.postFiles(tc.path, tc.form, tc.files...)
				} else {
					r = c.post(tc.path, tc.form)
				}
				if r.status != tc.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tc.status, snippet(r.body))
				}
				if tc.field != "" && !strings.Contains(r.body, `id="`+tc.field+`-error"`) {
					t.Errorf("the page does not mark the field %q\n%s", tc.field, snippet(r.body))
				}
				if after := recordRows(t, f); after != before {
					t.Errorf("refused request changed the database: %v → %v", before, after)
				}
			})
		}
		// What was typed comes back.
		r := sec.post(base+"/minutes", withField(minutes, "m_title", "Bad\x00", "body", "Keep this text"))
		if !strings.Contains(r.body, "Keep this text") {
			t.Error("the minutes typed were lost")
		}
	})
}

// TestMeetingDocumentUpload adds a document through the form as a browser
// does and downloads it as an invited State and from the public page once
// published.
func TestMeetingDocumentUpload(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		p := f.pastMeetings()
		sec, ke, nz, anon := f.signIn("sec"), f.signIn("kepoc"), f.signIn("nzpoc"), f.anon()
		base := "/meetings/" + p.sec.ID + "/records"
		html := []byte("<html><script>alert(1)</script></html>")
		r := sec.postFiles(base+"/files", url.Values{"f_title": {"Outcome page"}, "f_tlp": {"TLP:CLEAR"}}, upload{"outcome.html", "image/png", html})
		if r.status != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", r.status, snippet(r.body))
		}
		list := ke.get(base + "/documents")
		i := strings.Index(list.body, "outcome.html")
		if i < 0 {
			t.Fatalf("KE's list lacks the document\n%s", snippet(list.body))
		}
		start := strings.LastIndex(list.body[:i], `href="/meetings/records/`)
		link := list.body[start+len(`href="`):]
		link = link[:strings.IndexByte(link, '"')]
		got := ke.get(link)
		if got.status != http.StatusOK || got.body != string(html) || got.header.Get("Content-Type") != "application/octet-stream" ||
			got.header.Get("Content-Security-Policy") != "sandbox; default-src 'none'" || got.header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("download: %d %v", got.status, got.header)
		}
		if r := nz.get(link); r.status != http.StatusNotFound || strings.Contains(r.body, "alert(1)") {
			t.Errorf("NZ downloads the document: %d", r.status)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(link, "/meetings/records/"), "/download")
		if r := anon.get("/meetings/public/files/" + id); r.status != http.StatusNotFound {
			t.Errorf("an unpublished document is public: %d", r.status)
		}
		if r := sec.post(base+"/publish", url.Values{"summary": {pastSummary}, "records": {id}}); r.status != http.StatusSeeOther {
			t.Fatalf("publish: %d\n%s", r.status, snippet(r.body))
		}
		if r := anon.get("/meetings/public/files/" + id); r.status != http.StatusOK || r.body != string(html) || r.header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("the published document: %d %v", r.status, r.header)
		}
		// The clear document published before is no longer chosen.
		if r := anon.get("/meetings/public/files/" + p.clear.ID); r.status != http.StatusNotFound {
			t.Errorf("a document no longer chosen stays public: %d", r.status)
		}
	})
}
