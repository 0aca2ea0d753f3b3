package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/i18n"
)

var htmlLangRe = regexp.MustCompile(`<html lang="([^"]*)" dir="([^"]*)">`)

// leftOverflowCheck finds what starts left of the screen: in a page laid
// out right to left, what does not fit runs off to the left, where the
// page cannot be scrolled to.
const leftOverflowCheck = `
const out = [];
for (const el of document.body.querySelectorAll('*')) {
	const r = el.getBoundingClientRect();
	if (r.width > 0 && r.left < -0.5) {
		let clipped = false;
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') { clipped = true; break; } }
		if (clipped || (el.parentElement && el.parentElement.getBoundingClientRect().left < -0.5)) continue;
		out.push('<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '> starts at ' + Math.round(r.left) + 'px');
		if (out.length > 6) break;
	}
}
return out;
`

// TestTourInEveryLanguage takes every person of the tour through every
// page in the five languages besides English (TestLayout covers English),
// on a phone, and on a desktop screen in Arabic and Chinese, whose
// direction and script a wide page lays out differently from English (the
// Latin and Cyrillic languages only grow longer, which the phone shows
// first), with the browser asking for the language: each page says its language and direction on <html>, Arabic
// right to left; no message is missing from the catalogue or misused (the
// fixture's log fails the test); nothing runs off either side; options sit
// beside their labels; and axe-core finds nothing on the phone, where
// the longer languages crowd a page most.
func TestTourInEveryLanguage(t *testing.T) {
	axe := axeSource(t)
	shots := screenshotDir(t)
	for _, l := range i18n.Languages() {
		if l == i18n.English {
			continue
		}
		screens := []screen{phone}
		if l.RTL() || l.Code() == "zh" {
			screens = append(screens, desktop)
		}
		for _, s := range screens {
			t.Run(l.Code()+"-"+s.name, func(t *testing.T) {
				f := newFixture(t)
				f.screen, f.lang = &s, l.Code()
				dir := filepath.Join(shots, l.Code(), s.name)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				walk(t, f, func(t *testing.T, b *tab) {
					t.Helper()
					page := strings.ReplaceAll(strings.TrimPrefix(t.Name(), "TestTourInEveryLanguage/"+l.Code()+"-"+s.name+"/"), "/", "-")
					b.screenshot(dir, page)
					m := htmlLangRe.FindStringSubmatch(b.html())
					if m == nil || m[1] != l.HTMLLang() || m[2] != l.Dir() {
						t.Errorf("%s: <html> says %v, want lang=%q dir=%q", b.path(), m, l.HTMLLang(), l.Dir())
					}
					if s.mobile { // TestAccessibility covers the desktop width
						for _, v := range b.axe(axe) {
							t.Errorf("%s: %s", b.path(), v)
						}
					}
					for _, p := range b.evalProblems(optionsScript) {
						if !strings.HasPrefix(p, "seen:") {
							t.Errorf("%s: %s", b.path(), p)
						}
					}
					for _, p := range b.evalProblems(overflowScript(s.width)) {
						t.Errorf("%s: %s", b.path(), p)
					}
					for _, p := range b.evalProblems(leftOverflowCheck) {
						t.Errorf("%s: %s", b.path(), p)
					}
					for _, p := range b.evalProblems(chartsScript) {
						if !strings.HasPrefix(p, "counted:") {
							t.Errorf("%s: %s", b.path(), p)
						}
					}
				})
			})
		}
	}
}
