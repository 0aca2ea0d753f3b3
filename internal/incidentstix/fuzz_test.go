package incidentstix_test

import (
	"os"
	"testing"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/incidentstix"
)

// FuzzRead feeds the import's bundle reader anything: it answers with a
// bundle or an invalid / too large error, never a panic or another error.
func FuzzRead(f *testing.F) {
	if b, err := os.ReadFile("testdata/misp-report.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--0a6f9c1e-5b7d-4c2a-8e3f-1d9b7a5c3e21","objects":[]}`))
	f.Add([]byte(`{"type":"bundle","id":"bundle--0a6f9c1e-5b7d-4c2a-8e3f-1d9b7a5c3e21","objects":[{"type":"incident","spec_version":"2.0"}]}`))
	f.Add([]byte("{\"type\":\"bundle\",\"objects\":[\"\x00\"]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := incidentstix.Read(b)
		if err != nil && !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.TooLarge) {
			t.Fatalf("%q: %v", b, err)
		}
	})
}
