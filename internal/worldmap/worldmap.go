package worldmap

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Band is one legend entry: a label and the fill of the States in it.
type Band struct {
	Label string // shown in the legend and in each State's tooltip, e.g. "75–100 %"
	Fill  string // "#rgb" or "#rrggbb"; anything else falls back to Palette
}

// Map describes a choropleth. The zero value draws every State as no data.
type Map struct {
	// Title names the map for assistive technology, e.g. "Response rate by
	// State, communication check of 3 March 2026". Render adds Note.
	Title string
	// Note follows the title in the map's accessible name and sends the
	// reader to the table beside the map; empty means DefaultNote, in
	// English. A page in another language gives it in that language.
	Note string
	// Bands are the legend entries in order, lowest first; Render's values
	// index into it.
	Bands []Band
	// NoData is for States without a value; an empty Label or Fill is taken
	// from DefaultNoData. Its fill is always overlaid with a hatch (and
	// markers get a dashed outline), so that no data is told apart from the
	// bands by more than colour.
	NoData Band
	// ID prefixes the ids of elements inside the SVG (the hatch pattern).
	// Give each map on one page its own; empty means "worldmap".
	ID string
}

// DefaultNoData is the no-data legend entry Render uses where Map.NoData
// leaves a field empty.
func DefaultNoData() Band { return Band{Label: "No data", Fill: "#f4f4f4"} }

// Colours of everything that is not a band.
const (
	seaFill     = "#e6eff6" // the globe
	otherFill   = "#cfcfcf" // areas that are not States: neutral, no data
	borderColor = "#454545" // outlines: at least 3:1 against the sea and the lightest band
	hatchColor  = "#858585"
	textColor   = "#1a1a1a"
)

// markerR is the radius of the markers of small States. The generator
// (gen.MarkerSpacing) places marker centres at least 7 units apart.
const markerR = 3

// legendSwatch is the side of a legend swatch in CSS px. The legend is
// HTML rather than part of the SVG: scaled with a 1000-unit-wide map into
// a phone's column its text would shrink to a few pixels, while an HTML
// list keeps the page's type size and wraps to any width.
const legendSwatch = 16

// note is appended to the title to form the map's accessible name, unless
// Map.Note gives other words.
const note = "Summary map: the figures for each State are in the table beside it."

// DefaultNote is the note Render adds to the title where Map.Note is empty.
func DefaultNote() string { return note }

// Render returns the map's <svg> element followed by its legend, a
// <ul class="wm-legend"> whose entries are the bands, then no data, each
// with a swatch. values maps an upper-case alpha-2 code
// to an index into m.Bands; States not in values, or with an index out of
// range, are drawn as no data, and codes that are not States are ignored.
// label gives the name a State's tooltip shows; nil, or an empty result,
// means the State's UN short name. The output depends only on the
// arguments.
func (m Map) Render(values map[string]int, label func(alpha2 string) string) template.HTML {
	g := loadGeometry()
	id := cleanID(m.ID)
	noData := m.NoData
	if noData.Label == "" {
		noData.Label = DefaultNoData().Label
	}
	noData.Fill = colour(noData.Fill, DefaultNoData().Fill)
	noDataFill := "url(#" + id + "-nodata)"
	fills := bandFills(m.Bands)

	legend := m.legend(noData, id, fills)

	var b strings.Builder
	b.Grow(len(shapesTxt) + 200*len(g.states) + 2048)
	name := strings.TrimSpace(m.Note)
	if name == "" {
		name = note
	}
	// The title ends as a sentence of its script does: a Chinese title
	// with 。, which needs no space after it.
	if t := strings.TrimSuffix(strings.TrimSpace(m.Title), "."); strings.HasSuffix(t, "。") {
		name = t + name
	} else if t != "" {
		name = t + ". " + name
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="worldmap" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		g.width, g.height, text(name))
	fmt.Fprintf(&b, `<defs><pattern id="%s-nodata" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="4" height="4" fill="%s"/><path d="M0 0V4" stroke="%s" stroke-width="1.4"/></pattern></defs>`,
		id, noData.Fill, hatchColor)
	fmt.Fprintf(&b, `<path class="wm-sea" fill="%s" d="%s"/>`, seaFill, g.sphere)
	fmt.Fprintf(&b, `<g stroke="%s" stroke-width="0.35" stroke-linejoin="round" fill-rule="evenodd">`, borderColor)
	if g.other != "" {
		fmt.Fprintf(&b, `<path class="wm-other" fill="%s" d="%s"/>`, otherFill, g.other)
	}

	type drawn struct {
		fill, title string
		noData      bool
	}
	look := make([]drawn, len(g.states))
	for i, s := range g.states {
		name := s.name
		if label != nil {
			if l := label(s.alpha2); strings.TrimSpace(l) != "" {
				name = l
			}
		}
		fill, band, none := noDataFill, noData.Label, true
		if v, ok := values[s.alpha2]; ok && v >= 0 && v < len(fills) {
			fill, band, none = fills[v], m.Bands[v].Label, false
		}
		t := name
		if band = strings.TrimSpace(band); band != "" {
			t += ": " + band
		}
		look[i] = drawn{fill: fill, title: text(t), noData: none}
	}
	for i, s := range g.states {
		if s.path == "" {
			continue
		}
		b.WriteString(`<path class="wm-state" data-code="`)
		b.WriteString(s.alpha2)
		b.WriteString(`" fill="`)
		b.WriteString(look[i].fill)
		b.WriteString(`" d="`)
		b.WriteString(s.path)
		b.WriteString(`"><title>`)
		b.WriteString(look[i].title)
		b.WriteString(`</title></path>`)
	}
	b.WriteString(`</g>`)

	// Markers come last so that no shape covers them. A marker is too small
	// to show the hatch, so no-data markers also get a dashed outline.
	fmt.Fprintf(&b, `<g class="wm-markers" stroke="%s" stroke-width="0.8">`, borderColor)
	for i, s := range g.states {
		if !s.marker {
			continue
		}
		dash := ""
		if look[i].noData {
			dash = ` stroke-dasharray="1.6 1.2"`
		}
		fmt.Fprintf(&b, `<circle class="wm-marker" data-code="%s" cx="%d" cy="%d" r="%d" fill="%s"%s><title>%s</title></circle>`,
			s.alpha2, s.mx, s.my, markerR, look[i].fill, dash, look[i].title)
	}
	b.WriteString(`</g>`)
	b.WriteString(`</svg>`)
	b.WriteString(legend)
	return template.HTML(b.String())
}

