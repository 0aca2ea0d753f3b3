package e2e

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screen is a viewport the layout is checked on.
type screen struct {
	name          string
	width, height int64
	mobile        bool // honour the viewport meta tag, overlay scrollbars, touch
}

var (
	desktop = screen{name: "1366", width: 1366, height: 768}
	tablet  = screen{name: "768", width: 768, height: 1024, mobile: true}
	phone   = screen{name: "390", width: 390, height: 844, mobile: true}
)

// emulate makes the tab's viewport the screen's, for every page it loads.
func (b *tab) emulate(s screen) {
	b.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if s.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if s.width > s.height {
		opts[0] = chromedp.EmulateLandscape
	}
	b.do(chromedp.EmulateViewport(s.width, s.height, opts...))
}

// screenshot writes a PNG of the whole page to dir/name.png.
func (b *tab) screenshot(dir, name string) {
	b.t.Helper()
	png := run(b, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		b.t.Fatal(err)
	}
}

// evalProblems runs a script that returns a list of problems.
func (b *tab) evalProblems(script string) []string {
	b.t.Helper()
	raw := run(b, chromedp.Evaluate[string](`JSON.stringify((() => {`+script+`})())`))
	var out []string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// optionsScript checks every radio button and checkbox: it has a label
// whose text follows the control in the document and starts on the
// control's row, just to the right of it, so nobody reads the label of one
// option as belonging to the next control.
// It returns the problems and, last, the ids of the controls it checked.
const optionsScript = `
const problems = [], seen = [];
for (const c of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
	// A control folded in a closed disclosure is not shown by design; it
	// is checked on a page where the disclosure is open.
	if (c.closest('details:not([open])')) continue;
	const id = '#' + (c.id || c.name);
	seen.push(id);
	const cr = c.getBoundingClientRect();
	if (cr.width < 1 || cr.height < 1) { problems.push(id + ': not shown'); continue; }
	const label = c.labels && c.labels[0];
	if (!label) { problems.push(id + ': no label'); continue; }
	// The rectangles of the label's own words, in reading order (a label
	// may wrap the control; the control is not its text).
	const rects = [], texts = [], range = document.createRange();
	const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
	for (let n; (n = walker.nextNode());) {
		if (!n.textContent.trim() || c.contains(n)) continue;
		texts.push(n);
		range.selectNodeContents(n);
		rects.push(...[...range.getClientRects()].filter(r => r.width > 0));
	}
	if (!rects.length) { problems.push(id + ': label has no visible text'); continue; }
	// Reading order too: the label's text comes after the control.
	if (!(c.compareDocumentPosition(texts[0]) & Node.DOCUMENT_POSITION_FOLLOWING)) {
		problems.push(id + ': label "' + label.textContent.trim().slice(0, 40) + '" comes before the control in reading order');
	}
	const first = rects[0];
	const overlap = Math.min(cr.bottom, first.bottom) - Math.max(cr.top, first.top);
	if (overlap < Math.min(cr.height, first.height) / 2) {
		problems.push(id + ': label "' + label.textContent.trim().slice(0, 40) + '" is not on the control\'s row (control ' +
			Math.round(cr.top) + '–' + Math.round(cr.bottom) + ', label ' + Math.round(first.top) + '–' + Math.round(first.bottom) + ')');
		continue;
	}
	// WCAG 2.5.8: the label, which toggles the control, is a target of
	// at least 24 CSS px.
	const lr = label.getBoundingClientRect();
	if (lr.height < 24) problems.push(id + ': label is a ' + lr.height.toFixed(1) + 'px target, want 24 or more');
	// After the control in reading order: to its right, or to its left in
	// a page written right to left.
	// A line mixing directions (an English word in Arabic) is drawn in
	// runs out of order, so the near edge is the nearest of its row's runs.
	const row = rects.filter(r => Math.min(r.bottom, first.bottom) - Math.max(r.top, first.top) > 0);
	const gap = getComputedStyle(c).direction === 'rtl' ? cr.left - Math.max(...row.map(r => r.right)) : Math.min(...row.map(r => r.left)) - cr.right;
	if (gap < -1 || gap > 24) {
		problems.push(id + ': label "' + label.textContent.trim().slice(0, 40) + '" starts ' + Math.round(gap) + 'px after the control, want 0–24');
	}
}
return problems.concat(['seen:' + seen.join(' ')]);
`

// overflowScript finds what makes the page wider than a screen of width w
// CSS px: elements that reach past its right edge and are not inside a box
// that scrolls. (A phone zooms out to show a page that is too wide, which
// widens innerWidth with it, so the screen's width is given.)
func overflowScript(w int64) string {
	return fmt.Sprintf("const w = Math.min(window.innerWidth, %d);", w) + overflowCheck
}

const overflowCheck = `
const se = document.scrollingElement;
if (se.scrollWidth <= w) return [];
const out = ['the page is ' + se.scrollWidth + 'px wide on a ' + w + 'px screen'];
const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o !== 'visible') return true; } return false; };
for (const el of document.body.querySelectorAll('*')) {
	const r = el.getBoundingClientRect();
	if (r.right > w + 0.5 && !clipped(el) && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 0.5)) {
		out.push('<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + '> reaches ' + Math.round(r.right) + 'px');
		if (out.length > 6) break;
	}
}
return out;
`

// chartsScript checks SVG text (bar charts, anything else drawn with
// text) and world maps: text is drawn at 12 CSS px or more, inside its
// SVG; a map fills the width of the page's column and its legend is as
// legible as the page. The last entry counts what was checked.
const chartsScript = `
const problems = [];
let texts = 0, maps = 0;
for (const t of document.querySelectorAll('svg text')) {
	const r = t.getBoundingClientRect();
	if (r.width === 0) continue;
	texts++;
	const svg = t.ownerSVGElement, s = svg.getBoundingClientRect();
	const m = t.getScreenCTM(), scale = Math.hypot(m.a, m.b);
	const px = parseFloat(getComputedStyle(t).fontSize) * scale;
	const what = '"' + t.textContent.slice(0, 30) + '"';
	if (px < 12 || r.height < 12) problems.push(what + ' drawn at ' + px.toFixed(1) + 'px (box ' + r.height.toFixed(1) + 'px high), want 12 or more');
	if (r.left < s.left - 0.5 || r.right > s.right + 0.5 || r.top < s.top - 0.5 || r.bottom > s.bottom + 0.5) {
		problems.push(what + ' is clipped: text ' + [r.left, r.top, r.right, r.bottom].map(Math.round) + ', SVG ' + [s.left, s.top, s.right, s.bottom].map(Math.round));
	}
}
const main = document.querySelector('main'), ms = getComputedStyle(main);
const column = main.clientWidth - parseFloat(ms.paddingLeft) - parseFloat(ms.paddingRight);
for (const svg of document.querySelectorAll('svg.worldmap')) {
	maps++;
	const w = svg.getBoundingClientRect().width;
	if (w < column - 1) problems.push('the map is ' + Math.round(w) + 'px wide in a ' + Math.round(column) + 'px column');
	const legend = svg.parentElement.querySelector('.wm-legend');
	const items = legend ? [...legend.querySelectorAll('li')] : [];
	if (!items.length) { problems.push('the map has no legend beside it'); continue; }
	for (const li of items) {
		const r = li.getBoundingClientRect(), px = parseFloat(getComputedStyle(li).fontSize);
		if (px < 12) problems.push('legend "' + li.textContent + '" in ' + px + 'px type');
		if (r.left < 0 || r.right > document.documentElement.clientWidth) problems.push('legend "' + li.textContent + '" off the screen');
		if (!li.querySelector('svg rect')) problems.push('legend "' + li.textContent + '" has no swatch');
	}
}
return problems.concat(['counted:' + texts + ' ' + maps]);
`

// screenshotDir is where the layout test writes its screenshots:
// $DETENTE_SCREENSHOTS, or a temporary directory removed afterwards.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("DETENTE_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLayout takes every person of the tour through every page on a
// desktop screen, a tablet and a phone, and checks what makes a page usable
// rather than merely valid: each option's control sits beside its label,
// chart text is legible and not clipped, the world map fills its column,
// and nothing makes the page scroll sideways. On the phone, where tables
// scroll in their own boxes, axe-core checks each page again. It leaves a
// screenshot of every page in $DETENTE_SCREENSHOTS/<width>/ for a person
// to look at.
func TestLayout(t *testing.T) {
	axe := axeSource(t)
	shots := screenshotDir(t)
	t.Logf("screenshots in %s", shots)
	for _, s := range []screen{desktop, tablet, phone} {
		t.Run(s.name, func(t *testing.T) {
			f := newFixture(t)
			f.screen = &s
			dir := filepath.Join(shots, s.name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			controls := map[string]bool{}
			var texts, maps int
			walk(t, f, func(t *testing.T, b *tab) {
				t.Helper()
				page := strings.ReplaceAll(strings.TrimPrefix(t.Name(), "TestLayout/"+s.name+"/"), "/", "-")
				b.screenshot(dir, page)
				if s.mobile {
					for _, v := range b.axe(axe) {
						t.Errorf("%s: %s", b.path(), v)
					}
				}

				for _, p := range b.evalProblems(optionsScript) {
					if ids, ok := strings.CutPrefix(p, "seen:"); ok {
						for _, id := range strings.Fields(ids) {
							controls[id] = true
						}
						continue
					}
					t.Errorf("%s: %s", b.path(), p)
				}
				for _, p := range b.evalProblems(overflowScript(s.width)) {
					t.Errorf("%s: %s", b.path(), p)
				}
				for _, p := range b.evalProblems(chartsScript) {
					if n, ok := strings.CutPrefix(p, "counted:"); ok {
						var tx, mp int
						fmt.Sscan(n, &tx, &mp)
						texts, maps = texts+tx, maps+mp
						continue
					}
					t.Errorf("%s: %s", b.path(), p)
				}
			})
			// The tour must have reached the forms and figures the checks
			// are about, or passing would prove nothing (unless -run picked
			// some of its pages only).
			if r := flag.Lookup("test.run"); r != nil && strings.Contains(r.Value.String(), "/") {
				return
			}
			for _, id := range []string{
				"#urg-urgent", "#tlp-red", "#ack", "#exercise", "#f_critical_infrastructure-yes", // compose
				"#recipients-KE", "#named-0", "#provisions-norm-h", // compose's lists, open
				"#scope-all", "#region-0", "#level-technical", // scheduling a check
				"#av-247",                    // a POC's availability
				"#rt-update",                 // answering in a thread
				"#token-write",               // API token scopes
				"#f0_required", "#f0_remove", // the template editor
				"#event-0", "#unread-only", // webhooks, inbox filter
			} {
				if !controls[id] {
					t.Errorf("no page of the tour showed %s", id)
				}
			}
			if texts == 0 || maps == 0 {
				t.Errorf("the tour showed %d chart labels and %d maps; it must show both", texts, maps)
			}
		})
	}
}
