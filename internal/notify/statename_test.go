package notify

import (
	"testing"

	"github.com/detente/detente/internal/i18n"
)

// TestStateInNamesStatesAsTheUNDoes: a mail names a State by the UN's
// official short name in its reader's language, as the pages do.
func TestStateInNamesStatesAsTheUNDoes(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang       i18n.Language
		code, want string
	}{
		{i18n.English, "PS", "State of Palestine"},
		{i18n.French, "PS", "État de Palestine"},
		{i18n.Spanish, "VA", "Santa Sede"},
		{i18n.Russian, "MK", "Северная Македония"},
		{i18n.Chinese, "VA", "教廷"},
		{i18n.Arabic, "PS", "دولة فلسطين"},
		{i18n.French, "TR", "Türkiye"},
	}
	for _, tt := range tests {
		if got := stateIn(c.Printer(tt.lang), tt.code); got != tt.want {
			t.Errorf("%s: stateIn(%q) = %q, want %q", tt.lang.Code(), tt.code, got, tt.want)
		}
	}
}
