package checks

import (
	"testing"
	"time"

	"github.com/detente/detente/internal/i18n"
)

// TestNameInWritesThePeriodInTheReadersLanguage: a repeating check's run
// is stored with its period in English after the series name; readers of
// other languages read the period in theirs, and any other name as it is.
func TestNameInWritesThePeriodInTheReadersLanguage(t *testing.T) {
	cat, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	aug := time.Date(2027, 8, 3, 9, 0, 0, 0, time.UTC)
	run := func(months int) Check {
		return Check{Name: RunName("Communication check", aug, months), OpensAt: aug, RepeatMonths: months}
	}
	tests := []struct {
		name string
		lang i18n.Language
		c    Check
		want string
	}{
		{"English as stored", i18n.English, run(6), "Communication check — second half of 2027"},
		{"a half-year in French", i18n.French, run(6), "Communication check — second semestre 2027"},
		{"a quarter in Chinese", i18n.Chinese, run(3), "Communication check — 2027年第三季度"},
		{"a month in Arabic, the year isolated", i18n.Arabic, run(1), "Communication check — آب/أغسطس " + i18n.Isolate("2027")},
		{"a month in Russian", i18n.Russian, run(1), "Communication check — август 2027 г."},
		{"a year needs no words", i18n.Spanish, run(12), "Communication check — 2027"},
		{"a name the secretariat typed", i18n.French, Check{Name: "Contrôle de printemps", OpensAt: aug, RepeatMonths: 6}, "Contrôle de printemps"},
		{"a check that does not repeat", i18n.French, Check{Name: "Spring check", OpensAt: aug}, "Spring check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.NameIn(cat.Printer(tc.lang)); got != tc.want {
				t.Errorf("NameIn(%s) = %q, want %q", tc.lang, got, tc.want)
			}
		})
	}
}
