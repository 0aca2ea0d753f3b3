package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const saveButton = "main form.stack button[type=submit]"

// sendButton sends a new communication; the compose form's other submit
// button only shows the fields of another kind.
const sendButton = "main form.stack button[type=submit]:not([name=change])"

// rows returns the cells of the table rows matching sel.
func (b *tab) rows(sel string) [][]string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[[][]string](`[...document.querySelectorAll(`+jsString(sel)+`)].map(r => [...r.cells].map(c => c.textContent.trim()))`))
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// digits keeps the digits of s, so phone numbers compare whatever spacing
// the service normalises to.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func TestSignInEditPOC(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, "fradmin", nil)
	pocPath := "/directory/pocs/" + f.poc.ID

	// From the directory to the entry, then to its form, by links.
	b.open("/directory")
	b.click(`main a[href="` + pocPath + `"]`)
	if p := b.path(); p != pocPath {
		t.Fatalf("the directory's link led to %s", p)
	}
	b.click(`main a[href="` + pocPath + `/edit"]`)
	if p := b.path(); p != pocPath+"/edit" {
		t.Fatalf("Edit led to %s", p)
	}
	const title, phone = "Head of incident response", "+33 1 71 75 84 99"
	b.fill("#function_title", title)
	b.fill("#phones", phone)
	if st := b.click(saveButton); st != http.StatusOK {
		t.Fatalf("after saving: status %d at %s", st, b.path())
	}
	if p := b.path(); !strings.HasPrefix(p, pocPath) || strings.HasSuffix(p, "/edit") {
		t.Fatalf("after saving the browser is at %s", p)
	}
	if got := b.text(".flash.ok"); got == "" {
		t.Error("no confirmation after saving")
	}
	if got := b.text("main h1"); got != title {
		t.Errorf("heading %q, want %q", got, title)
	}
	facts := b.text("main dl.facts")
	if !strings.Contains(digits(facts), digits(phone)) {
		t.Errorf("entry lacks the new phone %s:\n%s", phone, facts)
	}
	history := b.rows("main table tbody tr")
	if !slices.ContainsFunc(history, func(r []string) bool {
		return len(r) >= 3 && r[0] == "2" && strings.Contains(r[2], "fradmin")
	}) {
		t.Errorf("history lacks version 2 by fradmin: %q", history)
	}

	// A malformed email is refused beside its field; what was typed stays
	// in the form and nothing is stored.
	b.open(pocPath + "/edit")
	b.fill("#function_title", "Not saved")
	b.fill("#emails", "cert(at)fr")
	if st := b.click(saveButton); st < 400 {
		t.Errorf("a malformed email got status %d", st)
	}
	b.waitFor("#emails-error")
	if msg := b.text("#emails-error"); msg == "" {
		t.Error("empty error message for the email field")
	} else {
		t.Logf("field error: %s", msg)
	}
	attrs := run(b, chromedp.Attributes(chromedp.CSS("#emails")))
	if attrs["aria-invalid"] != "true" || attrs["aria-describedby"] != "emails-error" {
		t.Errorf("the email field is not tied to its error: %v", attrs)
	}
	// The error is inside the field's own label, so it is read with it.
	if n := run(b, chromedp.Evaluate[int](`document.querySelectorAll('label[for=emails] #emails-error').length`)); n != 1 {
		t.Error("the error message is not in the email field's label")
	}
	if v := run(b, chromedp.Value(chromedp.CSS("#function_title"))); v != "Not saved" {
		t.Errorf("the form lost what was typed: function %q", v)
	}
	stored, err := f.app.Directory.POC(context.Background(), f.acc["fradmin"].Actor(), f.poc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != 2 || stored.FunctionTitle != title || !slices.Equal(stored.Emails, f.poc.Emails) {
		t.Errorf("stored entry changed by a refused form: version %d, %q, %v", stored.Version, stored.FunctionTitle, stored.Emails)
	}
	b.open(pocPath)
	if got := b.text("main h1"); got != title {
		t.Errorf("after the refused form the entry shows %q", got)
	}
}

