package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestSignInAndEditPOC(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t)
	f.signIn(b, "fradmin", nil)

	// From the directory to the entry, then to its edit form.
	b.do(chromedp.Navigate(f.url+"/directory"), chromedp.Click(chromedp.CSS(`a[href="/directory/pocs/`+f.poc.ID+`"]`)))
	b.waitPath("/directory/pocs/" + f.poc.ID)
	b.do(chromedp.Click(chromedp.CSS(`a[href="/directory/pocs/` + f.poc.ID + `/edit"]`)))
	b.waitPath("/directory/pocs/" + f.poc.ID + "/edit")
	b.do(chromedp.Clear(chromedp.CSS("#function_title")), chromedp.SendKeys(chromedp.CSS("#function_title"), "Head of incident response"),
		chromedp.Clear(chromedp.CSS("#phones")), chromedp.SendKeys(chromedp.CSS("#phones"), "+33 1 71 75 84 99"),
		chromedp.Click(chromedp.CSS("main form.stack button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	if loc := b.location(); !strings.HasSuffix(loc, "/directory/pocs/"+f.poc.ID+"?done=saved") {
		t.Fatalf("after saving the browser is at %s", loc)
	}
	page := b.text("main")
	for _, want := range []string{"Head of incident response", "+33171758499", "Saved."} {
		if !strings.Contains(page, want) {
			t.Errorf("the entry page lacks %q", want)
		}
	}
	history := b.text("main table")
	if !strings.Contains(history, "2") || !strings.Contains(history, "edit") || !strings.Contains(history, "fradmin@e2e.invalid") {
		t.Errorf("history lacks version 2 by fradmin: %q", history)
	}

	// A malformed email is refused beside its field, and nothing changes.
	b.do(chromedp.Navigate(f.url+"/directory/pocs/"+f.poc.ID+"/edit"),
		chromedp.Clear(chromedp.CSS("#emails")), chromedp.SendKeys(chromedp.CSS("#emails"), "cert(at)fr"),
		chromedp.Click(chromedp.CSS("main form.stack button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#emails-error")))
	if msg := b.text("#emails-error"); !strings.Contains(msg, "cert(at)fr") {
		t.Errorf("error beside the email field: %q", msg)
	}
	stored, err := f.app.Directory.POC(context.Background(), f.acc["fradmin"].Actor(), f.poc.ID)
	if err != nil || stored.Version != 2 || stored.Emails[0] != "cert@fr.e2e.invalid" {
		t.Fatalf("stored entry changed: %+v %v", stored, err)
	}
}

func TestEveryPageIsAccessibleAndCSPClean(t *testing.T) {
	f := newFixture(t)
	axe := axeSource(t)
	b := newBrowser(t)
	check := func(name string) {
		t.Helper()
		if vs := b.axe(axe); len(vs) > 0 {
			t.Errorf("%s: %d accessibility violations:%s", name, len(vs), describe(vs))
		}
		if v := b.cspViolations(); len(v) > 0 {
			t.Errorf("%s: CSP violations %v", name, v)
		}
	}
	visit := func(path string) {
		t.Helper()
		b.do(chromedp.Navigate(f.url+path), chromedp.WaitReady(chromedp.CSS("main")))
		check(path)
	}
	// The checker itself must catch a known violation, or a clean result
	// would prove nothing.
	b.do(chromedp.Navigate(`data:text/html,<!doctype html><html lang="en"><title>x</title><main><img src="x.png"></main></html>`))
	if vs := b.axe(axe); len(vs) == 0 || vs[0].ID != "image-alt" {
		t.Fatalf("axe missed an image without alt text: %+v", vs)
	}
	for _, p := range []string{"/", "/framework", "/framework?q=assistance", "/framework/norm-h", "/framework/cbm-1", "/login", "/no-such-page"} {
		visit(p)
	}
	f.signIn(b, "fradmin", func() { check("/login/totp (enrolment)") })
	for _, p := range []string{"/directory", "/directory?stale=yes", "/directory/states/FR", "/directory/states/FR/nominate",
		"/directory/pocs/" + f.poc.ID, "/directory/pocs/" + f.poc.ID + "/edit", "/account", "/admin/accounts", "/admin/audit",
		"/messages", "/messages?box=sent", "/messages/new", "/messages/new?type=vulnerability_report", "/threads/" + f.msg.ThreadID} {
		visit(p)
	}
	// A form showing field errors.
	b.do(chromedp.Navigate(f.url+"/directory/pocs/"+f.poc.ID+"/edit"), chromedp.Clear(chromedp.CSS("#emails")),
		chromedp.Click(chromedp.CSS("main form.stack button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#emails-error")))
	check("edit form with errors")
	b.do(chromedp.Navigate(f.url+"/messages/new"), chromedp.Click(chromedp.CSS("main form.stack button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash.bad")))
	check("compose form with errors")

	sec := newBrowser(t)
	b = sec
	f.signIn(b, "sec", nil)
	for _, p := range []string{"/admin/states", "/admin/accounts", "/admin/audit"} {
		visit(p)
	}
	kb := newBrowser(t)
	b = kb
	f.signIn(b, "kepoc", nil)
	visit("/threads/" + f.msg.ThreadID)
}

func TestWorksWithoutJavaScript(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t)
	b.disableScripts()
	f.signIn(b, "kepoc", nil)
	// Acknowledging is a plain form post.
	b.do(chromedp.Navigate(f.url+"/threads/"+f.msg.ThreadID),
		chromedp.Click(chromedp.CSS(`form[action="/messages/`+f.msg.ID+`/acknowledge"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	if got := b.text(".flash.ok"); !strings.Contains(got, "acknowledged") {
		t.Fatalf("flash %q", got)
	}
	m, err := f.app.Messaging.Message(context.Background(), f.acc["frpoc"].Actor(), f.msg.ID)
	if err != nil || m.Deliveries[0].Status != "acknowledged" {
		t.Fatalf("delivery not acknowledged: %+v %v", m.Deliveries, err)
	}
}