// legend returns the legend list: the bands, then no data. Each swatch is
// a small SVG of its own, hidden from assistive technology (the entry's
// text says it all); the no-data swatch carries the same hatch as the map.
func (m Map) legend(noData Band, id string, fills []string) string {
	var b strings.Builder
	b.WriteString(`<ul class="wm-legend">`)
	swatch := func(fill, defs string) {
		fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="wm-swatch" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true" focusable="false">%s`+
			`<rect x="0.5" y="0.5" width="%d" height="%d" fill="%s" stroke="%s" stroke-width="1"/></svg>`,
			legendSwatch, legendSwatch, legendSwatch, legendSwatch, defs, legendSwatch-1, legendSwatch-1, fill, borderColor)
	}
	for i, band := range m.Bands {
		b.WriteString(`<li>`)
		swatch(fills[i], "")
		b.WriteString(text(strings.TrimSpace(band.Label)))
		b.WriteString(`</li>`)
	}
	b.WriteString(`<li>`)
	// The map's pattern would do, but the legend must not depend on the
	// map's SVG being in the same document.
	swatch("url(#"+id+"-nodata-key)", fmt.Sprintf(`<defs><pattern id="%s-nodata-key" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="4" height="4" fill="%s"/><path d="M0 0V4" stroke="%s" stroke-width="1.4"/></pattern></defs>`, id, noData.Fill, hatchColor))
	b.WriteString(text(strings.TrimSpace(noData.Label)))
	b.WriteString(`</li></ul>`)
	return b.String()
}

// bandFills returns each band's fill, falling back to the palette for fills
// that are not hex colours.
func bandFills(bands []Band) []string {
	pal := Palette(len(bands))
	fills := make([]string, len(bands))
	for i, band := range bands {
		fills[i] = colour(band.Fill, pal[i])
	}
	return fills
}

// colour returns c, lower-cased, if it is a "#rgb" or "#rrggbb" colour, and
// fallback otherwise.
func colour(c, fallback string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if (len(c) != 4 && len(c) != 7) || c[0] != '#' {
		return fallback
	}
	for _, r := range c[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return fallback
		}
	}
	return c
}

// cleanID keeps letters, digits, '-' and '_' so the id is safe in an
// attribute and in url(#...).
func cleanID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "worldmap"
	}
	return b.String()
}

// text makes s safe as SVG text or attribute content: characters XML does
// not allow (control characters, invalid UTF-8) become U+FFFD, then markup
// characters are escaped.
func text(s string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20, r >= 0x7f && r < 0xa0, r == 0xfffe, r == 0xffff, r == utf8.RuneError:
			return '\uFFFD'
		}
		return r
	}, s)
	return template.HTMLEscapeString(clean)
}

// viridis is the viridis colour map (van der Walt and Smith, 2015) at nine
// evenly spaced stops: perceptually uniform and readable with the common
// colour-vision deficiencies and in greyscale.
var viridis = [...][3]float64{
	{0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b},
	{0x2c, 0x72, 0x8e}, {0x21, 0x90, 0x8c}, {0x27, 0xad, 0x81},
	{0x5d, 0xc8, 0x63}, {0xaa, 0xdc, 0x32}, {0xfd, 0xe7, 0x25},
}

// Palette returns n colours of a colour-blind-safe sequential scale (the
// viridis colour map), from light to dark: use the first for the lowest
// band. With n of 1 it returns a mid-scale colour.
func Palette(n int) []string {
	if n <= 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		t := 0.5
		if n > 1 {
			t = 1 - float64(i)/float64(n-1)
		}
		out[i] = sample(t)
	}
	return out
}

// sample interpolates viridis at t in [0, 1] (0 dark, 1 light).
func sample(t float64) string {
	pos := t * float64(len(viridis)-1)
	i := min(int(pos), len(viridis)-2)
	f := pos - float64(i)
	var b strings.Builder
	b.WriteByte('#')
	for c := range 3 {
		v := viridis[i][c] + f*(viridis[i+1][c]-viridis[i][c])
		h := strconv.FormatInt(int64(math.Round(v)), 16)
		if len(h) == 1 {
			b.WriteByte('0')
		}
		b.WriteString(h)
	}
	return b.String()
}
