package search

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		problem bool
	}{
		{"", nil, false},
		{"  Kenya  CERT ", []string{"kenya", "cert"}, false},
		{"Côte", []string{"côte"}, false},
		{"a\x00b", nil, true},
		{"a\xffb", nil, true},
		{"cert\u202e", nil, true},
		{"one\ntwo", nil, true},
		{strings.Repeat("x", MaxLen+1), nil, true},
		{"a b c d e f g", nil, true},
	} {
		got, problem := Parse(tc.in)
		if (problem != "") != tc.problem || !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%q) = %q, %q", tc.in, got, problem)
		}
	}
}

func TestPatternEscapesWildcards(t *testing.T) {
	for in, want := range map[string]string{
		"cert":   "%cert%",
		"100%":   `%100\%%`,
		"a_b":    `%a\_b%`,
		`back\s`: `%back\\s%`,
	} {
		if got := Pattern(in); got != want {
			t.Errorf("Pattern(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Any("$3", "a", "b"); got != `(LOWER(a) LIKE $3 ESCAPE '\' OR LOWER(b) LIKE $3 ESCAPE '\')` {
		t.Errorf("Any = %s", got)
	}
}
