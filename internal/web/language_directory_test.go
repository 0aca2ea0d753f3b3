package web_test

import (
	"html"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestDirectoryPagesInFrenchAndArabic: the directory's list, a State's
// page, an entry, its forms, the participation page and the CSV export
// speak the reader's language — labels, levels, regional groups, State
// and language names, and the directory service's messages beside the
// fields — and leave none of the English behind.
func TestDirectoryPagesInFrenchAndArabic(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		frdip := "/directory/pocs/" + f.poc["frdip"].ID
		empty := url.Values{"level": {"diplomatic"}, "availability": {"24x7"}}
		tests := []struct {
			name, lang, who, path string
			form                  url.Values // POSTed when set
			status                int
			has, hasNot           []string
		}{
			{"directory", "fr", "frpoc", "/directory", nil, http.StatusOK,
				[]string{"<h1>Points de contact</h1>", "Groupe régional", "Tous les niveaux", ">Technique<", "Groupe des États d’Europe occidentale et autres États",
					"Exporter toutes les entrées correspondantes", "<th scope=\"col\">Disponibilité</th>", "24 h/24, 7 j/7"},
				[]string{"Points of contact", "Regional group", "All levels", "Technical", ">Western European and others<", "Export every matching entry", "Availability", "24/7"}},
			{"directory", "ar", "frpoc", "/directory", nil, http.StatusOK,
				[]string{"<h1>جهات الاتصال</h1>", "المجموعة الإقليمية", ">تقني<", "مجموعة الدول الأفريقية", "على مدار الساعة", "تاريخ التأكيد"},
				[]string{"Points of contact", "Regional group", ">African<", "24/7", "Confirmed"}},
			{"a State", "fr", "frpoc", "/directory/states/FR", nil, http.StatusOK,
				[]string{"<h1>France</h1>", "Statut à l’ONU", "État Membre", "Participe au répertoire depuis le", "confirmé le", ">Diplomatique<"},
				[]string{"Member State", "UN status", "Participating", "confirmed on", "Diplomatic", "Regional group"}},
			{"a State", "ar", "frpoc", "/directory/states/FR", nil, http.StatusOK,
				[]string{"<h1>فرنسا</h1>", "دولة عضو", "الوضع في الأمم المتحدة", "مشاركة في الدليل منذ", ">دبلوماسي<", "مجموعة دول أوروبا الغربية ودول أخرى"},
				[]string{">France<", "Member State", "UN status", "Diplomatic", "Points of contact"}},
			{"an entry", "fr", "frpoc", frdip, nil, http.StatusOK,
				[]string{"Niveau diplomatique", "Langues de travail", "<dd>anglais</dd>", "Fuseau horaire", "Dernière confirmation"},
				[]string{"Diplomatic level", "Working languages", "<dd>English</dd>", "Time zone", "Last confirmed"}},
			{"an entry", "ar", "frpoc", frdip, nil, http.StatusOK,
				[]string{"المستوى الدبلوماسي", "<dd>الإنجليزية</dd>", `<bdi dir="ltr">Europe/Paris</bdi>`},
				[]string{"Diplomatic level", "<dd>English</dd>", "Time zone"}},
			{"the nomination form", "fr", "fradmin", "/directory/states/FR/nominate", nil, http.StatusOK,
				[]string{"<h1>Désigner un point de contact</h1>", "Choisissez un niveau", "p. ex. Chef du CERT national", ">Enregistrer<"},
				[]string{"Nominate a point of contact", "Choose a level", "Head of the national CERT", ">Save<"}},
			{"the service's field errors", "fr", "fradmin", "/directory/states/FR/nominate", empty, http.StatusUnprocessableEntity,
				[]string{"indiquez la fonction, p. ex. Chef du CERT national", "indiquez au moins une adresse électronique", "corriger les champs signalés"},
				[]string{"enter the function", "enter at least one email address", "please correct"}},
			{"the service's field errors", "ar", "fradmin", "/directory/states/FR/nominate", empty, http.StatusUnprocessableEntity,
				[]string{"أدخل الوظيفة", "أدخل رقم هاتف واحدًا على الأقل"},
				[]string{"enter the function", "enter at least one phone number"}},
			{"a filter the service refuses", "fr", "frpoc", "/directory?level=military", nil, http.StatusUnprocessableEntity,
				[]string{"choisissez le niveau diplomatique, politique ou technique"},
				[]string{"use diplomatic, policy or technical"}},
			{"retiring the last diplomatic entry", "fr", "fradmin", frdip + "/retire", nil, http.StatusOK,
				[]string{"Retirer ce point de contact ?", "C’est le seul point de contact diplomatique de cet État (France)", "il n’est pas inclus dans les futurs tests de communication"},
				[]string{"Retire this point of contact", "only diplomatic point of contact", "communication checks"}},
			{"retiring the last diplomatic entry", "ar", "fradmin", frdip + "/retire", nil, http.StatusOK,
				[]string{"هل تريدون سحب جهة الاتصال هذه؟", "هذه جهة الاتصال الدبلوماسية الوحيدة المدرجة في الدليل عن فرنسا"},
				[]string{"Retire this point of contact", "only diplomatic point of contact"}},
			{"participation", "fr", "sec", "/admin/states?q=keny", nil, http.StatusOK,
				[]string{"Enregistrer le retrait : Kenya", "États participant au répertoire :", "Groupe des États d’Afrique"},
				[]string{"Record Kenya as leaving", "States participating", ">African<"}},
			{"participation", "ar", "sec", "/admin/states?q=keny", nil, http.StatusOK,
				[]string{"تسجيل انسحاب كينيا", "الدول المشاركة في الدليل:"},
				[]string{"Record Kenya as leaving", "Kenya"}},
			{"the CSV export", "fr", "frpoc", "/directory/export.csv", nil, http.StatusOK,
				[]string{"\uFEFFIdentifiant,État,Niveau,Fonction,Organisation,Personne,Adresses électroniques"}, []string{"Email addresses"}},
			{"the vCard export", "fr", "frpoc", "/directory/export.vcf", nil, http.StatusOK,
				[]string{"NOTE:Niveau\u00a0: Technique. Disponibilité\u00a0: 24 h/24\\, 7 j/7."}, []string{"Level:", "Availability:"}},
			{"the CSV export", "ar", "frpoc", "/directory/export.csv", nil, http.StatusOK,
				[]string{"\uFEFFالمعرِّف,الدولة,المستوى,الوظيفة"}, []string{"Email addresses"}},
		}
		for _, tc := range tests {
			t.Run(tc.name+"/"+tc.lang, func(t *testing.T) {
				c := f.signIn(tc.who).on(t)
				if r := c.post("/language", url.Values{"lang": {tc.lang}, "next": {"/account"}}); r.status != http.StatusSeeOther {
					t.Fatalf("choosing %s: status %d", tc.lang, r.status)
				}
				var r response
				if tc.form != nil {
					r = c.post(tc.path, maps.Clone(tc.form)) // post adds its token to the form
				} else {
					r = c.get(tc.path)
				}
				if r.status != tc.status {
					t.Fatalf("status %d, want %d\n%s", r.status, tc.status, snippet(r.body))
				}
				body := html.UnescapeString(r.body)
				for _, s := range tc.has {
					if !strings.Contains(body, s) {
						t.Errorf("lacks %q", s)
					}
				}
				for _, s := range tc.hasNot {
					if strings.Contains(body, s) {
						t.Errorf("still shows %q", s)
					}
				}
			})
		}

		// An edit of a version someone else has replaced is refused with
		// the service's sentence, in the reader's language, naming the
		// version now current.
		t.Run("an edit of an old version/fr", func(t *testing.T) {
			c := f.signIn("fradmin").on(t)
			if r := c.post("/language", url.Values{"lang": {"fr"}, "next": {"/account"}}); r.status != http.StatusSeeOther {
				t.Fatalf("choosing French: status %d", r.status)
			}
			p := f.poc["frtech"]
			edit := url.Values{"version": {"1"}, "level": {"technical"}, "function_title": {p.FunctionTitle}, "organisation": {p.Organisation},
				"emails": {p.Emails[0]}, "phones": {p.Phones[0]}, "languages": {"en"}, "time_zone": {p.TimeZone}, "availability": {"24x7"}}
			if r := c.post("/directory/pocs/"+p.ID+"/edit", maps.Clone(edit)); r.status != http.StatusSeeOther {
				t.Fatalf("first edit: status %d\n%s", r.status, snippet(r.body))
			}
			r := c.post("/directory/pocs/"+p.ID+"/edit", maps.Clone(edit))
			body := html.UnescapeString(r.body)
			if r.status != http.StatusConflict || !strings.Contains(body, "quelqu’un d’autre a modifié cette entrée entre-temps (version actuelle : 2)") ||
				strings.Contains(body, "someone else changed") {
				t.Errorf("status %d\n%s", r.status, snippet(body))
			}
		})
	})
}
