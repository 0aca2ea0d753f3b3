package tlp

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Label
		ok   bool
	}{
		{"TLP:CLEAR", Clear, true}, {"green", Green, true}, {"Amber", Amber, true},
		{"TLP:AMBER+STRICT", AmberStrict, true}, {"amber + strict", AmberStrict, true}, {" tlp:red ", Red, true},
		{"white", "", false}, {"", "", false}, {"TLP:PURPLE", "", false},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestOrderAndMarkings(t *testing.T) {
	seen := map[string]bool{}
	for i, l := range Labels() {
		if l.Rank() != i || !l.Valid() {
			t.Errorf("%s: rank %d valid %v", l, l.Rank(), l.Valid())
		}
		md := l.MarkingDefinition()
		if len(md) != len("marking-definition--")+36 || seen[md] {
			t.Errorf("%s: marking definition %q", l, md)
		}
		seen[md] = true
	}
	if Label("purple").Rank() <= Red.Rank() {
		t.Error("an unknown label must rank as most restricted")
	}
	if AmberStrict.String() != "TLP:AMBER+STRICT" {
		t.Error(AmberStrict.String())
	}
}
