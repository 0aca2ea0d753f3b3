package web_test

import (
	"context"
	"database/sql"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestRetireAsksFirstAndCanBeUndone: retiring goes through a page that
// says what happens; a retired entry's edit form says it is retired
// instead of failing on save, and reinstating brings it back.
func TestRetireAsksFirstAndCanBeUndone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		admin, ke := f.signIn("fradmin"), f.signIn("kepoc")
		id := f.poc["frdip"].ID
		base := "/directory/pocs/" + id

		page := admin.get(base)
		if page.status != http.StatusOK || strings.Contains(page.body, `method="post" action="`+base+`/retire"`) || !strings.Contains(page.body, `action="`+base+`/retire"`) {
			t.Fatalf("the entry's page must lead to the confirmation, not retire at once:\n%s", snippet(page.body))
		}
		ask := admin.get(base + "/retire")
		if ask.status != http.StatusOK {
			t.Fatalf("confirmation page: %d\n%s", ask.status, snippet(ask.body))
		}
		// FR has no other diplomatic entry: the page warns.
		for _, s := range []string{"no more mail", "communication checks", "history", "reinstate", "only diplomatic point of contact",
			`method="post" action="` + base + `/retire"`} {
			if !strings.Contains(ask.body, s) {
				t.Errorf("confirmation page lacks %q", s)
			}
		}
		if got, _ := f.app.Directory.POC(context.Background(), f.acc["fradmin"].Actor(), id); got.Status != directory.Active {
			t.Fatal("opening the confirmation page retired the entry")
		}
		if r := admin.post(base+"/retire", nil); r.status != http.StatusSeeOther {
			t.Fatalf("retire: %d", r.status)
		}

		form := admin.get(base + "/edit")
		if form.status != http.StatusOK || !strings.Contains(form.body, "is retired") || !strings.Contains(form.body, base+"/reinstate") || strings.Contains(form.body, `name="function_title"`) {
			t.Errorf("edit form of a retired entry: %d\n%s", form.status, snippet(form.body))
		}
		save := admin.post(base+"/edit", url.Values{"version": {"2"}, "level": {"diplomatic"}, "function_title": {"Ambassador"}, "organisation": {"MFA"},
			"emails": {"a@fr.test.invalid"}, "phones": {"+33 1 23 45 67 89"}, "languages": {"fr"}, "time_zone": {"Europe/Paris"}, "availability": {"24x7"}})
		if save.status != http.StatusConflict || !strings.Contains(save.body, "is retired") || !strings.Contains(save.body, base+"/reinstate") {
			t.Errorf("saving a retired entry: %d\n%s", save.status, snippet(save.body))
		}
		if r := ke.get(base); r.status != http.StatusNotFound {
			t.Errorf("another State sees the retired entry: %d", r.status)
		}

		r := admin.post(base+"/reinstate", nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != base+"?done=reinstated" {
			t.Fatalf("reinstate: %d %s", r.status, r.header.Get("Location"))
		}
		if r := admin.get(base + "?done=reinstated"); !strings.Contains(r.body, "back in the directory") || strings.Contains(r.body, `class="tag retired"`) {
			t.Errorf("page after reinstating:\n%s", snippet(r.body))
		}
		if r := ke.get(base); r.status != http.StatusOK {
			t.Errorf("another State cannot see the reinstated entry: %d", r.status)
		}
	})
}

// TestPOCPagesShowWhatTheyHold: languages by name, phones on the State's
// page as in the list, hidden characters in stored text as visible
// markers, a CSV that spreadsheets read as UTF-8, and an edit form that
// does not offer the account choice keeping the link.
func TestPOCPagesShowWhatTheyHold(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db.Engine)
		ctx := context.Background()
		fr, ke := f.signIn("frpoc"), f.signIn("kepoc")
		p := f.poc["frtech"]

		page := fr.get("/directory/pocs/" + p.ID)
		if !strings.Contains(page.body, "<dd>English</dd>") {
			t.Errorf("languages not shown by name:\n%s", snippet(page.body))
		}
		state := fr.get("/directory/states/FR")
		if !strings.Contains(html.UnescapeString(state.body), p.Phones[0]) || !strings.Contains(state.body, `href="mailto:`+p.Emails[0]+`"`) {
			t.Errorf("the State's page lacks the phone %s or the mail link", p.Phones[0])
		}

		// Text stored before hidden characters were refused.
		if _, err := f.app.DB.W.Exec(`UPDATE pocs SET organisation = $1 WHERE id = $2`, "Invoice\u202Eexe.pdf\u202C", p.ID); err != nil {
			t.Fatal(err)
		}
		// Like every change to the directory, it moves the version on, so
		// that pages rendered before are not served again.
		if err := f.app.DB.Tx(ctx, func(tx *sql.Tx) error { return f.app.DB.Bump(ctx, tx, "directory") }); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/directory/pocs/" + p.ID, "/directory/states/FR"} {
			body := html.UnescapeString(fr.get(path).body)
			if strings.Contains(body, "\u202E") || !strings.Contains(body, "Invoice⟨U+202E⟩exe.pdf⟨U+202C⟩") {
				t.Errorf("%s does not show the hidden characters as markers", path)
			}
		}

		csv := fr.get("/directory/export.csv")
		if !strings.HasPrefix(csv.body, "\uFEFFID,State,") {
			t.Errorf("CSV export does not start with a UTF-8 byte order mark: %q", csv.body[:min(20, len(csv.body))])
		}
		// KE's entry is linked to KE's POC: other States are not told.
		if js := fr.get("/directory/export.json").body; strings.Contains(js, "account_id") || strings.Contains(js, f.acc["kepoc"].ID) {
			t.Error("the JSON export tells another State which account answers for an entry")
		}
		if js := ke.get("/directory/export.json").body; strings.Contains(js, "account_id") {
			t.Error("the JSON export tells a POC which account answers for an entry")
		}

		// A form without the account choice keeps the link.
		if _, err := f.app.DB.W.Exec(`UPDATE pocs SET organisation = 'CERT' WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		in := directory.POCInput{Level: p.Level, FunctionTitle: p.FunctionTitle, Organisation: "CERT", Emails: p.Emails, Phones: p.Phones,
			Languages: p.Languages, TimeZone: p.TimeZone, Availability: p.Availability, AccountID: f.acc["frpoc"].ID}
		if _, err := f.app.Directory.Edit(ctx, f.acc["fradmin"].Actor(), p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		admin := f.signIn("fradmin")
		r := admin.post("/directory/pocs/"+p.ID+"/edit", url.Values{"version": {"2"}, "level": {"technical"}, "function_title": {"FR CERT duty desk"},
			"organisation": {"CERT"}, "emails": {p.Emails[0]}, "phones": {p.Phones[0]}, "languages": {"fr"}, "time_zone": {"Europe/Paris"}, "availability": {"24x7"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", r.status, snippet(r.body))
		}
		if got, _ := f.app.Directory.POC(ctx, f.acc["fradmin"].Actor(), p.ID); got.AccountID != f.acc["frpoc"].ID {
			t.Errorf("an edit without the account choice dropped the link (now %q)", got.AccountID)
		}
	})
}
