package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// attached sends, as FR's POC, a communication to KE marked label with
// one text file, and returns the file's id. A TLP:RED one names the KE
// accounts given.
func (f *fixture) attached(label, content string, named ...string) string {
	f.t.Helper()
	m, err := f.app.Messaging.Send(context.Background(), f.acc["frpoc"].Actor(), messaging.Draft{Type: messaging.InformationRequest,
		Recipients: []string{"KE"}, Level: messaging.Technical, Urgency: messaging.Routine, TLP: tlp.Label(label), Named: named,
		Subject: "Files for KE (" + label + ")", Body: "See the attached file.", Fields: map[string]string{"question": "Do you see these too?"},
		Attachments: []messaging.Upload{{Name: "notes.txt", MediaType: "text/plain", Content: strings.NewReader(content)}}})
	if err != nil {
		f.t.Fatalf("send a %s file: %v", label, err)
	}
	return m.Attachments[0].ID
}

// rows counts the rows of a table.
func (f *fixture) rows(table string) int {
	f.t.Helper()
	var n int
	if err := f.app.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

type upload struct {
	name, mediaType string
	content         []byte
}

// postFiles submits form with files in its "attachments" input as
// multipart/form-data, the way a browser does: the fields first, in order,
// then each file with its name as given and its declared type.
func (c *client) postFiles(path string, form url.Values, files ...upload) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	form = clone(form)
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf())
	}
	if err := mw.WriteField("csrf", form.Get("csrf")); err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range form {
		for _, v := range vs {
			if k != "csrf" {
				_ = mw.WriteField(k, v)
			}
		}
	}
	if len(files) == 0 {
		files = []upload{{}} // a file input left empty still sends a part
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename="%s"`, strings.ReplaceAll(f.name, `"`, "%22")))
		h.Set("Content-Type", f.mediaType)
		if f.mediaType == "" {
			h.Set("Content-Type", "application/octet-stream")
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = w.Write(f.content)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var attachmentLink = regexp.MustCompile(`href="/attachments/([0-9a-f-]{36})"[^>]*>([^<]+)</a>`)

// links maps the file names listed on a page to their download paths.
func links(body string) map[string]string {
	out := map[string]string{}
	for _, m := range attachmentLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = "/attachments/" + m[1]
	}
	return out
}

func TestAttachmentsOverThePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		fr, ke, nz, sec, anon := f.signIn("frpoc"), f.signIn("kepoc"), f.signIn("nzpoc"), f.signIn("sec"), f.anon()

		page := fr.get("/messages/new?type=information_request")
		for _, want := range []string{`enctype="multipart/form-data"`, `<input type="file" id="attachments" name="attachments" multiple`, "Up to 10 files, 10 MiB each, 25 MiB together",
			`value="TLP:AMBER" checked`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("compose form lacks %s", want)
			}
		}
		form := func() url.Values {
			return url.Values{"type": {"information_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"priority"}, "tlp": {"amber"},
				"subject": {"Phishing kit on a ministry look-alike"}, "body": {"Kit and landing page attached."}, "f_question": {"Have you seen this kit?"}, "ack": {"yes"}}
		}
		text := []byte("hxxp://minist3re.example/login\n203.0.113.9\n")
		html := []byte(`<html><body><script>document.write("pwned")</script>KIT-LANDING-PAGE</body></html>`)
		const textName = "Rapport d’incident – été.txt"

		// A refused file: the form comes back with the problem beside the
		// file input, naming the file; nothing is sent.
		msgs, files := f.rows("messages"), f.rows("attachments")
		r := fr.postFiles("/messages", form(), upload{"indicators.txt", "text/plain", text}, upload{"dropper.exe", "application/x-msdownload", []byte("MZ\x90\x00")})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="attachments-error"`) || !strings.Contains(r.body, "&#34;dropper.exe&#34; is a program") {
			t.Fatalf("refused file: %d\n%s", r.status, snippet(r.body))
		}
		if !strings.Contains(r.body, "Kit and landing page attached.") || !strings.Contains(r.body, "choose them again") {
			t.Error("the form lost what was typed, or does not say to choose the files again")
		}
		if f.rows("messages") != msgs || f.rows("attachments") != files {
			t.Fatal("a refused form stored something")
		}

		// A real multipart post with two files; the HTML page claims to be
		// an image.
		r = fr.postFiles("/messages", form(), upload{textName, "text/plain", text}, upload{"landing.html", "image/png", html})
		if r.status != http.StatusSeeOther {
			t.Fatalf("send with files: %d\n%s", r.status, snippet(r.body))
		}
		thread := strings.Split(strings.TrimPrefix(r.header.Get("Location"), "/threads/"), "?")[0]
		view := ke.get("/threads/" + thread)
		for _, want := range []string{"landing.html", "Rapport d’incident – été.txt", hexSHA(text), hexSHA(html), "82 bytes", "text/html; charset=utf-8 (sent as image/png)"} {
			if !strings.Contains(view.body, want) {
				t.Errorf("KE's thread page lacks %q", want)
			}
		}
		link := links(view.body)
		if len(link) != 2 {
			t.Fatalf("download links: %v", link)
		}

		// The HTML file is a download of bytes, never a page of this site.
		got := ke.get(link["landing.html"])
		wantHeaders := map[string]string{
			"Content-Type":            "application/octet-stream",
			"Content-Disposition":     `attachment; filename="landing.html"; filename*=UTF-8''landing.html`,
			"X-Content-Type-Options":  "nosniff",
			"Content-Security-Policy": "sandbox; default-src 'none'",
			"Cache-Control":           "private, no-store",
		}
		for k, v := range wantHeaders {
			if g := got.header.Get(k); g != v {
				t.Errorf("landing.html %s = %q, want %q", k, g, v)
			}
		}
		if got.status != http.StatusOK || got.body != string(html) {
			t.Errorf("landing.html: %d %q", got.status, got.body)
		}
		got = ke.get(link[textName])
		if ct, cd := got.header.Get("Content-Type"), got.header.Get("Content-Disposition"); ct != "text/plain; charset=utf-8" ||
			cd != `attachment; filename="Rapport d_incident _ _t_.txt"; filename*=UTF-8''Rapport%20d%E2%80%99incident%20%E2%80%93%20%C3%A9t%C3%A9.txt` {
			t.Errorf("text file served as %q, %q", ct, cd)
		}
		if got.body != string(text) || !strings.HasPrefix(got.header.Get("Repr-Digest"), "sha-256=:") {
			t.Errorf("text file: %q, digest %q", got.body, got.header.Get("Repr-Digest"))
		}

		// Those who may not read the message cannot get its files.
		for name, c := range map[string]*client{"nzpoc": nz, "sec": sec} {
			r := c.get(link["landing.html"])
			if r.status != http.StatusNotFound || strings.Contains(r.body, "KIT-LANDING-PAGE") {
				t.Errorf("%s downloads an AMBER file: %d", name, r.status)
			}
		}
		if r := anon.get(link["landing.html"]); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") || strings.Contains(r.body, "KIT-LANDING-PAGE") {
			t.Errorf("anonymous download: %d %s", r.status, r.header.Get("Location"))
		}

		// KE answers with a file of its own through the answer form.
		if !strings.Contains(view.body, `action="/messages/`) || !strings.Contains(view.body, `enctype="multipart/form-data"`) {
			t.Fatal("the answer form does not take files")
		}
		id := regexp.MustCompile(`action="/messages/([0-9a-f-]+)/reply"`).FindStringSubmatch(view.body)[1]
		logs := []byte("Jun 1 03:02 takedown requested\n")
		if r := ke.postFiles("/messages/"+id+"/reply", url.Values{"type": {"update"}, "body": {"Takedown requested; log attached."}, "f_status": {"action taken"}},
			upload{"takedown.log", "", logs}); r.status != http.StatusSeeOther {
			t.Fatalf("answer with a file: %d\n%s", r.status, snippet(r.body))
		}
		frView := fr.get("/threads/" + thread)
		if !strings.Contains(frView.body, hexSHA(logs)) || links(frView.body)["takedown.log"] == "" {
			t.Error("FR does not see the file KE answered with")
		}
		if r := fr.get(links(frView.body)["takedown.log"]); r.body != string(logs) {
			t.Errorf("FR downloads KE's log: %d %q", r.status, r.body)
		}
		// An answer refused for its file shows the thread again with the problem.
		r = ke.postFiles("/messages/"+id+"/reply", url.Values{"type": {"update"}, "body": {"More."}}, upload{"empty.txt", "", nil})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "&#34;empty.txt&#34; is empty") {
			t.Errorf("refused answer: %d\n%s", r.status, snippet(r.body))
		}

		// A TLP:RED file reaches the named POC, not the rest of its State.
		red := "/attachments/" + f.attached("red", "RED-ONLY-CONTENT", f.acc["kepoc"].ID)
		if r := f.signIn("keadmin").get(red); r.status != http.StatusNotFound || strings.Contains(r.body, "RED-ONLY-CONTENT") {
			t.Errorf("KE's admin, not named, downloads a RED file: %d", r.status)
		}
		if r := ke.get(red); r.status != http.StatusOK || r.body != "RED-ONLY-CONTENT" {
			t.Errorf("the named POC cannot download the RED file: %d", r.status)
		}

		// A form with an empty file input is a form without files; an
		// ordinary URL-encoded post still works as before.
		if r := fr.postFiles("/messages", form()); r.status != http.StatusSeeOther {
			t.Errorf("multipart form without files: %d\n%s", r.status, snippet(r.body))
		}
		if r := fr.post("/messages", form()); r.status != http.StatusSeeOther {
			t.Errorf("URL-encoded form: %d\n%s", r.status, snippet(r.body))
		}
	})
}

