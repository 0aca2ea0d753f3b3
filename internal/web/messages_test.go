package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestCommunicationsOverThePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		fr, ke, nz, sec := f.signIn("frpoc"), f.signIn("kepoc"), f.signIn("nzpoc"), f.signIn("sec")

		if r := fr.get("/messages/new?type=assistance_request&to=KE"); r.status != http.StatusOK || !strings.Contains(r.body, "Assistance requested") {
			t.Fatalf("compose: %d", r.status)
		}
		form := url.Values{"type": {"assistance_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"urgent"}, "tlp": {"amber"},
			"subject": {"Hospital network encrypted"}, "body": {"Ransomware across three regional hospitals."}, "ack": {"yes"},
			"f_sector": {"health"}, "f_critical_infrastructure": {"yes"}, "f_assistance": {"Help tracing the C2."}, "f_impact": {"Emergency rooms diverting."}}

		// Bad input: every problem shown beside its field, nothing sent.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Del("recipients")
		bad.Set("f_sector", "")
		r := fr.post("/messages", bad)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "recipients-error") || !strings.Contains(r.body, "f_sector-error") {
			t.Fatalf("bad form: %d\n%s", r.status, snippet(r.body))
		}
		if !strings.Contains(r.body, "Ransomware across three regional hospitals.") {
			t.Error("the form lost the description that was typed")
		}

		r = fr.post("/messages", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", r.status, snippet(r.body))
		}
		thread := strings.Split(strings.TrimPrefix(r.header.Get("Location"), "/threads/"), "?")[0]

		// KE sees it unread in its inbox, with the count in the navigation
		// (the fixture's own message to KE is unread too).
		inbox := ke.get("/messages")
		if !strings.Contains(inbox.body, "Hospital network encrypted") || !regexp.MustCompile(`class="count">2<`).MatchString(inbox.body) {
			t.Fatalf("KE inbox lacks the message or the unread count\n%s", snippet(inbox.body))
		}
		page := ke.get("/threads/" + thread)
		if page.status != http.StatusOK || !strings.Contains(page.body, "Acknowledge receipt") {
			t.Fatalf("KE thread: %d", page.status)
		}
		id := regexp.MustCompile(`action="/messages/([0-9a-f-]+)/acknowledge"`).FindStringSubmatch(page.body)[1]
		if r := ke.post("/messages/"+id+"/acknowledge", nil); r.status != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", r.status)
		}
		if !regexp.MustCompile(`class="count">1<`).MatchString(ke.get("/messages").body) {
			t.Error("reading the thread did not lower the unread count")
		}
		frView := fr.get("/threads/" + thread)
		if !strings.Contains(frView.body, "acknowledged") || !strings.Contains(frView.body, f.acc["kepoc"].Email) {
			t.Error("FR does not see KE's acknowledgement")
		}

		// An answer from KE reaches FR.
		if r := ke.post("/messages/"+id+"/reply", url.Values{"type": {"update"}, "body": {"Our CERT is on it."}, "f_status": {"in progress"}}); r.status != http.StatusSeeOther {
			t.Fatalf("reply: %d\n%s", r.status, snippet(r.body))
		}
		if !strings.Contains(fr.get("/threads/"+thread).body, "Our CERT is on it.") {
			t.Error("FR does not see the answer")
		}

		// Neither a non-party State nor the secretariat reads an AMBER thread.
		for name, c := range map[string]*client{"nzpoc": nz, "sec": sec} {
			if r := c.get("/threads/" + thread); r.status != http.StatusNotFound || strings.Contains(r.body, "Hospital") {
				t.Errorf("%s reads the AMBER thread: %d", name, r.status)
			}
			if strings.Contains(c.get("/messages").body, "Hospital") {
				t.Errorf("%s lists the AMBER message", name)
			}
			if r := c.post("/messages/"+id+"/acknowledge", nil); r.status != http.StatusNotFound {
				t.Errorf("%s acknowledged: %d", name, r.status)
			}
		}
	})
}

func TestRedReachesOnlyNamedPeople(t *testing.T) {
	f := newFixture(t, store.SQLite)
	ctx := context.Background()
	// KE links its technical POC entry to its POC's account.
	p := f.poc["ketech"]
	in := directory.POCInput{Level: p.Level, FunctionTitle: p.FunctionTitle, Organisation: p.Organisation, Emails: p.Emails, Phones: p.Phones,
		Languages: p.Languages, TimeZone: p.TimeZone, Availability: p.Availability, AccountID: f.acc["kepoc"].ID}
	if _, err := f.app.Directory.Edit(ctx, f.acc["keadmin"].Actor(), p.ID, p.Version, in); err != nil {
		t.Fatal(err)
	}
	fr, kepoc, keadmin := f.signIn("frpoc"), f.signIn("kepoc"), f.signIn("keadmin")
	compose := fr.get("/messages/new?type=information_request")
	if !strings.Contains(compose.body, `value="`+f.acc["kepoc"].ID+`"`) {
		t.Fatal("the linked KE POC is not offered as a named recipient")
	}
	r := fr.post("/messages", url.Values{"type": {"information_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"urgent"},
		"tlp": {"red"}, "named": {f.acc["kepoc"].ID}, "subject": {"Source identified"}, "body": {"Only for your duty officer."}, "f_question": {"Can you confirm?"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("send RED: %d\n%s", r.status, snippet(r.body))
	}
	thread := strings.Split(strings.TrimPrefix(r.header.Get("Location"), "/threads/"), "?")[0]
	if page := kepoc.get("/threads/" + thread); page.status != http.StatusOK || !strings.Contains(page.body, "Only for your duty officer.") {
		t.Fatalf("the named POC cannot read it: %d", page.status)
	}
	if page := keadmin.get("/threads/" + thread); page.status != http.StatusNotFound || strings.Contains(page.body, "duty officer") {
		t.Fatalf("KE's admin, not named, reads the RED thread: %d", page.status)
	}
	if strings.Contains(keadmin.get("/messages").body, "Source identified") {
		t.Fatal("KE's admin lists the RED message")
	}
}

// An exercise sent from the form is marked as one wherever it shows.
func TestExerciseFromTheForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		fr, ke := f.signIn("frpoc"), f.signIn("kepoc")
		form := url.Values{"type": {"information_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"routine"}, "tlp": {"green"},
			"subject": {"Tabletop: grid scenario, inject 3"}, "body": {"Do you see the beacon?"}, "f_question": {"Beacon seen?"}, "exercise": {"yes"}}
		r := fr.post("/messages", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", r.status, snippet(r.body))
		}
		thread := strings.Split(strings.TrimPrefix(r.header.Get("Location"), "/threads/"), "?")[0]
		for what, body := range map[string]string{"inbox": ke.get("/messages").body, "thread": ke.get("/threads/" + thread).body} {
			if !strings.Contains(body, "EXERCISE") {
				t.Errorf("the %s does not mark the exercise", what)
			}
		}
		if strings.Contains(ke.get("/threads/"+f.msg.ThreadID).body, "EXERCISE") {
			t.Error("a real incident is marked as an exercise")
		}
	})
}
