package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestEqualEarthShape(t *testing.T) {
	if x, y := equalEarth(0, 0); x != 0 || y != 0 {
		t.Errorf("origin maps to %v,%v", x, y)
	}
	xEq, _ := equalEarth(math.Pi, 0)
	xPole, yPole := equalEarth(math.Pi, math.Pi/2)
	// Published properties (Šavrič et al. 2019): the map is about 2.05 times
	// as wide as it is high, and the pole line is about 0.59 of the equator.
	if r := xEq / yPole; !near(r, 2.05, 0.01) {
		t.Errorf("width/height %.4f, want about 2.05", r)
	}
	if r := xPole / xEq; !near(r, 0.59, 0.01) {
		t.Errorf("pole line/equator %.4f, want about 0.59", r)
	}
	// Symmetric about both axes.
	for _, p := range [][2]float64{{0.3, 0.4}, {2.9, -1.2}, {-1, 1.5}} {
		x, y := equalEarth(p[0], p[1])
		x2, y2 := equalEarth(-p[0], -p[1])
		if !near(x, -x2, 1e-12) || !near(y, -y2, 1e-12) {
			t.Errorf("not symmetric at %v", p)
		}
	}
}

func TestEqualEarthIsEqualArea(t *testing.T) {
	// An equal-area projection scales area by the same factor everywhere:
	// the Jacobian determinant divided by cos φ is constant.
	const h = 1e-6
	jac := func(l, p float64) float64 {
		x1, y1 := equalEarth(l+h, p)
		x0, y0 := equalEarth(l-h, p)
		x3, y3 := equalEarth(l, p+h)
		x2, y2 := equalEarth(l, p-h)
		dxl, dyl := (x1-x0)/(2*h), (y1-y0)/(2*h)
		dxp, dyp := (x3-x2)/(2*h), (y3-y2)/(2*h)
		return math.Abs(dxl*dyp-dxp*dyl) / math.Cos(p)
	}
	want := jac(0, 0)
	for _, l := range []float64{-3, -1.5, 0.2, 1, 2.5} {
		for _, p := range []float64{-1.4, -0.8, 0, 0.5, 1.1, 1.45} {
			if got := jac(l, p); !near(got, want, 1e-5*want) {
				t.Errorf("area scale at λ=%.1f φ=%.2f is %.8f, at the origin %.8f", l, p, got, want)
			}
		}
	}
}

func TestFrame(t *testing.T) {
	f := newFrame()
	if p := f.project(0, 0); !near(p.X, Width/2, 1e-9) {
		t.Errorf("lon 0 at x %.3f, want the middle", p.X)
	}
	if p := f.project(180, 0); !near(p.X, Width, 1e-9) {
		t.Errorf("lon 180 at the equator at x %.3f, want %d", p.X, Width)
	}
	if p := f.project(10, LatTop); !near(p.Y, 0, 1e-9) {
		t.Errorf("top latitude at y %.3f, want 0", p.Y)
	}
	if p := f.project(10, LatBottom); math.Abs(p.Y-float64(f.height)) > 1 {
		t.Errorf("bottom latitude at y %.3f, height %d", p.Y, f.height)
	}
	if a, b := f.project(10, -89), f.project(10, LatBottom); a != b {
		t.Error("latitudes beyond the crop are not clamped")
	}
}

func TestDecodeArcs(t *testing.T) {
	raw := `{"type":"Topology","transform":{"scale":[2,3],"translate":[10,20]},"arcs":[[[0,0],[1,2],[-1,1]]],"objects":{}}`
	var topo topology
	if err := jsonUnmarshal(raw, &topo); err != nil {
		t.Fatal(err)
	}
	arcs, err := decodeArcs(&topo)
	if err != nil {
		t.Fatal(err)
	}
	want := []point{{10, 20}, {12, 26}, {10, 29}}
	if len(arcs) != 1 || len(arcs[0]) != 3 {
		t.Fatalf("got %v", arcs)
	}
	for i := range want {
		if arcs[0][i] != want[i] {
			t.Errorf("point %d = %v, want %v", i, arcs[0][i], want[i])
		}
	}
}

