package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/stix/stixtest"
	"github.com/detente/detente/internal/tlp"
)

// TestAttackBundlesReadFaithfully: every object of every ATT&CK bundle is
// read, keeps its exact bytes, and validates against the OASIS schemas.
func TestAttackBundlesReadFaithfully(t *testing.T) {
	v, err := stixtest.Schemas()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range stixtest.AttackBundles() {
		t.Run(name, func(t *testing.T) {
			raw, err := stixtest.Attack(name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := stix.ParseBundle(raw, stix.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			var plain struct{ Objects []json.RawMessage }
			if err := json.Unmarshal(raw, &plain); err != nil {
				t.Fatal(err)
			}
			if len(b.Objects) != len(plain.Objects) || len(b.Objects) < 1000 {
				t.Fatalf("read %d objects, the file has %d", len(b.Objects), len(plain.Objects))
			}
			for i, o := range b.Objects {
				if !bytes.Equal(o.Raw, bytes.TrimSpace(plain.Objects[i])) {
					t.Fatalf("object %d (%s): bytes changed", i, o.ID)
				}
				if _, ok := o.Version(); !ok {
					t.Errorf("%s has no version", o.ID)
				}
				if i%50 == 0 { // the schemas are slow; a sample of every kind suffices here
					if err := v.Validate(o.Raw); err != nil {
						t.Errorf("%s: %v", o.ID, err)
					}
				}
			}
		})
	}
}

func TestExamplesValidateAndRoundTrip(t *testing.T) {
	v, err := stixtest.Schemas()
	if err != nil {
		t.Fatal(err)
	}
	ex, err := stixtest.Examples()
	if err != nil || len(ex) < 5 {
		t.Fatalf("%d examples: %v", len(ex), err)
	}
	for name, raw := range ex {
		t.Run(name, func(t *testing.T) {
			objects := readAny(t, raw)
			for _, o := range objects {
				if err := v.Validate(o.Raw); err != nil {
					t.Errorf("%s: %v", o.ID, err)
				}
				// Re-encoded by a JSON library, an object still says the same.
				var m any
				if err := json.Unmarshal(o.Raw, &m); err != nil {
					t.Fatal(err)
				}
				again, _ := json.MarshalIndent(m, "", "   ")
				c1, err1 := stix.Canonical(o.Raw)
				c2, err2 := stix.Canonical(again)
				if err1 != nil || err2 != nil || !bytes.Equal(c1, c2) {
					t.Errorf("%s: canonical forms differ: %v %v", o.ID, err1, err2)
				}
			}
		})
	}
}

func TestTLPMarkingsValidate(t *testing.T) {
	v, err := stixtest.Schemas()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range tlp.Labels() {
		o, err := stix.TLPMarking(l)
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != l.MarkingDefinition() {
			t.Errorf("%s: id %s", l, o.ID)
		}
		if err := v.Validate(o.Raw); err != nil {
			t.Errorf("%s: %v", l, err)
		}
		if got, ok := stix.TLPOf(o.ID); !ok || got != l {
			t.Errorf("TLPOf(%s) = %s, %v", o.ID, got, ok)
		}
		if ver, ok := o.Version(); !ok || stix.FormatTime(ver) != "2022-10-01T00:00:00.000Z" {
			t.Errorf("%s: version %v", l, ver)
		}
	}
}

// TestCanonical checks RFC 8785: the example of its section 3.2.2 and
// the number forms of its appendix B.
func TestCanonical(t *testing.T) {
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := stix.Canonical([]byte(in))
	if err != nil || string(got) != want {
		t.Errorf("got  %s (%v)\nwant %s", got, err, want)
	}
	for _, tc := range []struct{ in, want string }{
		{"0", "0"}, {"-0", "0"}, {"1e21", "1e+21"}, {"1e20", "100000000000000000000"},
		{"123e-20", "1.23e-18"}, {"0.000001", "0.000001"}, {"0.0000001", "1e-7"},
		{"9007199254740992", "9007199254740992"}, {"-1.5", "-1.5"}, {"5e-324", "5e-324"},
		{"1.7976931348623157e308", "1.7976931348623157e+308"}, {"295147905179352830000", "295147905179352830000"},
	} {
		got, err := stix.Canonical([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.in, got, err, tc.want)
		}
	}
	// Members sort by UTF-16 code units, not by UTF-8 bytes or runes.
	got, err = stix.Canonical([]byte(`{"\ud83d\ude00":1,"\ufb33":2,"a":3}`))
	if err != nil || string(got) != "{\"a\":3,\"\U0001F600\":1,\"\uFB33\":2}" {
		t.Errorf("UTF-16 order: %s %v", got, err)
	}
}

func TestBadInput(t *testing.T) {
	ok := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z"}`
	if _, err := stix.Parse([]byte(ok), stix.DefaultLimits()); err != nil {
		t.Fatalf("valid object refused: %v", err)
	}
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `{"type":`, "invalid JSON"},
		{"an array", `[1]`, "must be a JSON object"},
		{"no type", `{"id":"x"}`, `no "type"`},
		{"bad type", strings.Replace(ok, `"indicator",`, `"Indicator",`, 1), "not a STIX type"},
		{"id of another type", strings.Replace(ok, `"id":"indicator--`, `"id":"malware--`, 1), "not a STIX identifier of a indicator"},
		{"id without UUID", strings.Replace(ok, `8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f`, `1`, 1), "does not end in a UUID"},
		{"STIX 2.0", strings.Replace(ok, `"2.1"`, `"2.0"`, 1), "only STIX 2.1"},
		{"no modified", strings.Replace(ok, `,"modified":"2016-04-06T20:03:48.000Z"`, ``, 1), `no "modified"`},
		{"local time", strings.Replace(ok, `"created":"2016-04-06T20:03:48.000Z"`, `"created":"2016-04-06T20:03:48+02:00"`, 1), "not a UTC timestamp"},
		{"year 10000", strings.Replace(ok, `"created":"2016`, `"created":"10016`, 1), "not a UTC timestamp"},
		{"modified before created", strings.Replace(ok, `"modified":"2016`, `"modified":"2015`, 1), "before"},
		{"duplicate member", strings.Replace(ok, `{`, `{"name":"a","name":"b",`, 1), "appears twice"},
		{"NUL", strings.Replace(ok, `{`, `{"name":"a\u0000b",`, 1), "NUL"},
		{"invalid UTF-8", strings.Replace(ok, `{`, "{\"name\":\"a\xffb\",", 1), "UTF-8"},
		{"lone surrogate", strings.Replace(ok, `{`, `{"name":"\ud800",`, 1), "surrogate"},
		{"huge number", strings.Replace(ok, `{`, `{"x_n":1e999,`, 1), "too large"},
		{"too deep", strings.Replace(ok, `{`, `{"x_deep":`+deep+`,`, 1), "nested more than"},
		{"bad marking", strings.Replace(ok, `{`, `{"object_marking_refs":["tlp:red"],`, 1), "object_marking_refs"},
		{"wrong property type", strings.Replace(ok, `{`, `{"revoked":"yes",`, 1), "revoked"},
		{"a bundle inside", `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, "bundle cannot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stix.Parse([]byte(tc.in), stix.DefaultLimits())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	lim := stix.Limits{MaxBytes: 1000, MaxObjects: 2, MaxDepth: 8}
	three := `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[` + ok + `,` + ok + `,` + ok + `]}`
	if _, err := stix.ParseBundle([]byte(three), lim); !errors.Is(err, stix.ErrTooLarge) {
		t.Errorf("three objects over a limit of two: %v", err)
	}
	if _, err := stix.ParseBundle([]byte(three), stix.Limits{MaxBytes: 100}); !errors.Is(err, stix.ErrTooLarge) {
		t.Errorf("over the byte limit: %v", err)
	}
	bad := `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[` + ok + `,{"type":"x"}]}`
	var se *stix.Error
	if _, err := stix.ParseBundle([]byte(bad), lim); !errors.As(err, &se) || se.Index != 1 {
		t.Errorf("a bad second object: %v", err)
	}
}

// TestSCOVersion: an SCO has no version of its own; a marking definition
// is versioned by created.
func TestSCOVersion(t *testing.T) {
	o, err := stix.Parse([]byte(`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`), stix.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.Version(); ok || o.SpecVersion != "2.1" {
		t.Errorf("SCO: version ok=%v spec %q", ok, o.SpecVersion)
	}
}

// readAny reads a bundle, or a single object as one example is.
func readAny(t *testing.T, raw []byte) []stix.Object {
	t.Helper()
	if b, err := stix.ParseBundle(raw, stix.DefaultLimits()); err == nil {
		return b.Objects
	}
	o, err := stix.Parse(raw, stix.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return []stix.Object{o}
}
