// Command gen turns the Natural Earth country shapes that the world-atlas npm
// package ships as TopoJSON into the compact, projected shape file that
// package worldmap embeds. It runs only when a developer regenerates the map:
//
//	cd tools/worldmap && npm ci && cd ../.. && go generate ./internal/worldmap
//
// What it does, in order:
//
//  1. decodes the topology's arcs (delta-encoded, quantized by the topology's
//     transform) into longitude/latitude points;
//  2. simplifies each arc once (Douglas–Peucker, measured in the projected
//     plane), so neighbouring countries that share a border still share
//     exactly the same points;
//  3. assembles each country's rings and cuts those that cross the
//     antimeridian into pieces that stay on one side of the map;
//  4. projects them with the Equal Earth projection (Šavrič, Patterson and
//     Jenny 2019), scaled so the whole world is Width units wide and cropped
//     to the latitudes LatTop..LatBottom (Antarctica is left out);
//  5. rounds them to integer coordinates, drops rings smaller than about a
//     pixel, and writes SVG path data;
//  6. gives a marker position to every State whose shape is too small to see
//     or hover (the centroid of its largest polygon, or a hand-kept position
//     for States the data lacks altogether), and moves markers that would
//     overlap apart.
//
// Every one of the 195 States in package states must come out with a shape
// or a marker; the generator fails otherwise.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/detente/detente/internal/states"
)

// Output geometry. The viewBox is Width wide; its height follows from the
// latitude crop.
const (
	Width     = 1000
	LatTop    = 85.0  // northernmost land in the data is 83.6°N (Greenland)
	LatBottom = -60.0 // southernmost kept land is 58.5°S (South Sandwich Is.)

	// Tolerance of the Douglas–Peucker simplification, in viewBox units.
	Tolerance = 0.3
	// Rings whose rounded area is below this many square units are dropped.
	MinRingArea = 1.0
	// A State whose full-resolution projected area is below this many square
	// units gets a marker so that it can be seen and hovered.
	MarkerArea = 10.0
	// Marker centres are moved apart until they are at least this far from
	// each other (and this far, halved, from the edges), so that markers do
	// not hide each other. Package worldmap draws them with radius 3.
	MarkerSpacing = 7.0
)

// antarctica is left off the map: it is no State and would double the height
// of the southern margin.
const antarctica = "010"

// fallbackMarkers gives a marker position to States the data has no polygon
// for at all. The coordinates are approximate positions of each State's
// capital, written by hand (degrees, east and north positive).
var fallbackMarkers = map[string][2]float64{
	"798": {179.20, -8.52}, // Tuvalu: Funafuti, 8°31′S 179°12′E
}

func main() {
	in := flag.String("in", "", "TopoJSON file (world-atlas countries-50m.json)")
	out := flag.String("out", "shapes.txt", "shape file to write")
	source := flag.String("source", "world-atlas 2.0.2 countries-50m.json", "source description written into the file header")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "gen: -in is required; run npm ci in tools/worldmap first")
		os.Exit(2)
	}
	if err := run(*in, *out, *source); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, source string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("%w (run npm ci in tools/worldmap)", err)
	}
	var buf bytes.Buffer
	if err := generate(raw, source, &buf); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// --- TopoJSON -------------------------------------------------------------

type topology struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][]float64 `json:"arcs"`
	Objects map[string]struct {
		Type       string     `json:"type"`
		Geometries []geometry `json:"geometries"`
	} `json:"objects"`
}

type geometry struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id"`
	Arcs json.RawMessage `json:"arcs"`
}

// id returns the geometry's id as a three-digit string, or "" if it has none.
func (g geometry) id() (string, error) {
	if len(g.ID) == 0 || string(g.ID) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(g.ID, &s); err == nil {
		return s, nil
	}
	var n int
	if err := json.Unmarshal(g.ID, &n); err != nil {
		return "", fmt.Errorf("geometry id %s is neither string nor integer", g.ID)
	}
	return fmt.Sprintf("%03d", n), nil
}