// stop is one page of a tour: path is loaded, then (if set) then acts on it,
// and the page the browser is left on is checked.
type stop struct {
	name   string
	path   string
	status int // of path; 0 means 200
	then   func(b *tab)
}

// leg is a tour of pages by one person in a browser context of their own.
type leg struct {
	who   string // an account key; "" for anonymous
	stops []stop
}

// submitBroken sends the open form with a bad field so the page comes back
// with field errors.
func submitBroken(field, value, errorSel string) func(*tab) {
	return func(b *tab) {
		b.t.Helper()
		b.fill(field, value)
		b.click(saveButton)
		b.waitFor(errorSel)
	}
}

// tour is every page, for each role that sees it differently.
func tour(f *fixture) []leg {
	poc := "/directory/pocs/" + f.poc.ID
	return withLibrary(f, withSurvey(f, withScenarios(f, withExercises(f, withProfiles(withCapacity(f, withMeetings(f, withIncidents(f, []leg{
		{"", []stop{
			{name: "home", path: "/"},
			{name: "framework", path: "/framework"},
			{name: "framework-search", path: "/framework?q=assistance"},
			{name: "norm-h", path: "/framework/norm-h"},
			{name: "cbm-1", path: "/framework/cbm-1"},
			{name: "login", path: "/login"},
			{name: "results", path: "/results"},
			{name: "check-link", path: f.checkLink("cert@fr.e2e.invalid")},
			{name: "not-found", path: "/no-such-page", status: http.StatusNotFound},
			{name: "login-failed", path: "/login", then: func(b *tab) {
				b.fill("#email", "nobody@e2e.invalid")
				b.fill("#password", "wrong")
				b.click("main form button[type=submit]")
				b.waitFor(".flash.bad")
			}},
		}},
		{"fradmin", []stop{
			{name: "directory", path: "/directory"},
			{name: "directory-stale", path: "/directory?stale=yes"},
			{name: "state", path: "/directory/states/FR"},
			{name: "nominate", path: "/directory/states/FR/nominate"},
			{name: "nominate-errors", path: "/directory/states/FR/nominate", then: func(b *tab) {
				b.click(saveButton) // everything empty
				b.waitFor("#function_title-error")
			}},
			{name: "poc", path: poc},
			{name: "poc-edit", path: poc + "/edit"},
			{name: "poc-edit-errors", path: poc + "/edit", then: submitBroken("#emails", "cert(at)fr", "#emails-error")},
			{name: "account", path: "/account"},
			{name: "admin-accounts", path: "/admin/accounts"},
			{name: "admin-audit", path: "/admin/audit"},
			{name: "admin-webhooks", path: "/admin/webhooks"},
			{name: "admin-webhook", path: "/admin/webhooks/" + f.hook},
			{name: "admin-webhooks-errors", path: "/admin/webhooks", then: func(b *tab) {
				b.fill("#webhook-url", "http://10.0.0.1/hook")
				b.click(`main form.stack button[type=submit]`)
				b.waitFor("#url-error")
			}},
			{name: "messages", path: "/messages"},
			{name: "messages-sent", path: "/messages?box=sent"},
			{name: "compose", path: "/messages/new"},
			{name: "compose-vulnerability", path: "/messages/new?type=vulnerability_report"},
			// Every list of choices open: the States (open for the one
			// chosen by ?to), the people named for TLP:RED (opened here) and
			// the template's provisions.
			{name: "compose-picks", path: "/messages/new?to=KE", then: func(b *tab) {
				b.tick(`details.pickbox:has(#named-0) > summary`)
				b.waitFor(`details.pickbox[open] #named-0`)
			}},
			{name: "compose-errors", path: "/messages/new", then: func(b *tab) {
				b.click(sendButton)
				b.waitFor(".flash.bad")
			}},
			{name: "thread", path: "/threads/" + f.msg.ThreadID},
			{name: "checks", path: "/checks"},
		}},
		{"sec", []stop{
			{name: "admin-states", path: "/admin/states"},
			{name: "admin-accounts", path: "/admin/accounts"},
			{name: "admin-audit", path: "/admin/audit"},
			{name: "directory", path: "/directory"},
			{name: "checks", path: "/checks"},
			{name: "checks-errors", path: "/checks", then: func(b *tab) {
				b.fill("#window_hours", "0")
				b.click(`main form.stack button[type=submit]`)
				b.waitFor("#name-error")
			}},
			{name: "check-report", path: "/checks/" + f.spring.ID},
			{name: "check-open", path: "/checks/" + f.autumn.ID},
			{name: "templates", path: "/admin/templates"},
			{name: "template", path: "/admin/templates/incident_notification"},
			{name: "template-errors", path: "/admin/templates/closure", then: func(b *tab) {
				b.fill("#f0_name", "Outcome!")
				b.click(`main form.stack button[type=submit]`)
				b.waitFor("#f0-error")
			}},
		}},
		{"kepoc", []stop{
			{name: "inbox", path: "/messages"},
			{name: "thread", path: "/threads/" + f.msg.ThreadID},
			{name: "checks", path: "/checks"},
			{name: "check-report", path: "/checks/" + f.spring.ID},
			{name: "template", path: "/admin/templates/vulnerability_report"},
		}},
	}))))))))
}

