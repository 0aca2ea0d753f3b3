// Package e2e drives the web interface in a real headless Chromium: signing
// in with a second factor, editing a POC, working without JavaScript, and
// checking every page with axe-core (WCAG 2.1 A and AA) and for
// Content-Security-Policy reports.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// need fails in CI and skips elsewhere when a tool the tests drive is
// missing: CI must run these tests, a laptop may not have Chromium.
func need(t *testing.T, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s required in CI (looked for %s)", what, path)
	}
	t.Skipf("%s not found at %s", what, path)
}

// repoRoot walks up from the test's directory to the one holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// axeSource loads axe-core, which `npm ci` in tools/browser installs.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("DETENTE_AXE_JS")
	if path == "" {
		path = filepath.Join(repoRoot(t), "tools", "browser", "node_modules", "axe-core", "axe.min.js")
	}
	need(t, "axe-core (cd tools/browser && npm ci)", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// chrome is the one Chromium process all tests share; each signed-in person
// gets a browser context of their own in it, so cookies never mix. Starting
// it once keeps the package fast; TestMain stops it.
var chrome struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.cancel != nil {
		chrome.cancel()
	}
	os.Exit(code)
}

// browserContext returns the shared browser, starting it on first use.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	need(t, "chromium", chromiumPath)
	chrome.once.Do(func() {
		dir, err := os.MkdirTemp("", "detente-e2e-chromium-")
		if err != nil {
			chrome.err = err
			return
		}
		// Only the flags the tests need, so nothing in the browser reaches
		// out to the network on its own (no updates, sync or field trials).
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath),
			chromedp.UserDataDir(dir),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
		}
		// An upper bound on the whole package, so a wedged browser cannot
		// outlive the tests; just under the test command's own timeout,
		// since a busy machine makes the tour slow without wedging it.
		ctx, cancel := context.WithTimeout(context.Background(), 28*time.Minute)
		actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		chrome.ctx = bctx
		chrome.cancel = func() { bcancel(); acancel(); cancel(); os.RemoveAll(dir) }
		// The first call starts the browser and binds it to bctx, which has
		// no per-action timeout (see chromedp.NewContext).
		chrome.err = chromedp.Do(bctx)
	})
	if chrome.err != nil {
		t.Fatalf("start chromium: %v", chrome.err)
	}
	return chrome.ctx
}

// tab is one tab in a browser context of its own (its own cookie jar). It
// records every console message, log entry, uncaught exception and
// securitypolicyviolation event of every document it loads.
type tab struct {
	t    testing.TB // where failures go; see on
	ctx  context.Context
	base string // the server's URL
	rec  *recorder
}

type recorder struct {
	mu        sync.Mutex
	reports   []string
	documents map[network.RequestID]bool // page loads, whose status the tests check themselves
}

func (r *recorder) document(id network.RequestID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.documents == nil {
		r.documents = map[network.RequestID]bool{}
	}
	r.documents[id] = true
}

func (r *recorder) isDocument(id network.RequestID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.documents[id]
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, fmt.Sprintf(format, args...))
}

// take returns what was recorded since the last call.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reports
	r.reports = nil
	return out
}

// cspBinding is how documents report CSP violations to the test. The probe
// is installed through the DevTools protocol before any of the page's own
// code runs, and a binding reaches Go across navigations.
const (
	cspBinding = "detenteCSPReport"
	cspProbe   = `document.addEventListener('securitypolicyviolation', e => ` + cspBinding + `(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`
)

func newTab(t *testing.T, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserContext(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &tab{t: t, ctx: ctx, base: base, rec: &recorder{}}
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("open a tab: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventBindingCalled:
			if ev.Name == cspBinding {
				b.rec.add("CSP violation: %s", ev.Payload)
			}
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument {
				b.rec.document(ev.RequestID)
			}
		case *log.EventEntryAdded:
			// A page answered 404 or 422 on purpose is reported by the
			// browser as a failed load; the walk asserts those statuses,
			// so only failures of what the page itself loads count here.
			if ev.Entry.Source == log.EntrySourceNetwork && b.rec.isDocument(ev.Entry.NetworkRequestID) {
				return
			}
			b.rec.add("log %s/%s: %s (%s)", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value))
			}
			b.rec.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.rec.add("uncaught exception: %s", msg)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		t.Fatal(err)
	}
	return b
}

// on returns the same tab reporting failures to t (a subtest).
func (b *tab) on(t testing.TB) *tab {
	cp := *b
	cp.t = t
	return &cp
}

// do runs steps with a deadline, so a page that never comes stops the test.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

// run is do for one action with a result.
func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
	return v
}

// open loads path and returns the HTTP status of the document.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	return run(b, chromedp.NavigateResponse(b.base+path)).Status
}

// click follows the link or presses the button matching sel, waits for the
// page it leads to (after any redirect) and returns that page's status.
func (b *tab) click(sel string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v (at %s)", sel, err, b.location())
	}
	return res.Status
}

// tick clicks what sel matches where nothing navigates: the label of a
// radio button, the summary of a disclosure.
func (b *tab) tick(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel)))
}

// fill replaces the value of the field sel by typing, as a person would.
// The field is emptied by script: chromedp's Clear fails on a text area
// that holds nothing.
func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%q).value = ''", sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// path is the location without the server part.
func (b *tab) path() string { return strings.TrimPrefix(b.location(), b.base) }

func (b *tab) text(sel string) string {
	b.t.Helper()
	return run(b, chromedp.Text(chromedp.CSS(sel)))
}

func (b *tab) html() string {
	b.t.Helper()
	return run(b, chromedp.OuterHTML(chromedp.CSS("html")))
}

// cookie returns the browser's cookie name for the server, if it has one.
func (b *tab) cookie(name string) (*network.Cookie, bool) {
	b.t.Helper()
	res := run(b, func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	})
	for _, c := range res.Cookies {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

func (b *tab) disableScripts() {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.t.Fatal(err)
	}
}

// problems returns, and forgets, everything the browser reported since the
// last call.
func (b *tab) problems() []string {
	// A violation event is a task the page queues; a timer queued now runs
	// after it, and the binding's report arrives before the reply.
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`new Promise(r => setTimeout(r, 0))`, chromedp.EvalAwaitPromise))
	return b.rec.take()
}

type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v violation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// axe runs axe-core on the current page against WCAG 2.0 and 2.1, A and AA.
// It is injected through the DevTools protocol, which the page's CSP
// (script-src 'self') does not govern; TestAccessibility checks that.
func (b *tab) axe(src string) []violation {
	b.t.Helper()
	run(b, chromedp.Evaluate[chromedp.Void](src))
	const check = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))))`
	raw := run(b, chromedp.Evaluate[string](check, chromedp.EvalAwaitPromise))
	var out []violation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}