// polygons returns the geometry's polygons, each a list of rings, each ring a
// list of arc references (a negative reference ~i means arc i reversed).
func (g geometry) polygons() ([][][]int, error) {
	switch g.Type {
	case "Polygon":
		var p [][]int
		if err := json.Unmarshal(g.Arcs, &p); err != nil {
			return nil, fmt.Errorf("polygon arcs: %w", err)
		}
		return [][][]int{p}, nil
	case "MultiPolygon":
		var mp [][][]int
		if err := json.Unmarshal(g.Arcs, &mp); err != nil {
			return nil, fmt.Errorf("multipolygon arcs: %w", err)
		}
		return mp, nil
	case "", "null":
		return nil, nil
	}
	return nil, fmt.Errorf("unsupported geometry type %q", g.Type)
}

// decodeArcs turns the topology's arcs into longitude/latitude points,
// undoing the delta encoding and quantization when the topology has a
// transform.
func decodeArcs(t *topology) ([][]point, error) {
	arcs := make([][]point, len(t.Arcs))
	for i, a := range t.Arcs {
		pts := make([]point, len(a))
		var x, y float64
		for j, p := range a {
			if len(p) < 2 {
				return nil, fmt.Errorf("arc %d point %d has %d coordinates", i, j, len(p))
			}
			if t.Transform != nil {
				x += p[0]
				y += p[1]
				pts[j] = point{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
			} else {
				pts[j] = point{p[0], p[1]}
			}
		}
		arcs[i] = pts
	}
	return arcs, nil
}

// --- Projection -----------------------------------------------------------

type point struct{ X, Y float64 }

// Equal Earth polynomial coefficients, from Šavrič, B., Patterson, T. and
// Jenny, B. (2019) "The Equal Earth map projection", International Journal
// of Geographical Information Science 33(3), equations (1)–(3).
const (
	eeA1 = 1.340264
	eeA2 = -0.081106
	eeA3 = 0.000893
	eeA4 = 0.003796
)

// equalEarth projects longitude and latitude (radians) onto the unit-radius
// Equal Earth plane, y pointing north:
//
//	sin θ = (√3/2) sin φ
//	x = 2√3 λ cos θ / (3 (9A4θ⁸ + 7A3θ⁶ + 3A2θ² + A1))
//	y = A4θ⁹ + A3θ⁷ + A2θ³ + A1θ
func equalEarth(lambda, phi float64) (x, y float64) {
	theta := math.Asin(math.Sqrt(3) / 2 * math.Sin(phi))
	t2 := theta * theta
	t6 := t2 * t2 * t2
	x = 2 * math.Sqrt(3) * lambda * math.Cos(theta) / (3 * (9*eeA4*t6*t2 + 7*eeA3*t6 + 3*eeA2*t2 + eeA1))
	y = theta * (eeA1 + eeA2*t2 + t6*(eeA3+eeA4*t2))
	return x, y
}

// frame maps projected points into the viewBox.
type frame struct {
	k      float64 // viewBox units per projected unit
	yTop   float64 // projected y of LatTop
	height int
}

func newFrame() frame {
	xMax, _ := equalEarth(math.Pi, 0)
	_, yTop := equalEarth(0, LatTop*math.Pi/180)
	_, yBottom := equalEarth(0, LatBottom*math.Pi/180)
	k := Width / (2 * xMax)
	return frame{k: k, yTop: yTop, height: int(math.Ceil(k * (yTop - yBottom)))}
}

// project maps degrees to viewBox coordinates (y pointing down). Latitudes
// outside the crop are clamped to it.
func (f frame) project(lon, lat float64) point {
	lat = max(LatBottom, min(LatTop, lat))
	x, y := equalEarth(lon*math.Pi/180, lat*math.Pi/180)
	return point{Width/2 + f.k*x, f.k * (f.yTop - y)}
}

// sphere returns the outline of the projected globe within the crop: the
// meridian ±180° from LatBottom to LatTop, closed by the two cropping
// parallels (which Equal Earth draws as straight lines).
func (f frame) sphere() []point {
	var ring []point
	for lat := LatBottom; lat <= LatTop; lat += 0.5 {
		ring = append(ring, f.project(180, lat))
	}
	for lat := LatTop; lat >= LatBottom; lat -= 0.5 {
		ring = append(ring, f.project(-180, lat))
	}
	return ring
}

// --- Simplification and rings ---------------------------------------------

// simplify applies Douglas–Peucker with tolerance eps, keeping both ends.
func simplify(pts []point, eps float64) []point {
	keep := keepIndices(pts, eps)
	out := make([]point, len(keep))
	for i, k := range keep {
		out[i] = pts[k]
	}
	return out
}

// keepIndices returns, in order, the indices of the points Douglas–Peucker
// with tolerance eps keeps, both ends included. An arc that closes on itself
// is measured from its first point.
func keepIndices(pts []point, eps float64) []int {
	if len(pts) <= 2 {
		idx := make([]int, len(pts))
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, len(pts) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		far, dmax := -1, eps
		for i := s.a + 1; i < s.b; i++ {
			if d := segmentDistance(pts[i], pts[s.a], pts[s.b]); d > dmax {
				far, dmax = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, span{s.a, far}, span{far, s.b})
		}
	}
	var idx []int
	for i, k := range keep {
		if k {
			idx = append(idx, i)
		}
	}
	return idx
}

// segmentDistance is the distance from p to the segment ab (to the point a
// when a and b coincide).
func segmentDistance(p, a, b point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return math.Hypot(p.X-a.X, p.Y-a.Y)
	}
	t := max(0, min(1, ((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2))
	return math.Hypot(p.X-(a.X+t*dx), p.Y-(a.Y+t*dy))
}

// ring joins arcs into one closed ring of points (the last point repeats the
// first, as arcs do).
func ring(arcs [][]point, refs []int) ([]point, error) {
	var out []point
	for _, r := range refs {
		i, rev := r, false
		if r < 0 {
			i, rev = ^r, true
		}
		if i >= len(arcs) {
			return nil, fmt.Errorf("arc reference %d out of range", r)
		}
		a := arcs[i]
		if rev {
			a = reversed(a)
		}
		if len(out) > 0 && len(a) > 0 {
			a = a[1:] // the first point repeats the previous arc's last
		}
		out = append(out, a...)
	}
	return out, nil
}

func reversed(a []point) []point {
	r := make([]point, len(a))
	for i, p := range a {
		r[len(a)-1-i] = p
	}
	return r
}

// area is the signed shoelace area of a ring (closing edge implied).
func area(r []point) float64 {
	var s float64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].X*r[j].Y - r[j].X*r[i].Y
	}
	return s / 2
}