// walk takes each leg's person through its pages (and, for those with a
// second factor, the enrolment page) and runs check on each, as subtests
// named person/page.
func walk(t *testing.T, f *fixture, check func(t *testing.T, b *tab)) {
	for _, l := range tour(f) {
		who := l.who
		if who == "" {
			who = "anonymous"
		}
		t.Run(who, func(t *testing.T) {
			var b *tab
			if l.who == "" {
				b = f.newTab(t)
			} else {
				b = f.signIn(t, l.who, func(b *tab) {
					t.Run("login-totp-enrolment", func(t *testing.T) { check(t, b.on(t)) })
				})
			}
			for _, s := range l.stops {
				t.Run(s.name, func(t *testing.T) {
					b := b.on(t)
					want := s.status
					if want == 0 {
						want = http.StatusOK
					}
					if got := b.open(s.path); got != int64(want) {
						t.Fatalf("GET %s: status %d, want %d", s.path, got, want)
					}
					if s.then != nil {
						s.then(b)
					}
					check(t, b)
				})
			}
		})
	}
}

func TestAccessibility(t *testing.T) {
	f := newFixture(t)
	axe := axeSource(t)

	// The checker runs on a real page under its real CSP, and must catch a
	// planted violation, or a clean result would prove nothing.
	t.Run("checker", func(t *testing.T) {
		b := newTab(t, f.url)
		res := run(b, chromedp.NavigateResponse(f.url+"/login"))
		csp, _ := res.Headers["Content-Security-Policy"].(string)
		if !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("the page's CSP is %q; the test means to show axe runs under script-src 'self'", csp)
		}
		// An inline script the page itself adds is blocked, so the policy
		// is in force...
		ran := run(b, chromedp.Evaluate[bool](`(() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.body.append(s); return window.inlineRan === true })()`))
		if ran {
			t.Fatal("an inline script ran despite script-src 'self'")
		}
		// ...yet axe, evaluated over the DevTools protocol, runs and finds
		// an image without a text alternative.
		run(b, chromedp.Evaluate[chromedp.Void](`document.querySelector('main').append(Object.assign(document.createElement('img'), {src: 'data:image/gif;base64,R0lGODlhAQABAAAAACw='}))`))
		vs := b.axe(axe)
		if !slices.ContainsFunc(vs, func(v violation) bool { return v.ID == "image-alt" }) {
			t.Fatalf("axe missed an image without alt text: %v", vs)
		}
	})

	walk(t, f, func(t *testing.T, b *tab) {
		t.Helper()
		vs := b.axe(axe)
		if len(vs) == 0 {
			return
		}
		var s strings.Builder
		for _, v := range vs {
			s.WriteString("\n  " + v.String())
		}
		t.Errorf("%s: %d WCAG 2.1 A/AA violations:%s", b.path(), len(vs), s.String())
	})
}