// TestUploadBodyLimits: a signed-in sender's form may carry the files a
// message allows; beyond that, and for anyone not signed in, the body is
// cut off before it is stored anywhere.
func TestUploadBodyLimits(t *testing.T) {
	f := newFixture(t, store.SQLite)
	fr, anon := f.signIn("frpoc"), f.anon()
	msgs := f.rows("messages")
	form := url.Values{"type": {"information_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"priority"}, "tlp": {"amber"},
		"subject": {"Big"}, "body": {"Big files."}, "f_question": {"?"}}

	// One file over the limit for a file, within what the form may carry:
	// the sender is told which file to drop.
	r := fr.postFiles("/messages", form, upload{"capture.pcap", "", bytes.Repeat([]byte{1}, 11<<20)})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "&#34;capture.pcap&#34; is larger than 10 MiB") {
		t.Errorf("a file over 10 MiB: %d\n%s", r.status, snippet(r.body))
	}
	// A body over what any message may carry is refused whole.
	r = fr.postFiles("/messages", form, upload{"a.bin", "", bytes.Repeat([]byte{1}, 9<<20)}, upload{"b.bin", "", bytes.Repeat([]byte{2}, 9<<20)},
		upload{"c.bin", "", bytes.Repeat([]byte{3}, 9<<20)}, upload{"d.bin", "", bytes.Repeat([]byte{4}, 9<<20)})
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "too large") {
		t.Errorf("36 MiB of files: %d\n%s", r.status, snippet(r.body))
	}
	// Nobody signed in gets the larger allowance.
	r = anon.postFiles("/messages", form, upload{"a.bin", "", bytes.Repeat([]byte{1}, 2<<20)})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "too large") {
		t.Errorf("anonymous upload: %d\n%s", r.status, snippet(r.body))
	}
	if f.rows("messages") != msgs || f.rows("attachments") != 0 {
		t.Error("refused uploads stored something")
	}
}