// centroid is the area centroid of a ring.
func centroid(r []point) point {
	var cx, cy, a float64
	for i := range r {
		j := (i + 1) % len(r)
		c := r[i].X*r[j].Y - r[j].X*r[i].Y
		a += c
		cx += (r[i].X + r[j].X) * c
		cy += (r[i].Y + r[j].Y) * c
	}
	if a == 0 {
		return r[0]
	}
	return point{cx / (3 * a), cy / (3 * a)}
}

// spread moves points apart, a little at a time, until no two are closer
// than d, and keeps them at least d/2 inside the viewBox. Points are moved
// in a fixed order, so the result is deterministic.
func spread(pts []point, d float64, height int) {
	for range 500 {
		moved := false
		for i := range pts {
			for j := i + 1; j < len(pts); j++ {
				dx, dy := pts[j].X-pts[i].X, pts[j].Y-pts[i].Y
				dist := math.Hypot(dx, dy)
				if dist >= d {
					continue
				}
				if dist == 0 {
					dx, dy, dist = 1, 0, 1 // coincident: separate sideways
				}
				push := (d - dist) / 2 * 1.05
				pts[i].X -= dx / dist * push
				pts[i].Y -= dy / dist * push
				pts[j].X += dx / dist * push
				pts[j].Y += dy / dist * push
				moved = true
			}
		}
		for i := range pts {
			pts[i].X = max(d/2, min(Width-d/2, pts[i].X))
			pts[i].Y = max(d/2, min(float64(height)-d/2, pts[i].Y))
		}
		if !moved {
			return
		}
	}
}

// --- Antimeridian -----------------------------------------------------------

