package web

import (
	"testing"

	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/i18n"
)

// TestProvisionTitles: a provision in a list is named in the reader's
// language — the word for its kind and its short title from the
// catalogue — while its paragraph, number or citation stays as the UN
// documents write it.
func TestProvisionTitles(t *testing.T) {
	text, err := i18n.Load(i18n.ReportMisuse(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lang i18n.Language
		id   string
		want string
	}{
		{"a norm in English", i18n.English, "norm-h", "Norm 13(h) — Respond to requests for assistance"},
		{"a norm in French", i18n.French, "norm-h", "Norme 13(h) — Répondre aux demandes d’assistance"},
		{"a norm in Chinese", i18n.Chinese, "norm-h", "规范 13(h)——回应援助请求"},
		{"a norm in Arabic isolates its paragraph", i18n.Arabic, "norm-h", "القاعدة \u206813(h)\u2069 — الاستجابة لطلبات المساعدة"},
		{"a global CBM in English", i18n.English, "cbm-1", "CBM 1 — Global Points-of-Contact Directory"},
		{"a global CBM in Spanish", i18n.Spanish, "cbm-1", "Medida de fomento de la confianza 1 — " + text.Printer(i18n.Spanish).TC("provision title", "Global Points-of-Contact Directory")},
		{"international law by its citation", i18n.English, "law-28a", "A/70/174, para. 28(a) — Jurisdiction over ICT infrastructure"},
		{"international law in Russian", i18n.Russian, "law-28a", "A/70/174, para. 28(a) — " + text.Printer(i18n.Russian).TC("provision title", "Jurisdiction over ICT infrastructure")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := cat.Provision(tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := (catalogText{text.Printer(tc.lang)}).cited(p); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("a provision the catalogue no longer has keeps its id", func(t *testing.T) {
		if got := (catalogText{text.Printer(i18n.French)}).cited(catalog.Provision{ID: "norm-z"}); got != "norm-z" {
			t.Errorf("got %q", got)
		}
	})
}
