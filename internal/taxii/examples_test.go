package taxii_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/stix/stixtest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// TestOASISExamplesOverTAXII: the OASIS example bundles — observables
// without versions, marking definitions versioned by created, the TLP 2.0
// marking definitions — go in and come back byte for byte.
func TestOASISExamplesOverTAXII(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine, stix.Limits{})
		ex, err := stixtest.Examples()
		if err != nil {
			t.Fatal(err)
		}
		var objects []json.RawMessage
		for _, raw := range ex {
			if b, err := stix.ParseBundle(raw, stix.DefaultLimits()); err == nil {
				for _, o := range b.Objects {
					objects = append(objects, o.Raw)
				}
			} else if o, err := stix.Parse(raw, stix.DefaultLimits()); err == nil {
				objects = append(objects, o.Raw)
			} else {
				t.Fatal(err)
			}
		}
		for _, l := range tlp.Labels() {
			m, err := stix.TLPMarking(l)
			if err != nil {
				t.Fatal(err)
			}
			objects = append(objects, m.Raw)
		}
		// Examples share some objects, not always written alike: the
		// first of an id and version is stored, the others succeed as
		// already there.
		seen := map[string]bool{}
		var distinct []json.RawMessage
		for _, raw := range objects {
			o, err := stix.Parse(raw, stix.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if !seen[key(o)] {
				seen[key(o)] = true
				distinct = append(distinct, raw)
			}
		}
		body, _ := json.Marshal(map[string]any{"objects": objects})
		r := f.do(t, frPOC, "POST", frPath+"objects/", body)
		var st status
		r.json(t, &st)
		if r.status != 202 || st.FailureCount != 0 || st.SuccessCount != len(objects) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		got := all(t, f, frViewer, frPath, url.Values{"match[version]": {"all"}})
		if len(got) != len(distinct) {
			t.Fatalf("%d objects back, %d posted", len(got), len(distinct))
		}
		for i, o := range got {
			want, _ := json.Marshal(distinct[i]) // as posted inside the envelope: compacted by encoding/json
			if !bytes.Equal(o.Raw, want) {
				t.Errorf("object %d (%s) changed:\n%s\n%s", i, o.ID, o.Raw, want)
			}
		}
	})
}
