package worldmap

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/detente/detente/internal/states"
)

// sizeBudget is the most a rendered map may weigh: every State with data,
// nine bands, long labels. It is embedded in pages, so growth should be a
// decision, not an accident.
const sizeBudget = 120 << 10

// fiveBands is a typical response-rate legend.
func fiveBands() Map {
	pal := Palette(5)
	return Map{
		Title: "Response rate by State, communication check of 3 March 2026",
		Bands: []Band{
			{"0–20 %", pal[0]}, {"20–40 %", pal[1]}, {"40–60 %", pal[2]},
			{"60–80 %", pal[3]}, {"80–100 %", pal[4]},
		},
	}
}

// everyState gives every State a band, cycling through n bands.
func everyState(n int) map[string]int {
	v := map[string]int{}
	for i, s := range states.All() {
		v[s.Alpha2] = i % n
	}
	return v
}

// elem is an element of the rendered SVG, as the tests look at it.
type elem struct {
	name  string
	attrs map[string]string
	title string // text of a <title> child
	text  string // character data directly inside
}

// parse decodes the SVG with encoding/xml, failing the test if it is not
// well-formed, and returns its elements in document order.
func parse(t *testing.T, svg string) []*elem {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var all, stack []*elem
	roots := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &elem{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				roots++
			}
			all = append(all, e)
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if strings.TrimSpace(string(tok)) != "" {
					t.Fatalf("text outside the root element: %q", tok)
				}
				continue
			}
			top := stack[len(stack)-1]
			top.text += string(tok)
			if top.name == "title" && len(stack) > 1 {
				stack[len(stack)-2].title += string(tok)
			}
		}
	}
	// The map, then its legend list.
	if roots != 2 || len(all) == 0 || all[0].name != "svg" {
		t.Fatalf("want a root <svg> and a legend, got %d roots", roots)
	}
	if l := legendOf(all); l == nil || l.name != "ul" {
		t.Fatal("no <ul class=\"wm-legend\"> after the map")
	}
	return all
}

// legendOf returns the legend list among the elements.
func legendOf(els []*elem) *elem {
	for _, e := range els {
		if e.attrs["class"] == "wm-legend" {
			return e
		}
	}
	return nil
}

// byCode returns the elements that draw each State, keyed by alpha-2 code.
func byCode(els []*elem) map[string][]*elem {
	m := map[string][]*elem{}
	for _, e := range els {
		if c, ok := e.attrs["data-code"]; ok {
			m[c] = append(m[c], e)
		}
	}
	return m
}

func TestShapesFileParses(t *testing.T) {
	g, err := parseShapes(shapesTxt)
	if err != nil {
		t.Fatal(err)
	}
	if g.width != 1000 || g.height < 300 || g.height > 600 {
		t.Errorf("viewBox %d×%d, want 1000 wide and a world's height", g.width, g.height)
	}
	if g.sphere == "" || g.other == "" {
		t.Error("sphere or other areas missing")
	}
}

func TestParseShapesRejectsBadLines(t *testing.T) {
	tests := []struct{ name, txt string }{
		{"no viewbox", "state 250 - M0 0l1 0 0 1z\n"},
		{"bad viewbox", "viewbox 1000\n"},
		{"unknown kind", "viewbox 10 10\nplanet M0 0z\n"},
		{"unknown State", "viewbox 10 10\nstate 999 - M0 0l1 0 0 1z\n"},
		{"State twice", "viewbox 10 10\nstate 250 - M0 0l1 0 0 1z\nstate 250 - M0 0l1 0 0 1z\n"},
		{"neither marker nor path", "viewbox 10 10\nstate 250 - -\n"},
		{"bad marker", "viewbox 10 10\nstate 250 1;2 -\n"},
		{"markup in path", "viewbox 10 10\nstate 250 - M0 0\"/><script>\n"},
		{"markup in other", "viewbox 10 10\nother - M0 0<b>\n"},
		{"empty sphere", "viewbox 10 10\nsphere \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseShapes(tt.txt); err == nil {
				t.Error("parsed without error")
			}
		})
	}
}

