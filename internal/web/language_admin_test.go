package web_test

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/webhook"
)

// quotedInEnglish is the sentence the framework pages show, translated, in
// every language but English.
const quotedInEnglish = "The texts of the framework are quoted in English, the original language of the reports they come from; " +
	"the United Nations publishes an official translation of each report in every official language."

// TestAdminAndFrameworkPagesInFrenchAndArabic: the start page, the
// framework, a provision, the accounts page, the audit log and the webhook
// pages speak the reader's language, while the quoted UN text, the codes
// of audit actions and webhook events, and e-mail addresses stay as they
// are.
func TestAdminAndFrameworkPagesInFrenchAndArabic(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		cat := catalogue(t)
		const hook = "https://hooks.fr-cert.test.invalid/detente"
		sub, _, err := f.app.Webhooks.Create(context.Background(), f.acc["fradmin"].Actor(), webhook.Input{URL: hook, Events: []string{webhook.MessageReceived}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []i18n.Language{i18n.French, i18n.Arabic} {
			t.Run(l.Code(), func(t *testing.T) {
				p := cat.Printer(l)
				shown := template.HTMLEscapeString // as the page writes text
				clients := map[string]*client{"anon": f.anon().on(t), "sec": f.signIn("sec").on(t), "fradmin": f.signIn("fradmin").on(t)}
				for _, c := range clients {
					c.cookies["__Host-detente-lang"] = l.Code()
				}
				for _, tc := range []struct {
					name, who, path string
					present         []string // as rendered
					absent          []string // English the page must not show
				}{
					{"start page", "anon", "/",
						[]string{shown(p.T("The framework")), shown(p.T("Read the framework")), shown(p.T("Sign in to open the directory")), shown(p.TC("main menu", "Checks"))},
						[]string{"Read the framework", "Sign in to open the directory", "States have agreed", "quoted from the UN documents", "Published results"}},
					{"framework", "anon", "/framework",
						[]string{shown(p.T("The framework")), shown(p.T(quotedInEnglish)), shown(p.T("All topics")), shown(p.T("Confidence-building measures")),
							shown(p.TC("provision title", "Respond to requests for assistance")), shown(p.TC("topic", "Human Rights")),
							shown(p.TC("document title", "Report of the Group of Governmental Experts on Developments in the Field of Information and Telecommunications in the Context of International Security")),
							`<span class="cite" dir="ltr">A/70/174, para. 13(h)</span>`},
						[]string{"Respond to requests for assistance", "All topics", "Other recommendations", "Short titles are ours", ">Human Rights (", "Report of the Group of Governmental Experts"}},
					{"framework search", "anon", "/framework?q=assistance",
						[]string{shown(p.T("The texts are in English: search with English words.")), shown(p.TC("provision title", "Respond to requests for assistance"))},
						[]string{"Results for", "Respond to requests for assistance"}},
					{"provision", "anon", "/framework/norm-h",
						[]string{shown(p.TC("provision title", "Respond to requests for assistance")), shown(p.T(quotedInEnglish)), shown(p.TC("provision", "Related provisions")),
							`<blockquote class="quote" lang="en" dir="ltr">`, "States should respond to appropriate requests for assistance", "A/70/174, para. 13(h)"},
						[]string{"Respond to requests for assistance", "Related provisions", ">Topics<"}},
					{"accounts", "sec", "/admin/accounts",
						[]string{shown(p.T("Accounts")), shown(p.T("New account")), shown(p.T("Create account")), shown(p.T("Initial password")),
							shown(p.TC("role", "State administrator")), shown(p.TC("account status", "active")), `<bdi dir="ltr">admin@fr.test.invalid</bdi>`},
						[]string{"Create account", "Initial password", "All roles", "State administrator", "No State (secretariat)", "<td>active"}},
					{"audit log", "sec", "/admin/audit?action=account.create",
						[]string{shown(p.T("Audit log")), shown(p.TC("audit action", "Account created")), shown(p.T("All actions")), shown(p.TC("audit action", "Webhook created")),
							`<span class="cite mono nowrap" dir="ltr">account.create</span>`, `<code dir="ltr">detente audit verify</code>`},
						[]string{"Account created", "All actions", "Every change and sign-in", "Object type", "not sealed yet", "Webhook created"}},
					{"webhooks", "fradmin", "/admin/webhooks",
						[]string{shown(p.T("New webhook")), shown(p.TC("webhook status", "active")), `<span class="mono" dir="ltr">message.received</span>`},
						[]string{"New webhook", "Events to send", "A communication addressed to your State arrived", "A recipient State acknowledged"}},
					{"webhook", "fradmin", "/admin/webhooks/" + sub.ID,
						[]string{shown(p.T("Deliveries")), shown(p.T("Rotate secret")), `<dd class="mono" dir="ltr">` + hook + `</dd>`},
						[]string{"Deliveries", "Rotate secret", "Secret last rotated", "All webhooks"}},
				} {
					t.Run(tc.name, func(t *testing.T) {
						r := clients[tc.who].get(tc.path)
						if r.status != ok {
							t.Fatalf("GET %s: status %d\n%s", tc.path, r.status, snippet(r.body))
						}
						if m := htmlTag.FindStringSubmatch(r.body); m == nil || m[1] != l.HTMLLang() || m[2] != l.Dir() {
							t.Errorf("<html> says %v", m)
						}
						for _, s := range tc.present {
							if !strings.Contains(r.body, s) {
								t.Errorf("lacks %q", s)
							}
						}
						for _, s := range tc.absent {
							if strings.Contains(r.body, s) {
								t.Errorf("shows the English %q", s)
							}
						}
						if ph := regexp.MustCompile(`\{[a-z_]+\}`).FindString(r.body); ph != "" {
							t.Errorf("a placeholder is left unfilled: %s", ph)
						}
					})
				}
				// The services' messages arrive in English and are shown in
				// the reader's language.
				t.Run("a refused new account", func(t *testing.T) {
					r := clients["sec"].post("/admin/accounts", url.Values{"email": {"new@fr.test.invalid"}, "role": {"viewer"}, "state": {"FR"}})
					want := shown(p.Known("enter the name to show for this account"))
					if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, want) || strings.Contains(r.body, "enter the name to show") {
						t.Errorf("status %d, want the error %q\n%s", r.status, want, snippet(r.body))
					}
				})
				t.Run("a refused audit filter", func(t *testing.T) {
					r := clients["sec"].get("/admin/audit?from=yesterday")
					want := shown(p.Known("use a date like 2026-01-31"))
					if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, want) {
						t.Errorf("status %d, want the error %q\n%s", r.status, want, snippet(r.body))
					}
				})
			})
		}
		t.Run("en", func(t *testing.T) {
			// English pages need not say that the texts are in English.
			for _, path := range []string{"/framework", "/framework/norm-h"} {
				if r := f.anon().on(t).get(path); r.status != ok || strings.Contains(r.body, "quoted in English") {
					t.Errorf("GET %s: status %d, or it says the texts are quoted in English", path, r.status)
				}
			}
		})
	})
}

// TestCatalogueAndServiceTextHaveMessages: everything the pages translate
// by its English text — the catalogue's short titles, notes, document
// titles and topics, the audit log's action labels — is in en.po, so no
// page falls back to English when the data grows.
func TestCatalogueAndServiceTextHaveMessages(t *testing.T) {
	c := catalogue(t)
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	check := func(m i18n.Message) {
		t.Helper()
		for _, problem := range c.CheckMessage(m) {
			t.Errorf("%q (context %q): %s", m.ID, m.Context, problem)
		}
	}
	for _, p := range cat.Provisions(catalog.Filter{}) {
		check(i18n.MC("provision title", p.ShortTitle))
		if p.Note != "" {
			check(i18n.MC("provision note", p.Note))
		}
		for _, id := range p.Topics {
			topic, err := cat.Topic(id)
			if err != nil {
				t.Fatal(err)
			}
			check(i18n.MC("topic", topic.Name))
		}
	}
	for _, d := range cat.Documents() {
		check(i18n.MC("document title", d.Title))
	}
	for _, a := range audit.Actions() {
		check(i18n.MC("audit action", a.Label))
	}
}