// The topology keeps rings that cross the antimeridian whole (Chukotka,
// Wrangel Island, Fiji's Taveuni), as a spherical renderer expects. On a flat
// map such a ring would draw a line across the whole world, so cut splits it
// at ±180° into pieces that each stay on one side.

// upoint is a ring point with its longitude unwrapped (continuous along the
// ring, possibly beyond ±180°), its original longitude, and whether it is an
// original point or one the cut introduced.
type upoint struct {
	u, lat, lon float64
	orig        bool
}

// cut returns the pieces of a closed lon/lat ring (last point repeating the
// first), each closed and within -180..180°. A ring that does not cross the
// antimeridian comes back as the only piece, unchanged.
func cut(r []point) ([][]point, error) {
	if len(r) < 4 {
		return [][]point{r}, nil
	}
	pts := make([]upoint, len(r))
	pts[0] = upoint{r[0].X, r[0].Y, r[0].X, true}
	lo, hi := r[0].X, r[0].X
	for i := 1; i < len(r); i++ {
		d := r[i].X - r[i-1].X
		for d > 180 {
			d -= 360
		}
		for d < -180 {
			d += 360
		}
		u := pts[i-1].u + d
		pts[i] = upoint{u, r[i].Y, r[i].X, true}
		lo, hi = min(lo, u), max(hi, u)
	}
	if math.Abs(pts[len(pts)-1].u-pts[0].u) > 1e-6 {
		return nil, errors.New("a ring winds around a pole (only Antarctica should, and it is left out)")
	}
	if lo >= -180 && hi <= 180 {
		// No crossing, but a point on the antimeridian may be written as
		// -180 on the east side or 180 on the west: put it on the ring's side.
		out := append([]point(nil), r...)
		for i, p := range pts {
			if math.Abs(p.lon) == 180 {
				out[i].X = math.Copysign(180, p.u)
			}
		}
		return [][]point{out}, nil
	}
	if lo < -180 && hi > 180 {
		return nil, errors.New("a ring is wider than the world")
	}
	c := 180.0
	if lo < -180 {
		c = -180
	}
	open := pts[:len(pts)-1]
	var pieces [][]point
	for _, side := range []float64{c, -c} { // the side the piece ends up on
		var keep func(u float64) bool
		if side == c {
			keep = func(u float64) bool { return u*c <= c*c } // the ring's home side
		} else {
			keep = func(u float64) bool { return u*c >= c*c } // beyond the cut
		}
		piece := clipHalf(open, c, keep)
		if len(piece) < 3 {
			continue
		}
		ll := make([]point, 0, len(piece)+1)
		for _, p := range piece {
			lon := p.lon
			if !p.orig || math.Abs(p.u-c) < 1e-9 {
				lon = side
			}
			ll = append(ll, point{lon, p.lat})
		}
		ll = append(ll, ll[0])
		if area(ll) == 0 {
			continue // only a line along the cut
		}
		pieces = append(pieces, densifyCut(ll))
	}
	return pieces, nil
}

// clipHalf clips an open ring to the half-plane keep(u) bounded by u = c
// (Sutherland–Hodgman).
func clipHalf(ring []upoint, c float64, keep func(u float64) bool) []upoint {
	var out []upoint
	cross := func(a, b upoint) upoint {
		t := (c - a.u) / (b.u - a.u)
		return upoint{u: c, lat: a.lat + t*(b.lat-a.lat)}
	}
	for i, cur := range ring {
		prev := ring[(i+len(ring)-1)%len(ring)]
		switch {
		case keep(cur.u) && keep(prev.u):
			out = append(out, cur)
		case keep(cur.u):
			out = append(out, cross(prev, cur), cur)
		case keep(prev.u):
			out = append(out, cross(prev, cur))
		}
	}
	return out
}

// densifyCut adds points every half degree along edges that run on the
// antimeridian, which Equal Earth draws as a curve.
func densifyCut(r []point) []point {
	out := []point{r[0]}
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		if math.Abs(a.X) == 180 && a.X == b.X {
			n := int(math.Abs(b.Y-a.Y) / 0.5)
			for k := 1; k < n; k++ {
				out = append(out, point{a.X, a.Y + (b.Y-a.Y)*float64(k)/float64(n)})
			}
		}
		out = append(out, b)
	}
	return out
}