func TestRingJoinsAndReversesArcs(t *testing.T) {
	arcs := [][]point{{{0, 0}, {1, 0}, {1, 1}}, {{0, 0}, {0, 1}, {1, 1}}}
	r, err := ring(arcs, []int{0, ^1})
	if err != nil {
		t.Fatal(err)
	}
	want := []point{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	if len(r) != len(want) {
		t.Fatalf("ring %v, want %v", r, want)
	}
	for i := range want {
		if r[i] != want[i] {
			t.Fatalf("ring %v, want %v", r, want)
		}
	}
	if _, err := ring(arcs, []int{5}); err == nil {
		t.Error("an out-of-range arc reference is accepted")
	}
}

func TestSimplify(t *testing.T) {
	tests := []struct {
		name string
		in   []point
		want []point
	}{
		{"short", []point{{0, 0}, {5, 5}}, []point{{0, 0}, {5, 5}}},
		{"collinear", []point{{0, 0}, {1, 0.1}, {2, 0}, {3, -0.1}, {4, 0}}, []point{{0, 0}, {4, 0}}},
		{"corner", []point{{0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}}, []point{{0, 0}, {2, 0}, {2, 2}}},
		{"closed", []point{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, []point{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := simplify(tt.in, 0.5)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestCutAtTheAntimeridian(t *testing.T) {
	tests := []struct {
		name   string
		ring   []point
		pieces int
		area   float64 // square degrees
	}{
		{"east of it", []point{{170, 0}, {179, 0}, {179, 10}, {170, 10}, {170, 0}}, 1, 90},
		{"touching it", []point{{170, 0}, {180, 0}, {180, 10}, {170, 10}, {170, 0}}, 1, 100},
		{"across it", []point{{170, 0}, {-170, 0}, {-170, 10}, {170, 10}, {170, 0}}, 2, 200},
		{"across it from the west", []point{{-170, 0}, {-170, 10}, {170, 10}, {170, 0}, {-170, 0}}, 2, 200},
		{"on it, written as -180", []point{{170, 0}, {-180, 0}, {-180, 10}, {170, 10}, {170, 0}}, 1, 100},
		{"west of it, starting at 180", []point{{180, 0}, {-175, 0}, {-175, 10}, {180, 10}, {180, 0}}, 1, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pieces, err := cut(tt.ring)
			if err != nil {
				t.Fatal(err)
			}
			if len(pieces) != tt.pieces {
				t.Fatalf("%d pieces, want %d: %v", len(pieces), tt.pieces, pieces)
			}
			// Each piece is on one side, closed, and together they keep
			// the area of the ring (measured with unwrapped longitudes).
			var sum float64
			for _, p := range pieces {
				if p[0] != p[len(p)-1] {
					t.Errorf("piece %v is not closed", p)
				}
				west, east := false, false
				for _, q := range p {
					if q.X < -180 || q.X > 180 {
						t.Errorf("piece point %v is off the map", q)
					}
					west = west || q.X < -90
					east = east || q.X > 90
				}
				if west && east {
					t.Errorf("piece %v spans the map", p)
				}
				sum += math.Abs(area(p))
			}
			if !near(sum, tt.area, 1e-9) {
				t.Errorf("pieces cover %.6f square degrees, want %g", sum, tt.area)
			}
		})
	}
	if _, err := cut([]point{{-170, 80}, {-50, 80}, {60, 80}, {170, 80}, {-170, 80}}); err == nil {
		t.Error("a ring around the pole is accepted")
	}
}

func TestPathData(t *testing.T) {
	got := pathData([][]ipoint{{{0, 0}, {3, 0}, {3, -4}}, {{10, 10}, {9, 12}, {12, 12}}})
	if want := "M0 0l3 0 0-4zM10 10l-1 2 3 0z"; got != want {
		t.Errorf("pathData = %q, want %q", got, want)
	}
}

func TestRoundRing(t *testing.T) {
	got := roundRing([]point{{0.2, 0.1}, {0.4, 0.3}, {3.1, 0}, {3, 2.6}, {0, 0}})
	want := []ipoint{{0, 0}, {3, 0}, {3, 3}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestSpreadSeparatesMarkers(t *testing.T) {
	pts := []point{{100, 100}, {101, 100}, {100, 101}, {100, 100}, {0, 0}}
	spread(pts, 7, 400)
	for i := range pts {
		for j := i + 1; j < len(pts); j++ {
			if d := math.Hypot(pts[i].X-pts[j].X, pts[i].Y-pts[j].Y); d < 7-1e-9 {
				t.Errorf("points %d and %d are %.2f apart", i, j, d)
			}
		}
	}
	if pts[4].X < 3.5 || pts[4].Y < 3.5 {
		t.Errorf("corner point %v not kept inside", pts[4])
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not JSON", "<html>"},
		{"not a topology", `{"type":"FeatureCollection"}`},
		{"no countries", `{"type":"Topology","arcs":[],"objects":{"land":{"type":"GeometryCollection","geometries":[]}}}`},
		{"bad arc reference", `{"type":"Topology","arcs":[],"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Polygon","id":"250","arcs":[[7]]}]}}}`},
		{"States missing", `{"type":"Topology","arcs":[],"objects":{"countries":{"type":"GeometryCollection","geometries":[]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := generate([]byte(tt.in), "test", new(bytes.Buffer)); err == nil {
				t.Error("generated without error")
			}
		})
	}
}

// TestGeneratedFileIsCurrent regenerates the shape file when the npm data is
// installed (npm ci in tools/worldmap) and compares it with the committed
// one. Without node_modules it is skipped: the build never needs them.
func TestGeneratedFileIsCurrent(t *testing.T) {
	const in = "../../../tools/worldmap/node_modules/world-atlas/countries-50m.json"
	raw, err := os.ReadFile(in)
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" {
			t.Fatal("world-atlas required in CI: run npm ci in tools/worldmap")
		}
		t.Skip("world-atlas not installed; run npm ci in tools/worldmap")
	}
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := generate(raw, "world-atlas 2.0.2 countries-50m.json", &buf); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../shapes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Error("shapes.txt is out of date: run go generate ./internal/worldmap")
	}
	if n := len(committed); n > 300<<10 {
		t.Errorf("shapes.txt is %d bytes; keep it under 300 KiB", n)
	}
	if !strings.Contains(string(committed), "\nstate 798 ") {
		t.Error("Tuvalu (798) is missing")
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
