package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

var tags = regexp.MustCompile(`<[^>]*>`)

// visibleText is what a page shows between its tags, without markup.
func visibleText(body string) string {
	return html.UnescapeString(tags.ReplaceAllString(body, " "))
}

// inLanguage signs key in with the pages in lang, chosen on the account.
func inLanguage(t *testing.T, f *fixture, key, lang string) *client {
	t.Helper()
	c := f.signIn(key).on(t)
	if r := c.post("/language", url.Values{"lang": {lang}, "next": {"/account"}}); r.status != see {
		t.Fatalf("%s choosing %s: status %d", key, lang, r.status)
	}
	return c
}

// TestCommunicationsInFrenchAndArabic reads the inbox, a thread and the
// form to write a communication as Kenya's people in French and in Arabic: the pages' words, the kinds, urgencies, levels, states of
// delivery and the standard template's fields are in the language; the
// TLP labels stay in English; the subject people wrote is isolated.
func TestCommunicationsInFrenchAndArabic(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		thread := "/threads/" + f.msg.ThreadID
		type page struct {
			path      string
			want, not []string
		}
		// Each language is read by a person of its own, for opening a
		// thread reads it.
		tests := []struct {
			lang, dir, who string
			pages          []page
		}{
			{"fr", "ltr", "kepoc", []page{
				{"/messages", []string{"Reçues", "Envoyées par votre État", "Non lues uniquement", "Notification d’incident", "Prioritaire", "non lue",
					"Date d’envoi", "TLP:AMBER", "Nouvelle communication"},
					[]string{"Received", "Sent by your State", "Unread only", "Incident notification", "Priority", "unread", "New communication"}},
				{thread, []string{"Notification d’incident — expéditeur : France ; destinataires : Kenya", "Incidence constatée", "Situation actuelle",
					"en cours", "niveau technique", "Accuser réception de « Scanning of the KE grid from FR space »", "Chronologie", "Remise", "Remis",
					"Accuser réception au plus tard le", "juin 2026", "Type de réponse", "Mise à jour ou réponse", "Envoyer la réponse", "TLP:AMBER"},
					[]string{"Acknowledge receipt", "Timeline", "Delivery", "Kind of answer", "Observed impact", "Current status", "ongoing",
						"technical level", "Send answer", "June"}},
				{"/messages/new", []string{"Nouvelle communication", "États destinataires", "Niveau", "Prioritaire", "Destinataires désignés (TLP:RED uniquement)",
					"Pièces jointes (facultatif)", "Jusqu’à 10 fichiers, de 10 Mio chacun au plus, 25 Mio au total.", "Incidence constatée", "(obligatoire)",
					"énergie", "Secteur touché", "Envoyer", "TLP:CLEAR"},
					[]string{"Recipient States", "Named recipients", "Attachments", "Up to 10 files", "Observed impact", "(required)", "Affected sector",
						"Kind of communication"}},
			}},
			{"ar", "rtl", "keadmin", []page{
				{"/messages", []string{"الواردة", "المرسلة من دولتكم", "غير المقروءة فقط", "إخطار بحادث", "ذات أولوية", "غير مقروءة", "TLP:AMBER", "مراسلة جديدة"},
					[]string{"Received", "Sent by your State", "Unread only", "Incident notification", "Priority", "unread", "New communication"}},
				{thread, []string{"إخطار بحادث", "الأثر الملاحَظ", "الوضع الحالي", "مستمر", "المستوى التقني", "الإقرار باستلام", "التسلسل الزمني",
					"التسليم", "تم التسليم", "نوع الرد", "تحديث أو رد", "إرسال الرد", "TLP:AMBER", "يونيه"},
					[]string{"Acknowledge receipt", "Timeline", "Delivery", "Kind of answer", "Observed impact", "Current status", "ongoing",
						"technical level", "Send answer", "June"}},
				{"/messages/new", []string{"مراسلة جديدة", "الدول المرسَل إليها", "المستوى", "ذات أولوية", "المرسَل إليهم بالاسم", "المرفقات (اختيارية)",
					"ما يصل إلى 10 ملفات", "الأثر الملاحَظ", "(مطلوب)", "الطاقة", "القطاع المتأثر", "إرسال", "TLP:CLEAR"},
					[]string{"Recipient States", "Named recipients", "Attachments", "Up to 10 files", "Observed impact", "(required)", "Affected sector",
						"Kind of communication"}},
			}},
		}
		for _, tc := range tests {
			t.Run(tc.lang, func(t *testing.T) {
				ke := inLanguage(t, f, tc.who, tc.lang)
				for _, p := range tc.pages {
					r := ke.get(p.path)
					if r.status != ok {
						t.Fatalf("%s: status %d\n%s", p.path, r.status, snippet(r.body))
					}
					if m := htmlTag.FindStringSubmatch(r.body); m == nil || m[2] != tc.dir {
						t.Errorf("%s: <html> says %v, want dir=%q", p.path, m, tc.dir)
					}
					text := visibleText(r.body)
					for _, w := range p.want {
						if !strings.Contains(text, w) {
							t.Errorf("%s lacks %q", p.path, w)
						}
					}
					for _, n := range p.not {
						if strings.Contains(text, n) {
							t.Errorf("%s shows %q", p.path, n)
						}
					}
				}
				// The subject people wrote keeps its own direction.
				inbox := ke.get("/messages").body
				if !strings.Contains(inbox, "<bdi>Scanning of the KE grid from FR space</bdi>") {
					t.Error("the inbox does not isolate the subject")
				}
			})
		}
	})
}

// TestStandardTemplateInEveryLanguage: every word of the standard template
// (titles, descriptions, labels, help and choices) shows in the page's
// language on the form to write a communication and on the template's
// page, so a language lacks none of them.
func TestStandardTemplateInEveryLanguage(t *testing.T) {
	f := newFixture(t, store.SQLite)
	tmpls, err := f.app.Messaging.Templates(context.Background(), f.acc["frpoc"].Actor())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ar", "zh"} {
		t.Run(lang, func(t *testing.T) {
			fr := inLanguage(t, f, "frpoc", lang)
			for _, tm := range tmpls {
				words := []string{tm.Title, tm.Description}
				for _, fd := range tm.Fields {
					words = append(words, fd.Label, fd.Help)
					words = append(words, fd.Choices...)
				}
				paths := []string{"/admin/templates/" + string(tm.Type)}
				if tm.Type.Opening() {
					paths = append(paths, "/messages/new?type="+string(tm.Type))
				}
				for _, path := range paths {
					r := fr.get(path)
					if r.status != ok {
						t.Fatalf("%s: status %d", path, r.status)
					}
					text := visibleText(r.body)
					for _, w := range words {
						if w == "" {
							continue
						}
						// Single words are looked for as a whole element's
						// text, so that a provision's English title does
						// not count.
						if strings.Contains(r.body, ">"+html.EscapeString(w)+"<") || (strings.Contains(w, " ") && strings.Contains(text, w)) {
							t.Errorf("%s shows %q in English", path, w)
						}
					}
				}
			}
		})
	}
}