type ipoint struct{ X, Y int }

// roundRing rounds a ring to integers and drops consecutive repeats and the
// closing repeat of the first point.
func roundRing(r []point) []ipoint {
	out := make([]ipoint, 0, len(r))
	for _, p := range r {
		q := ipoint{int(math.Round(p.X)), int(math.Round(p.Y))}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

func iarea(r []ipoint) float64 {
	var s int
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].X*r[j].Y - r[j].X*r[i].Y
	}
	return float64(s) / 2
}

// pathData writes rings as compact SVG path data: an absolute move to the
// first point, then relative lines, then close.
func pathData(rings [][]ipoint) string {
	var b []byte
	num := func(n int, sep bool) {
		if sep && n >= 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	for _, r := range rings {
		b = append(b, 'M')
		num(r[0].X, false)
		num(r[0].Y, true)
		b = append(b, 'l')
		for i := 1; i < len(r); i++ {
			num(r[i].X-r[i-1].X, i > 1)
			num(r[i].Y-r[i-1].Y, true)
		}
		b = append(b, 'z')
	}
	return string(b)
}

// --- Generation -----------------------------------------------------------

// feature is everything drawn for one id (or one id-less area).
type feature struct {
	id       string
	state    bool
	rings    [][]ipoint
	area     float64 // full-resolution projected area
	largest  []point // outer ring of the largest polygon, full resolution
	largestA float64
}

func generate(raw []byte, source string, w io.Writer) error {
	var t topology
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("reading TopoJSON: %w", err)
	}
	if t.Type != "Topology" {
		return fmt.Errorf("not a TopoJSON topology (type %q)", t.Type)
	}
	countries, ok := t.Objects["countries"]
	if !ok {
		return errors.New(`topology has no "countries" object`)
	}
	lonlat, err := decodeArcs(&t)
	if err != nil {
		return err
	}
	f := newFrame()
	// Simplify each arc once, measuring in viewBox units but keeping the
	// lon/lat points, so that rings can be cut at the antimeridian before
	// they are projected. Longitudes are unwrapped for the measuring, so an
	// arc that crosses the antimeridian is simplified as the line it is.
	simple := make([][]point, len(lonlat))
	for i, a := range lonlat {
		proj := make([]point, len(a))
		u := 0.0
		for j, p := range a {
			if j == 0 {
				u = p.X
			} else {
				d := p.X - a[j-1].X
				u += d - 360*math.Round(d/360)
			}
			proj[j] = f.project(u, p.Y)
		}
		for _, k := range keepIndices(proj, Tolerance) {
			simple[i] = append(simple[i], a[k])
		}
	}

	isState := map[string]bool{}
	for _, s := range states.All() {
		isState[s.Numeric] = true
	}

	byID := map[string]*feature{}
	var others []*feature // areas without an id
	for n, g := range countries.Geometries {
		id, err := g.id()
		if err != nil {
			return fmt.Errorf("geometry %d: %w", n, err)
		}
		if id == antarctica {
			continue
		}
		polys, err := g.polygons()
		if err != nil {
			return fmt.Errorf("geometry %d (id %q): %w", n, id, err)
		}
		var ft *feature
		switch {
		case id == "":
			ft = &feature{}
			others = append(others, ft)
		case byID[id] != nil:
			ft = byID[id] // e.g. Ashmore and Cartier Is. share Australia's 036
		default:
			ft = &feature{id: id, state: isState[id]}
			byID[id] = ft
		}
		if err := addPolygons(ft, polys, lonlat, simple, f); err != nil {
			return fmt.Errorf("geometry %d (id %q): %w", n, id, err)
		}
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Generated by go generate ./internal/worldmap from %s\n", source)
	fmt.Fprintln(bw, "# (Natural Earth 1:50m admin-0 countries, public domain). DO NOT EDIT.")
	fmt.Fprintf(bw, "# Equal Earth projection, %g°N to %g°S, Antarctica omitted; Douglas-Peucker %g; rings under %g unit² dropped.\n", LatTop, -LatBottom, Tolerance, MinRingArea)
	fmt.Fprintln(bw, "# viewbox W H | sphere PATH | state NUMERIC MARKER PATH | other NUMERIC PATH   (MARKER is x,y or -; missing PATH or NUMERIC is -)")
	fmt.Fprintf(bw, "viewbox %d %d\n", Width, f.height)
	sph := roundRing(simplify(f.sphere(), Tolerance))
	fmt.Fprintf(bw, "sphere %s\n", pathData([][]ipoint{sph}))

	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	for id := range fallbackMarkers {
		if byID[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)

	// Place the markers first, so they can be spread apart.
	var markerIDs []string
	var markers []point
	for _, id := range ids {
		ft := byID[id]
		switch {
		case ft == nil:
			ll := fallbackMarkers[id]
			markers = append(markers, f.project(ll[0], ll[1]))
		case ft.state && (ft.area < MarkerArea || len(ft.rings) == 0):
			if ft.largest == nil {
				return fmt.Errorf("State %s has no polygon to place a marker on", id)
			}
			markers = append(markers, centroid(ft.largest))
		default:
			continue
		}
		markerIDs = append(markerIDs, id)
	}
	spread(markers, MarkerSpacing, f.height)
	markerAt := map[string]string{}
	for i, id := range markerIDs {
		markerAt[id] = fmt.Sprintf("%d,%d", int(math.Round(markers[i].X)), int(math.Round(markers[i].Y)))
	}

	seen := map[string]bool{}
	for _, id := range ids {
		ft := byID[id]
		path := "-"
		if ft != nil && len(ft.rings) > 0 {
			path = pathData(ft.rings)
		}
		if ft != nil && !ft.state {
			if path != "-" {
				fmt.Fprintf(bw, "other %s %s\n", id, path)
			}
			continue
		}
		marker := "-"
		if m, ok := markerAt[id]; ok {
			marker = m
		}
		fmt.Fprintf(bw, "state %s %s %s\n", id, marker, path)
		seen[id] = true
	}
	for _, ft := range others {
		if len(ft.rings) > 0 {
			fmt.Fprintf(bw, "other - %s\n", pathData(ft.rings))
		}
	}
	var missing []string
	for _, s := range states.All() {
		if !seen[s.Numeric] {
			missing = append(missing, s.Numeric+" "+s.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no shape and no marker for %s; add them to fallbackMarkers", strings.Join(missing, ", "))
	}
	return bw.Flush()
}

// addPolygons adds a geometry's polygons to a feature: the simplified,
// rounded rings that are big enough to draw, and the full-resolution area
// and largest outer ring used to decide on and place a marker. Rings are
// assembled from lon/lat arcs, cut at the antimeridian, then projected.
func addPolygons(ft *feature, polys [][][]int, full, simple [][]point, f frame) error {
	pieces := func(arcs [][]point, refs []int) ([][]point, error) {
		r, err := ring(arcs, refs)
		if err != nil {
			return nil, err
		}
		cuts, err := cut(r)
		if err != nil {
			return nil, err
		}
		for _, c := range cuts {
			for j, p := range c {
				c[j] = f.project(p.X, p.Y)
			}
		}
		return cuts, nil
	}
	for _, poly := range polys {
		drawn := false
		for i, refs := range poly {
			frs, err := pieces(full, refs)
			if err != nil {
				return err
			}
			for _, fr := range frs {
				a := math.Abs(area(fr))
				if i > 0 {
					ft.area -= a
					continue
				}
				ft.area += a
				if a > ft.largestA || ft.largest == nil {
					ft.largest, ft.largestA = fr, a
				}
			}
			if i > 0 && !drawn {
				continue // the outer ring is too small to draw: so are its holes
			}
			srs, err := pieces(simple, refs)
			if err != nil {
				return err
			}
			for _, sr := range srs {
				rr := roundRing(sr)
				if len(rr) < 3 || math.Abs(iarea(rr)) < MinRingArea {
					continue
				}
				ft.rings = append(ft.rings, rr)
				if i == 0 {
					drawn = true
				}
			}
		}
	}
	return nil
}
