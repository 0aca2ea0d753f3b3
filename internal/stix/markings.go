package stix

import (
	"encoding/json"
	"fmt"

	"github.com/detente/detente/internal/tlp"
)

// tlpCreated is when the TLP 2.0 marking definitions were published.
const tlpCreated = "2022-10-01T00:00:00.000Z"

// TLPMarking returns the TLP 2.0 marking definition of l as a STIX object,
// with its official id and the TLP 2.0 property extension.
func TLPMarking(l tlp.Label) (Object, error) {
	id := l.MarkingDefinition()
	if id == "" {
		return Object{}, fmt.Errorf("%q is not a TLP 2.0 label", string(l))
	}
	raw, err := json.Marshal(map[string]any{
		"type":         "marking-definition",
		"spec_version": SpecVersion,
		"id":           id,
		"created":      tlpCreated,
		"name":         l.String(),
		"extensions": map[string]any{
			tlp.ExtensionDefinition: map[string]any{"extension_type": "property-extension", "tlp_2_0": string(l)},
		},
	})
	if err != nil {
		return Object{}, err
	}
	return Parse(raw, DefaultLimits())
}

// TLPOf returns the TLP 2.0 label whose official marking definition id is
// id, if it is one.
func TLPOf(id string) (tlp.Label, bool) {
	for _, l := range tlp.Labels() {
		if l.MarkingDefinition() == id {
			return l, true
		}
	}
	return "", false
}
