package catalog

import (
	"encoding/json"
	"fmt"
)

// MISP taxonomy identity. Bump the version whenever the catalogue's norms,
// law views or CBMs change, so MISP instances pick up the update.
const (
	mispNamespace = "un-ict-framework"
	mispVersion   = 1
)

// The machinetag.json layout MISP reads taxonomies from.
type mispTaxonomy struct {
	Namespace   string          `json:"namespace"`
	Expanded    string          `json:"expanded"`
	Description string          `json:"description"`
	Version     int             `json:"version"`
	Refs        []string        `json:"refs"`
	Predicates  []mispPredicate `json:"predicates"`
	Values      []mispValues    `json:"values"`
}

type mispPredicate struct {
	Value       string `json:"value"`
	Expanded    string `json:"expanded"`
	Description string `json:"description"`
}

type mispValues struct {
	Predicate string      `json:"predicate"`
	Entry     []mispEntry `json:"entry"`
}

type mispEntry struct {
	Value       string `json:"value"`
	Expanded    string `json:"expanded"`
	Description string `json:"description"`
}

// MISPTaxonomy renders the norms, law views and CBMs as a MISP taxonomy
// (machinetag.json), so MISP users can tag events with them, e.g.
// un-ict-framework:norm="norm-h". Values are provision ids, so a tag maps
// straight back to the catalogue.
func (c *Catalog) MISPTaxonomy() ([]byte, error) {
	t := mispTaxonomy{
		Namespace:   mispNamespace,
		Expanded:    "UN framework of responsible State behaviour in the use of ICTs",
		Description: "The voluntary norms, views on how international law applies and confidence-building measures of the UN framework of responsible State behaviour in the use of ICTs, for tagging events that engage them.",
		Version:     mispVersion,
	}
	for _, d := range c.documents {
		t.Refs = append(t.Refs, "https://undocs.org/"+d.Symbol)
	}
	predicates := []mispPredicate{
		{string(KindNorm), "Voluntary norm", "A voluntary, non-binding norm of responsible State behaviour."},
		{string(KindLaw), "International law", "A view on how international law applies to the use of ICTs by States."},
		{string(KindCBM), "Confidence-building measure", "A confidence-building measure between States."},
	}
	for _, pred := range predicates {
		values := mispValues{Predicate: pred.Value}
		for _, p := range c.provisions {
			if string(p.Kind) != pred.Value {
				continue
			}
			values.Entry = append(values.Entry, mispEntry{
				Value:       p.ID,
				Expanded:    fmt.Sprintf("%s: %s", p.Citation(), p.ShortTitle),
				Description: p.Text,
			})
		}
		if len(values.Entry) > 0 {
			t.Predicates = append(t.Predicates, pred)
			t.Values = append(t.Values, values)
		}
	}
	out, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("catalog: misp taxonomy: %w", err)
	}
	return append(out, '\n'), nil
}
