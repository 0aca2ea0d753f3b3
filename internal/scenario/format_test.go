package scenario_test

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestDurations(t *testing.T) {
	for _, tc := range []struct {
		s  string
		d  time.Duration
		ok bool
	}{
		{"PT0S", 0, true}, {"PT30M", 30 * time.Minute, true}, {"PT1H30M", 90 * time.Minute, true}, {"P1D", 24 * time.Hour, true},
		{"P1DT2H3M4S", 26*time.Hour + 3*time.Minute + 4*time.Second, true}, {"PT90M", 90 * time.Minute, true},
		{"", 0, false}, {"P", 0, false}, {"PT", 0, false}, {"P1DT", 0, false}, {"PT1M1H", 0, false}, {"P1H", 0, false},
		{"PT-1M", 0, false}, {"PT1.5H", 0, false}, {"P1W", 0, false}, {"P1M", 0, false}, {"PT99999999999999999999S", 0, false},
		{"pt1h", 0, false}, {" PT1H", 0, false}, {"PT1H1H", 0, false},
	} {
		d, ok := scenario.ParseDuration(tc.s)
		if ok != tc.ok || (ok && d != tc.d) {
			t.Errorf("%q: %v %v, want %v %v", tc.s, d, ok, tc.d, tc.ok)
		}
		if ok {
			back, _ := scenario.ParseDuration(scenario.FormatDuration(d))
			if back != d {
				t.Errorf("%q: %s reads back as %v", tc.s, scenario.FormatDuration(d), back)
			}
		}
	}
}

// TestFilesRoundTrip: a scenario exported and imported is the same
// scenario, and its file is the same bytes again.
func TestFilesRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := e.sys.InstallShipped(ctx); err != nil {
			t.Fatal(err)
		}
		files, err := scenario.Shipped()
		if err != nil {
			t.Fatal(err)
		}
		for name, file := range files {
			sc, err := e.svc.Import(ctx, e.who["keadmin"], file)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out, _, err := e.svc.Export(ctx, e.who["kepoc"], sc.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			again, err := e.svc.Import(ctx, e.who["keadmin"], out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(scenario.InputOf(sc), scenario.InputOf(again)) {
				t.Errorf("%s changed on the way round", name)
			}
			out2, _, _ := e.svc.Export(ctx, e.who["kepoc"], again.ID, 0)
			if !bytes.Equal(out, out2) {
				t.Errorf("%s: the file changed on the way round", name)
			}
			if !bytes.HasPrefix(out, []byte("{\n  \"format\": \"detente-scenario\",\n  \"version\": 1,")) {
				t.Errorf("%s: header %.60s", name, out)
			}
		}
		// FR may not export KE's unshared import.
		res, _ := e.svc.List(ctx, e.who["kepoc"], scenario.Filter{Owner: "mine"}, page.Request{Limit: 1})
		if len(res.Items) == 0 {
			t.Fatal("no import listed")
		}
		if _, _, err := e.svc.Export(ctx, e.who["fradmin"], res.Items[0].ID, 0); !errs.Is(err, errs.NotFound) {
			t.Errorf("FR exports KE's: %v", err)
		}
	})
}

// TestReadingIsStrict: what is not a scenario file of this version is
// refused on the field "file" (or the duration's own field), naming why.
func TestReadingIsStrict(t *testing.T) {
	valid := string(scenario.Encode(good("Strict")))
	for _, tc := range []struct {
		name, file, field, says string
	}{
		{"empty", "  ", "file", "choose a scenario file"},
		{"not JSON", "{\"format\": ", "file", "not valid JSON"},
		{"another format", `{"format":"openex","version":1}`, "file", "not a detente scenario"},
		{"no format", `{"version":1}`, "file", "not a detente scenario"},
		{"a later version", `{"format":"detente-scenario","version":2}`, "file", "use version 1"},
		{"an unknown field", strings.Replace(valid, `"title"`, `"colour": "red", "title"`, 1), "file", `"colour"`},
		{"an unknown inner field", strings.Replace(valid, `"key": "A"`, `"key": "A", "weight": 3`, 1), "file", `"weight"`},
		{"a wrong type", strings.Replace(valid, `"title": "Strict"`, `"title": 7`, 1), "file", "title"},
		{"two values", valid + "{}", "file", "more than one"},
		{"a bad duration", strings.Replace(valid, `"duration": "PT3H"`, `"duration": "3 hours"`, 1), "duration", "PT30M"},
		{"a bad time limit", strings.Replace(valid, `"within": "PT30M"`, `"within": "PT-30M"`, 1), "injects[0].expected[0].within", "PT30M"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenario.Decode(strings.NewReader(tc.file))
			if got := errs.FieldsOf(err)[tc.field]; !strings.Contains(got, tc.says) {
				t.Errorf("%s: %q, want %q (%v)", tc.field, got, tc.says, err)
			}
		})
	}
	big := `{"format":"detente-scenario","version":1,"title":"` + strings.Repeat("x", scenario.MaxFile) + `"}`
	if _, err := scenario.Decode(strings.NewReader(big)); !strings.Contains(errs.FieldsOf(err)["file"], "larger than") {
		t.Errorf("a file over the limit: %v", err)
	}
	if _, err := scenario.Decode(strings.NewReader(valid)); err != nil {
		t.Errorf("the valid file: %v", err)
	}
}

// TestTheDocumentedExampleReads: the example in docs/SCENARIOS.md is a
// scenario file the service takes.
func TestTheDocumentedExampleReads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no JSON example in docs/SCENARIOS.md")
	}
	in, err := scenario.Decode(strings.NewReader(example))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := e.svc.Create(context.Background(), e.who["sec"], in); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecode: no input makes the reader panic, and whatever it reads
// writes back into a file it reads the same.
func FuzzDecode(f *testing.F) {
	files, err := scenario.Shipped()
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range files {
		f.Add(b)
	}
	f.Add(scenario.Encode(good("Fuzz")))
	f.Add([]byte(`{"format":"detente-scenario","version":1,"duration":"P1DT1S","injects":[{"offset":"PT1H","expected":[{"within":"PT0S"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := scenario.Decode(bytes.NewReader(data))
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("not a field error: %v", err)
			}
			return
		}
		again, err := scenario.Decode(bytes.NewReader(scenario.Encode(in)))
		if err != nil {
			t.Fatalf("written back, it does not read: %v", err)
		}
		if !bytes.Equal(scenario.Encode(in), scenario.Encode(again)) {
			t.Fatal("written back, it reads differently")
		}
	})
}
