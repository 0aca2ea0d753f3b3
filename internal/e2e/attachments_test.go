package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/detente/detente/internal/messaging"
)

// TestAttachFilesInTheBrowser: a POC attaches files in Chromium with
// JavaScript off. The form goes as multipart/form-data with its token; the
// thread lists each file with its size, type and SHA-256, and that page
// passes axe with no CSP report.
func TestAttachFilesInTheBrowser(t *testing.T) {
	f := newFixture(t)
	axe := axeSource(t)
	dir := t.TempDir()
	files := map[string][]byte{
		"indicators.txt":    []byte("203.0.113.9\nminist3re.example\n"),
		"landing page.html": []byte(`<html><script>alert(document.cookie)</script>KIT</html>`),
	}
	var paths []string
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	slices.Sort(paths)

	b := newTab(t, f.url)
	b.disableScripts()
	f.signInOn(b, "frpoc", nil)
	b.open("/messages/new?type=information_request")
	b.problems() // what signing in left behind is not this test's business
	// Kenya is ticked as a person would: open the list of States, then
	// press its name.
	b.tick(`details.pickbox:has(#recipients-KE) > summary`)
	b.tick(`label[for="recipients-KE"]`)
	b.fill("#subject", "Phishing kit on a ministry look-alike")
	b.do(chromedp.SendKeys(chromedp.CSS("#body"), "The kit and its landing page are attached."),
		chromedp.SendKeys(chromedp.CSS("#f_question"), "Have you seen this kit?")) // empty textareas
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#attachments"), paths))
	if st := b.click(sendButton); st != http.StatusOK {
		t.Fatalf("send: status %d at %s: %s", st, b.path(), b.text("main"))
	}
	if !strings.HasPrefix(b.path(), "/threads/") {
		t.Fatalf("after sending the browser is at %s: %s", b.path(), b.text("main"))
	}
	rows := b.rows("main table.attachments tbody tr")
	for name, content := range files {
		sum := sha256.Sum256(content)
		if !slices.ContainsFunc(rows, func(r []string) bool {
			return len(r) == 4 && r[0] == name && r[1] == messaging.HumanBytes(int64(len(content))) && r[3] == hex.EncodeToString(sum[:])
		}) {
			t.Errorf("the thread does not list %s with its size and hash: %q", name, rows)
		}
	}
	for _, p := range b.problems() {
		t.Errorf("%s: %s", b.path(), p)
	}

	// The stored files are what the browser sent.
	msgs, err := f.app.Messaging.List(context.Background(), f.acc["kepoc"].Actor(), messaging.ListFilter{Box: messaging.Inbox, Query: "phishing"})
	if err != nil || len(msgs) != 1 || len(msgs[0].Attachments) != 2 {
		t.Fatalf("KE's inbox: %v %v", msgs, err)
	}
	for _, at := range msgs[0].Attachments {
		_, got, err := f.app.Messaging.Attachment(context.Background(), f.acc["kepoc"].Actor(), at.ID)
		if err != nil || string(got) != string(files[at.Name]) {
			t.Errorf("%s stored as %q (%v)", at.Name, got, err)
		}
	}

	// The thread with its files, as KE sees it, is accessible.
	ke := f.signIn(t, "kepoc", nil)
	ke.open(strings.TrimPrefix(b.location(), f.url))
	if vs := ke.axe(axe); len(vs) > 0 {
		t.Errorf("thread with attachments: %v", vs)
	}
	for _, p := range ke.problems() {
		t.Errorf("%s: %s", ke.path(), p)
	}
}
