package worldmap

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/detente/detente/internal/states"
)

//go:embed shapes.txt
var shapesTxt string

// shape is what the map draws for one State.
type shape struct {
	alpha2 string
	name   string
	path   string // SVG path data; "" if the State is only a marker
	marker bool
	mx, my int // marker centre, when marker
}

// geometry is the parsed shape file.
type geometry struct {
	width, height int
	sphere        string  // outline of the globe: the sea
	states        []shape // one per State, sorted by alpha-2 code
	other         string  // all areas that are not States, as one path
}

// loadGeometry parses the embedded shape file once. The file is generated
// and committed, and the tests parse it, so an error here means a broken
// build, not bad input.
var loadGeometry = sync.OnceValue(func() *geometry {
	g, err := parseShapes(shapesTxt)
	if err != nil {
		panic("worldmap: embedded shapes.txt: " + err.Error())
	}
	return g
})

func parseShapes(txt string) (*geometry, error) {
	byNumeric := map[string]states.State{}
	for _, s := range states.All() {
		byNumeric[s.Numeric] = s
	}
	g := &geometry{}
	var other strings.Builder
	seen := map[string]bool{}
	for n, line := range strings.Split(txt, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		bad := func(why string) error { return fmt.Errorf("line %d (%s): %s", n+1, kind, why) }
		switch kind {
		case "viewbox":
			w, h, ok := strings.Cut(rest, " ")
			var err1, err2 error
			g.width, err1 = strconv.Atoi(w)
			g.height, err2 = strconv.Atoi(h)
			if !ok || err1 != nil || err2 != nil || g.width <= 0 || g.height <= 0 {
				return nil, bad("want two positive integers")
			}
		case "sphere":
			if !isPathData(rest) {
				return nil, bad("bad path data")
			}
			g.sphere = rest
		case "other":
			_, path, ok := strings.Cut(rest, " ")
			if !ok || !isPathData(path) {
				return nil, bad("bad path data")
			}
			other.WriteString(path)
		case "state":
			f := strings.SplitN(rest, " ", 3)
			if len(f) != 3 {
				return nil, bad("want numeric, marker and path")
			}
			st, ok := byNumeric[f[0]]
			if !ok {
				return nil, bad("unknown State " + f[0])
			}
			if seen[f[0]] {
				return nil, bad("State " + f[0] + " twice")
			}
			seen[f[0]] = true
			sh := shape{alpha2: st.Alpha2, name: st.Name}
			if f[1] != "-" {
				x, y, ok := strings.Cut(f[1], ",")
				var err1, err2 error
				sh.mx, err1 = strconv.Atoi(x)
				sh.my, err2 = strconv.Atoi(y)
				if !ok || err1 != nil || err2 != nil {
					return nil, bad("marker is not x,y")
				}
				sh.marker = true
			}
			if f[2] != "-" {
				if !isPathData(f[2]) {
					return nil, bad("bad path data")
				}
				sh.path = f[2]
			}
			if !sh.marker && sh.path == "" {
				return nil, bad("State " + f[0] + " has neither marker nor path")
			}
			g.states = append(g.states, sh)
		default:
			return nil, bad("unknown line kind")
		}
	}
	if g.width == 0 {
		return nil, fmt.Errorf("no viewbox line")
	}
	g.other = other.String()
	sort.Slice(g.states, func(i, j int) bool { return g.states[i].alpha2 < g.states[j].alpha2 })
	return g, nil
}

// isPathData reports whether s is non-empty path data as the generator
// writes it (moves, relative lines, closes and integers), which is also what
// makes it safe to write into an attribute without escaping.
func isPathData(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9', c == ' ', c == '-', c == 'M', c == 'l', c == 'z':
		default:
			return false
		}
	}
	return true
}
