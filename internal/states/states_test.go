package states

import (
	"regexp"
	"slices"
	"testing"
)

func TestAllCountsMembersAndObservers(t *testing.T) {
	counts := map[string]int{}
	for _, s := range All() {
		counts[s.Membership]++
	}
	if counts[Member] != 193 || counts[Observer] != 2 || len(counts) != 2 {
		t.Fatalf("membership counts = %v, want 193 members and 2 observers only", counts)
	}
}

// The member counts per group follow from Kiribati sitting with Asia-Pacific,
// Israel and Türkiye with WEOG, and the United States counted with WEOG.
func TestMemberCountsPerRegion(t *testing.T) {
	want := map[string]int{
		African:       54,
		AsiaPacific:   54,
		EasternEurope: 23,
		LatinAmerica:  33,
		WesternEurope: 29,
	}
	got := map[string]int{}
	for _, s := range All() {
		if s.Membership == Member {
			got[s.Region]++
		}
	}
	for region, n := range want {
		if got[region] != n {
			t.Errorf("%s: %d members, want %d", region, got[region], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("regions in use = %v, want exactly %v", got, want)
	}
}

func TestFieldsAreUniqueAndWellFormed(t *testing.T) {
	formats := []struct {
		field string
		re    *regexp.Regexp
		get   func(State) string
	}{
		{"alpha2", regexp.MustCompile(`^[A-Z]{2}$`), func(s State) string { return s.Alpha2 }},
		{"alpha3", regexp.MustCompile(`^[A-Z]{3}$`), func(s State) string { return s.Alpha3 }},
		{"numeric", regexp.MustCompile(`^[0-9]{3}$`), func(s State) string { return s.Numeric }},
		{"name", regexp.MustCompile(`^\S.*\S$`), func(s State) string { return s.Name }},
	}
	all := All()
	for _, f := range formats {
		t.Run(f.field, func(t *testing.T) {
			seen := map[string]bool{}
			for _, s := range all {
				v := f.get(s)
				if !f.re.MatchString(v) {
					t.Errorf("%s of %s = %q: bad format", f.field, s.Name, v)
				}
				if seen[v] {
					t.Errorf("%s %q is used twice", f.field, v)
				}
				seen[v] = true
			}
		})
	}
}

func TestEveryRegionIsValid(t *testing.T) {
	regions := Regions()
	for _, s := range All() {
		if !slices.Contains(regions, s.Region) {
			t.Errorf("%s: region %q is not one of %v", s.Name, s.Region, regions)
		}
		if s.Membership != Member && s.Membership != Observer {
			t.Errorf("%s: membership %q", s.Name, s.Membership)
		}
	}
}

func TestSpotChecks(t *testing.T) {
	tests := []struct {
		alpha2, alpha3, numeric, name, region, membership string
	}{
		{"FR", "FRA", "250", "France", WesternEurope, Member},
		{"KE", "KEN", "404", "Kenya", African, Member},
		{"US", "USA", "840", "United States of America", WesternEurope, Member},
		{"CI", "CIV", "384", "Côte d'Ivoire", African, Member},
		{"TR", "TUR", "792", "Türkiye", WesternEurope, Member},
		{"IL", "ISR", "376", "Israel", WesternEurope, Member},
		{"KI", "KIR", "296", "Kiribati", AsiaPacific, Member},
		{"BO", "BOL", "068", "Bolivia (Plurinational State of)", LatinAmerica, Member},
		{"GB", "GBR", "826", "United Kingdom of Great Britain and Northern Ireland", WesternEurope, Member},
		{"AF", "AFG", "004", "Afghanistan", AsiaPacific, Member},
		{"RU", "RUS", "643", "Russian Federation", EasternEurope, Member},
		{"VA", "VAT", "336", "Holy See", WesternEurope, Observer},
		{"PS", "PSE", "275", "State of Palestine", AsiaPacific, Observer},
	}
	for _, tt := range tests {
		t.Run(tt.alpha2, func(t *testing.T) {
			s, ok := ByCode(tt.alpha2)
			if !ok {
				t.Fatalf("ByCode(%q) found nothing", tt.alpha2)
			}
			want := State{tt.alpha2, tt.alpha3, tt.numeric, tt.name, tt.region, tt.membership}
			if s != want {
				t.Errorf("ByCode(%q) = %+v, want %+v", tt.alpha2, s, want)
			}
		})
	}
}

func TestByCode(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"fr", true},  // lower case is accepted
		{"Ke", true},  // so is mixed case
		{"TW", false}, // not a UN Member or observer State
		{"XK", false}, // user-assigned code, not a UN Member State
		{"", false},
		{"FRA", false}, // alpha-3 is not an alpha-2 code
	}
	for _, tt := range tests {
		if _, ok := ByCode(tt.code); ok != tt.ok {
			t.Errorf("ByCode(%q) ok = %v, want %v", tt.code, ok, tt.ok)
		}
	}
}

func TestAllReturnsAFreshCopy(t *testing.T) {
	a := All()
	a[0].Name = "changed"
	a[0].Region = "changed"
	if b := All(); b[0].Name == "changed" || b[0].Region == "changed" {
		t.Fatal("a change to one result of All is visible in the next")
	}
	r := Regions()
	r[0] = "changed"
	if Regions()[0] == "changed" {
		t.Fatal("a change to one result of Regions is visible in the next")
	}
}
