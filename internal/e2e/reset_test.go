package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestResetInTheBrowser walks getting back in as people do it: the
// administrator opens the reset disclosure (plain HTML, no script) and
// presses the button, the person follows the mailed link, types a new
// password twice (first wrongly), and lands signed in. axe checks the
// pages on the way.
func TestResetInTheBrowser(t *testing.T) {
	f := newFixture(t)
	axe := axeSource(t)
	accessible := func(b *tab) {
		b.t.Helper()
		for _, v := range b.axe(axe) {
			b.t.Errorf("%s: %s", b.path(), v)
		}
	}
	poc := f.acc["frpoc"]
	admin := f.signIn(t, "fradmin", nil)
	admin.open("/admin/accounts")
	form := `form[action="/admin/accounts/` + poc.ID + `/reset"]`
	if h := admin.html(); !strings.Contains(h, "/admin/accounts/"+poc.ID+"/reset") {
		t.Fatalf("no reset form for %s:\n%s", poc.Email, h)
	}
	admin.tick(`details:has(` + form + `) summary`)
	accessible(admin)
	admin.click(form + ` button`)
	if got := admin.text(".flash.ok"); !strings.Contains(got, "mailed to "+poc.Email) {
		t.Fatalf("after the reset the page says %q", got)
	}
	accessible(admin)

	f.drain()
	found := f.mail.Newest(poc.Email, regexp.MustCompile(`https?://[^/\s]+(/reset/[A-Za-z0-9_-]{43})`))
	if found == nil {
		t.Fatal("no reset mail")
	}
	b := newTab(t, f.url)
	b.open(found[1])
	accessible(b)
	b.fill("#password", "a brand new passphrase")
	b.fill("#password2", "a brand new passphrasf")
	b.click("main form button[type=submit]")
	if got := b.text("#password2-error"); !strings.Contains(got, "differ") {
		t.Fatalf("differing passwords: %q", got)
	}
	accessible(b)
	b.fill("#password", "a brand new passphrase")
	b.fill("#password2", "a brand new passphrase")
	b.click("main form button[type=submit]")
	if got := b.text(".flash.ok"); !strings.Contains(got, "password was changed") {
		t.Errorf("after the reset the page says %q (at %s)", got, b.path())
	}
	b.open("/account")
	if got := b.text("header.site form button"); !strings.Contains(got, poc.Email) {
		t.Fatalf("not signed in after the reset: %q", got)
	}
	if p := b.problems(); len(p) > 0 {
		t.Errorf("browser problems: %v", p)
	}
}
