package stix_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/detente/detente/internal/stix"
)

// FuzzParseBundle: no input panics the bundle and object readers; what
// they accept is JSON whose objects keep their bytes, and whose canonical
// form is stable and says the same as the input.
func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","x_n":[1.5e3,{"\u00e9":"\ud83d\ude00"}]}]}`))
	f.Add([]byte(`{"objects":[{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}]}`))
	f.Add([]byte(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487","created":"2022-10-01T00:00:00.000Z"}`))
	lim := stix.Limits{MaxBytes: 1 << 16, MaxObjects: 50, MaxDepth: 16}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(o stix.Object) {
			if !json.Valid(o.Raw) {
				t.Fatalf("accepted invalid JSON %q", o.Raw)
			}
			c, err := stix.Canonical(o.Raw)
			if err != nil {
				t.Fatalf("accepted %q but cannot canonicalise it: %v", o.Raw, err)
			}
			c2, err := stix.Canonical(c)
			if err != nil || !bytes.Equal(c, c2) {
				t.Fatalf("canonical form not stable: %q then %q (%v)", c, c2, err)
			}
			// Decoded and written again by encoding/json, the object has
			// the same canonical form (-0 and 0 are one number to RFC 8785).
			var x any
			if json.Unmarshal(o.Raw, &x) != nil {
				t.Fatal("unreadable")
			}
			xb, _ := json.Marshal(x)
			if xc, err := stix.Canonical(xb); err != nil || !bytes.Equal(xc, c) {
				t.Fatalf("canonical form says something else: %s vs %s (%v)", xc, c, err)
			}
		}
		if bd, err := stix.ParseBundle(b, lim); err == nil {
			for _, o := range bd.Objects {
				check(o)
			}
		}
		if o, err := stix.Parse(b, lim); err == nil {
			if !bytes.Equal(o.Raw, bytes.TrimSpace(b)) {
				t.Fatal("bytes changed")
			}
			check(o)
		}
		if objs, problems, err := stix.ReadObjects(b, lim); err == nil {
			for _, o := range objs {
				check(o)
			}
			for _, p := range problems {
				if p.Index < 0 || p.Err == nil {
					t.Fatalf("problem without its place: %v", p)
				}
			}
		}
	})
}
