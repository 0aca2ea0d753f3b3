// Package states lists the States the directory can onboard: the 193 UN
// Member States and the 2 non-member observer States, with their ISO 3166-1
// codes, UN short names and UN regional groups.
//
// The data is fixed and compiled in. It lives inside a function rather than
// a package-level variable so that no caller can change what another sees.
package states

import (
	"strings"
	"sync"
)

// The UN regional groups, spelt as pages show them.
const (
	African       = "African"
	AsiaPacific   = "Asia-Pacific"
	EasternEurope = "Eastern European"
	LatinAmerica  = "Latin American and Caribbean"
	WesternEurope = "Western European and others"
)

// Membership values.
const (
	Member   = "member"   // a UN Member State
	Observer = "observer" // a non-member observer State
)

// State is one State as the UN and ISO 3166-1 name it.
type State struct {
	Alpha2     string // ISO 3166-1 alpha-2, upper case
	Alpha3     string // ISO 3166-1 alpha-3, upper case
	Numeric    string // ISO 3166-1 numeric, three digits with leading zeros
	Name       string // UN short name
	Region     string // UN regional group, one of Regions()
	Membership string // Member or Observer
}

// Regions returns the five UN regional groups in the UN's customary order.
func Regions() []string {
	return []string{African, AsiaPacific, EasternEurope, LatinAmerica, WesternEurope}
}

// All returns every State, members first in regional-group order, then the
// observers. The slice is the caller's own.
func All() []State {
	d := data()
	return d[:]
}

// ByCode finds a State by its alpha-2 code, in either case.
func ByCode(alpha2 string) (State, bool) {
	s, ok := index()[strings.ToUpper(alpha2)]
	return s, ok
}

// index maps alpha-2 codes to States. Pages and reports look a name up
// for every row and in sort comparisons, and a walk over a fresh copy of
// the list each time was a quarter of a check report's CPU. It is built
// once and never changed; callers get copies of its values.
var index = sync.OnceValue(func() map[string]State {
	d := data()
	m := make(map[string]State, len(d))
	for _, s := range d {
		m[s.Alpha2] = s
	}
	return m
})
