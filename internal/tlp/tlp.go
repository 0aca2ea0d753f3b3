// Package tlp holds the Traffic Light Protocol 2.0 labels. detente enforces
// them as access rules through one disclosure policy (messaging's
// disclosure.go); this package only names them, orders them and maps them
// to their STIX marking definitions.
package tlp

import (
	"fmt"
	"strings"
)

// Label is a TLP 2.0 label.
type Label string

const (
	Clear       Label = "clear"
	Green       Label = "green"
	Amber       Label = "amber"
	AmberStrict Label = "amber+strict"
	Red         Label = "red"
)

// Labels lists the labels from least to most restricted.
func Labels() []Label { return []Label{Clear, Green, Amber, AmberStrict, Red} }

// Parse accepts a label in any case, with or without the "TLP:" prefix.
func Parse(s string) (Label, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "tlp:")
	v = strings.ReplaceAll(v, " ", "")
	for _, l := range Labels() {
		if string(l) == v {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown TLP label %q: use CLEAR, GREEN, AMBER, AMBER+STRICT or RED", s)
}

// Valid reports whether l is a TLP 2.0 label.
func (l Label) Valid() bool {
	_, err := Parse(string(l))
	return err == nil && string(l) == strings.ToLower(string(l))
}

// String is the label as TLP 2.0 writes it, e.g. "TLP:AMBER+STRICT".
func (l Label) String() string { return "TLP:" + strings.ToUpper(string(l)) }

// Rank orders labels by restriction: CLEAR is 0, RED is 4.
func (l Label) Rank() int {
	for i, x := range Labels() {
		if x == l {
			return i
		}
	}
	return len(Labels()) // unknown labels rank above RED: treat as most restricted
}

// ExtensionDefinition is the STIX extension that defines the TLP 2.0
// marking definitions.
const ExtensionDefinition = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// MarkingDefinition returns the official STIX 2.1 id of the label's marking
// definition.
func (l Label) MarkingDefinition() string {
	switch l {
	case Clear:
		return "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	case Green:
		return "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	case Amber:
		return "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	case AmberStrict:
		return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	case Red:
		return "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	}
	return ""
}