func TestEveryStateHasAShapeOrAMarker(t *testing.T) {
	g := loadGeometry()
	have := map[string]shape{}
	for _, s := range g.states {
		have[s.alpha2] = s
	}
	all := states.All()
	if len(g.states) != len(all) {
		t.Errorf("map has %d States, package states %d", len(g.states), len(all))
	}
	for _, s := range all {
		sh, ok := have[s.Alpha2]
		switch {
		case !ok:
			t.Errorf("%s %s is not on the map", s.Alpha2, s.Name)
		case sh.path == "" && !sh.marker:
			t.Errorf("%s %s has neither shape nor marker", s.Alpha2, s.Name)
		}
	}

	// And in the rendered SVG, each State has a titled element.
	els := byCode(parse(t, string(Map{}.Render(nil, nil))))
	for _, s := range all {
		if len(els[s.Alpha2]) == 0 {
			t.Errorf("%s %s is not in the rendered map", s.Alpha2, s.Name)
		}
		for _, e := range els[s.Alpha2] {
			if !strings.HasPrefix(e.title, s.Name) {
				t.Errorf("%s <%s> title %q, want it to start with %q", s.Alpha2, e.name, e.title, s.Name)
			}
		}
	}
}

func TestSmallStatesHaveMarkers(t *testing.T) {
	g := loadGeometry()
	have := map[string]shape{}
	for _, s := range g.states {
		have[s.alpha2] = s
	}
	// Microstates and small island States, including Tuvalu, which the
	// Natural Earth 1:50m data lacks.
	for _, code := range []string{"TV", "VA", "MC", "SM", "LI", "AD", "MT", "NR", "SG", "MV", "KN", "BH"} {
		if !have[code].marker {
			t.Errorf("%s has no marker", code)
		}
	}
	for _, code := range []string{"RU", "BR", "FR", "NG", "IN", "AU"} {
		if have[code].marker || have[code].path == "" {
			t.Errorf("%s: want a shape and no marker", code)
		}
	}
}

func TestMarkersDoNotOverlap(t *testing.T) {
	g := loadGeometry()
	var ms []shape
	for _, s := range g.states {
		if s.marker {
			ms = append(ms, s)
			if s.mx < markerR || s.mx > g.width-markerR || s.my < markerR || s.my > g.height-markerR {
				t.Errorf("%s marker at %d,%d is not inside the map", s.alpha2, s.mx, s.my)
			}
		}
	}
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			if d := math.Hypot(float64(a.mx-b.mx), float64(a.my-b.my)); d < 2*markerR {
				t.Errorf("markers %s and %s overlap (%.1f apart)", a.alpha2, b.alpha2, d)
			}
		}
	}
}

func TestRenderIsWellFormedXML(t *testing.T) {
	hostile := func(string) string { return `<script>alert("x")</script> & 'quotes' ]]> \x00\x1b` + "\xff" }
	tests := []struct {
		name   string
		m      Map
		values map[string]int
		label  func(string) string
	}{
		{"zero map", Map{}, nil, nil},
		{"five bands, every State", fiveBands(), everyState(5), nil},
		{"hostile labels", Map{Title: `<"&>`, Bands: []Band{{`<b>"x"</b>`, `"><script>`}}, NoData: Band{Label: "&amp;", Fill: "#fff"}, ID: `x" onload="`}, everyState(1), hostile},
		{"no bands", Map{Title: "t"}, everyState(3), func(a string) string { return a }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			els := parse(t, string(tt.m.Render(tt.values, tt.label)))
			root := els[0]
			if root.attrs["role"] != "img" {
				t.Errorf("role %q, want img", root.attrs["role"])
			}
			if !strings.Contains(root.attrs["aria-label"], "table") {
				t.Errorf("aria-label %q does not point to the table", root.attrs["aria-label"])
			}
			if !strings.HasPrefix(root.attrs["viewBox"], "0 0 1000 ") {
				t.Errorf("viewBox %q", root.attrs["viewBox"])
			}
		})
	}
}