func TestNoCSPViolations(t *testing.T) {
	f := newFixture(t)

	// The listener must hear a violation, or silence would prove nothing.
	t.Run("listener", func(t *testing.T) {
		b := newTab(t, f.url)
		b.open("/login")
		b.problems()
		run(b, chromedp.Evaluate[chromedp.Void](`document.body.append(Object.assign(document.createElement('script'), {textContent: '1'}))`))
		got := b.problems()
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, "CSP violation: script-src") }) {
			t.Fatalf("a blocked inline script was not reported; got %q", got)
		}
	})

	walk(t, f, func(t *testing.T, b *tab) {
		t.Helper()
		for _, p := range b.problems() {
			t.Errorf("%s: %s", b.path(), p)
		}
	})
}

func TestWorksWithoutJavaScript(t *testing.T) {
	f := newFixture(t)
	b := newTab(t, f.url)
	b.disableScripts()
	// Prove the switch works: this page's script would retitle it.
	b.do(chromedp.Navigate(`data:text/html,<title>off</title><script>document.title='on'</script>`))
	if title := run(b, chromedp.Title()); title != "off" {
		t.Fatalf("scripts still run (title %q)", title)
	}

	// Sign-in with second-factor enrolment, then a form that changes data.
	f.signInOn(b, "fradmin", nil)
	b.open("/directory/pocs/" + f.poc.ID + "/edit")
	b.fill("#organisation", "Agence nationale de la sécurité des systèmes d'information")
	if st := b.click(saveButton); st != http.StatusOK {
		t.Fatalf("save: status %d at %s", st, b.path())
	}
	b.waitFor(".flash.ok")
	stored, err := f.app.Directory.POC(context.Background(), f.acc["fradmin"].Actor(), f.poc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != 2 || stored.Organisation != "Agence nationale de la sécurité des systèmes d'information" {
		t.Errorf("not saved: version %d, organisation %q", stored.Version, stored.Organisation)
	}

	// Signing out is a form too.
	b.click("header.site form button[type=submit]")
	if _, ok := b.cookie("__Host-detente"); ok {
		t.Error("the session cookie outlived signing out")
	}
	b.open("/account")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after signing out /account shows %s", p)
	}
}

// A point of contact follows the link in a check mail: the page alone
// records nothing (mail scanners open links); the button confirms, and the
// secretariat's report counts it.
func TestCheckConfirmedByMailLink(t *testing.T) {
	f := newFixture(t)
	link := f.checkLink("cert@fr.e2e.invalid")
	b := newTab(t, f.url)
	if st := b.open(link); st != http.StatusOK {
		t.Fatalf("GET %s: %d", link, st)
	}
	rep, err := f.app.Checks.Results(context.Background(), f.acc["sec"].Actor(), f.autumn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Overall.Acknowledged != 0 {
		t.Fatalf("opening the link confirmed the check: %+v", rep.Overall)
	}
	if st := b.click(`main form button[type=submit]`); st != http.StatusOK {
		t.Fatalf("confirming: status %d", st)
	}
	if got := b.text(".flash.ok"); !strings.Contains(got, "Thank you") {
		t.Errorf("no thanks after confirming: %q", got)
	}
	// KE's POC answers from the inbox.
	k := f.signIn(t, "kepoc", nil)
	k.open("/messages")
	if st := k.click(`main form.inline button[type=submit]`); st != http.StatusOK {
		t.Fatalf("confirming from the inbox: status %d", st)
	}
	if p := k.path(); p != "/messages?done=confirmed-check" {
		t.Errorf("after confirming from the inbox the browser is at %s", p)
	}
	if got := k.text(".flash.ok"); !strings.Contains(got, "confirmed") {
		t.Errorf("no confirmation in the inbox: %q", got)
	}
	s := f.signIn(t, "sec", nil)
	s.open("/checks/" + f.autumn.ID)
	rows := s.rows("main table tbody tr")
	want := map[string]bool{"France": false, "Kenya": false}
	for _, r := range rows {
		if len(r) == 5 {
			if _, ok := want[r[0]]; ok && r[2] == "1" && r[4] == "100%" {
				want[r[0]] = true
			}
		}
	}
	for st, seen := range want {
		if !seen {
			t.Errorf("the report does not show %s confirmed: %q", st, rows)
		}
	}
}
