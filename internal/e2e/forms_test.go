package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAnswerComesBackWithWhatWasTyped: an answer sent without its kind,
// the case that used to lose the text on a bare error page, comes back in
// the browser as the thread with the text still in the box, the message
// beside the kind, and a plain note at the top leading to the form.
func TestAnswerComesBackWithWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, "kepoc", nil)
	path := "/threads/" + f.msg.ThreadID
	b.open(path)
	const typed = "Our CERT is looking at the indicators; more by 16:00 UTC."
	b.do(chromedp.SendKeys(chromedp.CSS("#rbody"), typed)) // an empty box: nothing to clear
	if st := b.click(`form[action$="/reply"] button[type=submit]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422 for a form that came back", st)
	}
	if p := b.path(); !strings.HasPrefix(p, "/messages/") && !strings.HasPrefix(p, path) {
		t.Fatalf("the form came back at %s", p)
	}
	if body := run(b, chromedp.Value(chromedp.CSS("#rbody"))); body != typed {
		t.Errorf("the message box holds %q, want what was typed", body)
	}
	if msg := b.text("#type-error"); msg == "" {
		t.Error("no message beside the kind of answer")
	}
	if note := b.text(".flash.bad"); !strings.Contains(note, "not sent") {
		t.Errorf("the note at the top says %q", note)
	}
	if !strings.Contains(b.html(), `href="#answer"`) {
		t.Error("the note does not lead to the form")
	}
}