func TestStatesCarryTheirBand(t *testing.T) {
	m := fiveBands()
	values := map[string]int{"FR": 0, "BR": 4, "JP": 2, "TV": 3, "MC": 1, "LB": 4}
	els := byCode(parse(t, string(m.Render(values, nil))))
	tests := []struct {
		code  string
		want  string // element kinds drawn for the State
		band  int    // -1 for no data
		title string
	}{
		{"FR", "path", 0, "France: 0–20 %"},
		{"BR", "path", 4, "Brazil: 80–100 %"},
		{"JP", "path", 2, "Japan: 40–60 %"},
		{"TV", "circle", 3, "Tuvalu: 60–80 %"},
		{"MC", "circle", 1, "Monaco: 20–40 %"},
		{"LB", "path circle", 4, "Lebanon: 80–100 %"},
		{"DE", "path", -1, "Germany: No data"},
		{"VA", "circle", -1, "Holy See: No data"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			var kinds []string
			for _, e := range els[tt.code] {
				kinds = append(kinds, e.name)
				want := "url(#worldmap-nodata)"
				if tt.band >= 0 {
					want = m.Bands[tt.band].Fill
				}
				if e.attrs["fill"] != want {
					t.Errorf("<%s> fill %q, want %q", e.name, e.attrs["fill"], want)
				}
				if e.title != tt.title {
					t.Errorf("<%s> title %q, want %q", e.name, e.title, tt.title)
				}
				if e.name == "circle" && (tt.band < 0) != (e.attrs["stroke-dasharray"] != "") {
					t.Errorf("marker dashed=%v, want dashed only for no data", e.attrs["stroke-dasharray"] != "")
				}
			}
			if got := strings.Join(kinds, " "); got != tt.want {
				t.Errorf("drawn as %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnknownCodesAndBandsAreIgnored(t *testing.T) {
	m := fiveBands()
	want := m.Render(nil, nil)
	tests := []struct {
		name   string
		values map[string]int
	}{
		{"not a State", map[string]int{"XX": 1}},
		{"territory", map[string]int{"TW": 1, "GL": 2, "EH": 3, "XK": 4}},
		{"lower case", map[string]int{"fr": 1}},
		{"alpha-3", map[string]int{"FRA": 1}},
		{"empty code", map[string]int{"": 1}},
		{"band too high", map[string]int{"FR": 5}},
		{"negative band", map[string]int{"FR": -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Render(tt.values, nil); got != want {
				t.Error("output differs from a map without values")
			}
		})
	}
}

func TestNoStyleScriptOrHandlers(t *testing.T) {
	hostile := func(string) string { return `x" style="color:red" onclick="alert(1)` }
	m := Map{Title: `" style="x`, Bands: []Band{{`" style="y`, `" style="z`}}, ID: `" style="w`}
	for _, svg := range []string{
		string(fiveBands().Render(everyState(5), nil)),
		string(m.Render(everyState(1), hostile)),
	} {
		for _, e := range parse(t, svg) {
			if e.name == "style" || e.name == "script" || e.name == "foreignObject" {
				t.Errorf("<%s> element", e.name)
			}
			for a := range e.attrs {
				if a == "style" || strings.HasPrefix(a, "on") || a == "href" {
					t.Errorf("<%s> has a %s attribute", e.name, a)
				}
			}
		}
	}
	if strings.Contains(string(fiveBands().Render(everyState(5), nil)), "style=") {
		t.Error(`output contains "style="`)
	}
}

func TestTextIsEscaped(t *testing.T) {
	label := func(a string) string {
		if a == "FR" {
			return `<i>"France" & 'co'</i>`
		}
		return ""
	}
	m := Map{Title: `A <b>"bold"</b> title`, Bands: []Band{{Label: `<50 % & "more"`, Fill: "#123456"}}}
	svg := string(m.Render(map[string]int{"FR": 0}, label))
	if strings.Contains(svg, "<i>") || strings.Contains(svg, "<b>") || strings.Contains(svg, "<50") {
		t.Error("markup from labels reached the output unescaped")
	}
	els := parse(t, svg)
	if got, want := els[0].attrs["aria-label"], `A <b>"bold"</b> title. `+note; got != want {
		t.Errorf("aria-label %q, want %q", got, want)
	}
	fr := byCode(els)["FR"]
	if len(fr) == 0 || fr[0].title != `<i>"France" & 'co'</i>: <50 % & "more"` {
		t.Errorf("FR title %q", fr[0].title)
	}
	if de := byCode(els)["DE"]; len(de) == 0 || de[0].title != "Germany: No data" {
		t.Error("an empty label should fall back to the UN short name")
	}
}

func TestControlCharactersAreReplaced(t *testing.T) {
	got := text("a\x00b\x1bc\td\xffe\u0085f")
	if want := "a\uFFFDb\uFFFDc d\uFFFDe\uFFFDf"; got != want {
		t.Errorf("text() = %q, want %q", got, want)
	}
}

func TestAccessibleName(t *testing.T) {
	const fr = "Carte de synthèse : les chiffres de chaque État figurent dans le tableau voisin."
	const zh = "摘要地图：各国数据见旁边的表格。"
	tests := []struct{ name, title, note, want string }{
		{"no title", "", "", note},
		{"a blank title", "   ", "", note},
		{"a title", "Response rate", "", "Response rate. " + note},
		{"a title with its full stop", "Response rate.", "", "Response rate. " + note},
		{"the note in French", "Taux de réponse", fr, "Taux de réponse. " + fr},
		{"a note alone", "", fr, fr},
		{"a Chinese title ends with 。", "按国家分列的答复率。", zh, "按国家分列的答复率。" + zh},
	}
	for _, tt := range tests {
		els := parse(t, string(Map{Title: tt.title, Note: tt.note}.Render(nil, nil)))
		if got := els[0].attrs["aria-label"]; got != tt.want {
			t.Errorf("%s: aria-label %q, want %q", tt.name, got, tt.want)
		}
	}
	if DefaultNote() != note {
		t.Errorf("DefaultNote() = %q", DefaultNote())
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	m := fiveBands()
	first := m.Render(everyState(5), nil)
	for i := range 20 {
		// A fresh map each time: Go randomises map iteration order.
		if got := m.Render(everyState(5), nil); got != first {
			t.Fatalf("render %d differs from the first", i)
		}
	}
}

func TestRenderSizeBudget(t *testing.T) {
	pal := Palette(9)
	m := Map{Title: strings.Repeat("A long title ", 10)}
	for i, c := range pal {
		m.Bands = append(m.Bands, Band{Label: "band " + strconv.Itoa(i) + ": " + strings.Repeat("x", 20), Fill: c})
	}
	long := func(a string) string {
		s, _ := states.ByCode(a)
		return s.Name + " (" + s.Alpha3 + ", " + s.Region + ")"
	}
	n := len(m.Render(everyState(9), long))
	t.Logf("rendered map: %d bytes (budget %d)", n, sizeBudget)
	if n > sizeBudget {
		t.Errorf("rendered map is %d bytes, over the budget of %d", n, sizeBudget)
	}
}

func TestTerritoriesAreUnnamedAndUncoloured(t *testing.T) {
	els := parse(t, string(fiveBands().Render(everyState(5), nil)))
	var others, titled, stateEls int
	for _, e := range els {
		switch {
		case e.attrs["class"] == "wm-other":
			others++
			if e.title != "" || e.attrs["data-code"] != "" {
				t.Errorf("an area that is not a State is named: %q %q", e.title, e.attrs["data-code"])
			}
			if e.attrs["fill"] != otherFill {
				t.Errorf("other areas fill %q, want the neutral %q", e.attrs["fill"], otherFill)
			}
		case e.name == "title":
			titled++
		case e.attrs["data-code"] != "":
			stateEls++
		}
	}
	if others != 1 {
		t.Errorf("%d paths for other areas, want 1", others)
	}
	if titled != stateEls {
		t.Errorf("%d titles for %d State elements: only States are named", titled, stateEls)
	}
}

func TestLegend(t *testing.T) {
	pal := Palette(5)
	tests := []struct {
		name  string
		m     Map
		want  []string
		fills []string
	}{
		{"default no data", fiveBands(), []string{"0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %", "No data"}, append(pal, "url(#worldmap-nodata-key)")},
		{"own no data", Map{Bands: []Band{{"met", "#000"}}, NoData: Band{Label: "Not yet asked"}, ID: "m2"}, []string{"met", "Not yet asked"}, []string{"#000", "url(#m2-nodata-key)"}},
		{"long labels", Map{Bands: []Band{{strings.Repeat("a", 80), ""}, {"  b  ", ""}}}, []string{strings.Repeat("a", 80), "b", "No data"}, append(Palette(2), "url(#worldmap-nodata-key)")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			els := parse(t, string(tt.m.Render(nil, nil)))
			// The map itself holds no text: scaled to a phone's width it
			// would be unreadable. Its legend is HTML, in the page's type.
			for _, e := range els {
				if e.name == "text" {
					t.Errorf("<text>%s</text> in the SVG", e.text)
				}
			}
			var got, fills []string
			var patterns []string
			in := false
			for _, e := range els {
				if e.attrs["class"] == "wm-legend" {
					in = true
					continue
				}
				if !in {
					continue
				}
				switch {
				case e.name == "li":
					got = append(got, e.text)
				case e.name == "svg":
					if e.attrs["aria-hidden"] != "true" {
						t.Error("a swatch is not hidden from assistive technology")
					}
				case e.name == "pattern":
					patterns = append(patterns, e.attrs["id"])
				case e.name == "rect" && e.attrs["stroke"] != "":
					fills = append(fills, e.attrs["fill"])
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("legend %q, want %q", got, tt.want)
			}
			if strings.Join(fills, "|") != strings.Join(tt.fills, "|") {
				t.Errorf("swatches %q, want %q", fills, tt.fills)
			}
			// The no-data swatch's hatch is defined in the legend itself.
			if len(patterns) != 1 || "url(#"+patterns[0]+")" != tt.fills[len(tt.fills)-1] {
				t.Errorf("legend patterns %q", patterns)
			}
		})
	}
}

func TestFillsAndIDsAreChecked(t *testing.T) {
	pal := Palette(3)
	m := Map{
		Bands: []Band{{"a", "#ABC"}, {"b", "red"}, {"c", `#12345"`}},
		ID:    `check-map 2"<`,
	}
	els := byCode(parse(t, string(m.Render(map[string]int{"FR": 0, "DE": 1, "IT": 2, "ES": 9}, nil))))
	for code, want := range map[string]string{"FR": "#abc", "DE": pal[1], "IT": pal[2], "ES": "url(#check-map2-nodata)"} {
		if got := els[code][0].attrs["fill"]; got != want {
			t.Errorf("%s fill %q, want %q", code, got, want)
		}
	}
	if !strings.Contains(string(m.Render(nil, nil)), `<pattern id="check-map2-nodata"`) {
		t.Error("pattern id not derived from the cleaned Map.ID")
	}
}

func TestPalette(t *testing.T) {
	hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	if Palette(0) != nil || Palette(-1) != nil {
		t.Error("Palette of no colours should be nil")
	}
	for n := 1; n <= 9; n++ {
		p := Palette(n)
		if len(p) != n {
			t.Fatalf("Palette(%d) has %d colours", n, len(p))
		}
		seen := map[string]bool{}
		prev := 2.0
		for _, c := range p {
			if !hex.MatchString(c) {
				t.Errorf("Palette(%d): %q is not #rrggbb", n, c)
			}
			if seen[c] {
				t.Errorf("Palette(%d) repeats %s", n, c)
			}
			seen[c] = true
			if l := luminance(c); l >= prev {
				t.Errorf("Palette(%d) is not light to dark at %s", n, c)
			} else {
				prev = l
			}
		}
	}
	if p := Palette(2); p[0] != "#fde725" || p[1] != "#440154" {
		t.Errorf("Palette(2) = %v, want the viridis ends", p)
	}
}

func TestOutlineContrast(t *testing.T) {
	// The border lets even the lightest band stand out from the sea and
	// from the page (WCAG 1.4.11 asks 3:1 for graphical objects).
	for _, bg := range append([]string{seaFill, "#ffffff", otherFill}, Palette(9)[:3]...) {
		if r := contrast(borderColor, bg); r < 3 {
			t.Errorf("outline %s on %s: contrast %.2f, want at least 3", borderColor, bg, r)
		}
	}
}

// luminance is the WCAG relative luminance of a #rrggbb colour.
func luminance(c string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		l += w * s
	}
	return l
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func FuzzRenderLabels(f *testing.F) {
	f.Add("France", "0–20 %", "Title", "#abc")
	f.Add("<x>", "&amp;", "\x00", "\"")
	f.Add("\xff\xfe", "]]>", "", "")
	f.Fuzz(func(t *testing.T, name, band, title, fill string) {
		m := Map{Title: title, Bands: []Band{{band, fill}}, NoData: Band{Label: band}, ID: name}
		svg := string(m.Render(map[string]int{"FR": 0, "SM": 0}, func(string) string { return name }))
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v", err)
			}
		}
	})
}

func BenchmarkRender(b *testing.B) {
	m := fiveBands()
	values := everyState(5)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(m.Render(values, nil))
	}
	b.SetBytes(int64(n))
}
