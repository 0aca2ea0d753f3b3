package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

func TestCommunicationsOverThePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		fr, ke, nz, sec := f.signIn("frpoc"), f.signIn("kepoc"), f.signIn("nzpoc"), f.signIn("sec")

		r := fr.get("/messages/new?type=assistance_request&to=KE")
		if r.status != http.StatusOK || !strings.Contains(r.body, "Assistance requested") {
			t.Fatalf("compose: %d", r.status)
		}
		// The States are checkboxes under their regional group, in a list
		// that is open because ?to chose one; the template's provisions
		// come ticked.
		for _, want := range []string{`<legend>African</legend>`,
			`<input type="checkbox" id="recipients-KE" name="recipients" value="KE" checked><label for="recipients-KE">Kenya</label>`,
			`<details class="pickbox" open><summary>Choose the States it is sent to</summary>`,
			`id="provisions-cbm-1" name="provisions" value="cbm-1" checked`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("compose form lacks %s", want)
			}
		}
		if strings.Contains(r.body, "<select id=\"recipients\"") || strings.Contains(r.body, "Hold Ctrl") {
			t.Error("compose form still lists the States in a multiple select")
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
		r = fr.post("/messages", bad)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "recipients-error") || !strings.Contains(r.body, "f_sector-error") {
			t.Fatalf("bad form: %d\n%s", r.status, snippet(r.body))
		}
		// The list of States opens by itself to show its error, which
		// its group names as its description.
		if !strings.Contains(r.body, `<details class="pickbox" open><summary>Choose the States it is sent to</summary>
<fieldset class="picks" aria-describedby="recipients-error">`) {
			t.Errorf("the States' error is not shown open and tied to their group:\n%s", snippet(r.body))
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

// An answer sent without its kind comes back with the thread, the text
// typed and a message beside the missing choice, not a bare error page.
func TestAnswerFormKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, store.SQLite)
	ke := f.signIn("kepoc")
	typed := "Our CERT traced the scanning to a hosting provider & is on it."
	tests := []struct {
		name  string
		form  url.Values
		field string // id of the error beside the field
		kept  []string
	}{
		{"no kind of answer", url.Values{"body": {typed}, "f_status": {"in progress"}}, "type-error",
			[]string{"Our CERT traced the scanning to a hosting provider &amp; is on it.", `<option value="in progress" selected>`}},
		{"closure without outcome", url.Values{"type": {"closure"}, "body": {typed}}, "outcome-error",
			[]string{"Our CERT traced the scanning to a hosting provider &amp; is on it.", `value="closure" checked`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ke := ke.on(t)
			r := ke.post("/messages/"+f.msg.ID+"/reply", tc.form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", r.status, snippet(r.body))
			}
			for _, want := range append([]string{`id="` + tc.field + `"`, f.msg.Subject, `action="/messages/` + f.msg.ID + `/reply"`, `href="#answer"`}, tc.kept...) {
				if !strings.Contains(r.body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if strings.Contains(r.body, "Unprocessable Entity") {
				t.Error("the page shows a bare status text")
			}
		})
	}
	msgs, _, err := f.app.Messaging.Thread(context.Background(), f.acc["kepoc"].Actor(), f.msg.ThreadID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("refused answers were stored: %d messages, %v", len(msgs), err)
	}
}

// Changing the kind of a communication being written keeps what was
// typed, and a date field refuses what is not a date.
func TestComposeKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, store.SQLite)
	fr := f.signIn("frpoc")
	form := url.Values{"type": {"mitigation_request"}, "shown": {"incident_notification"}, "change": {"yes"}, "recipients": {"KE"}, "level": {"technical"},
		"urgency": {"urgent"}, "tlp": {"amber"}, "subject": {"Botnet C2 in your address space"}, "body": {"We see beaconing to 192.0.2.7."}}
	r := fr.post("/messages", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Botnet C2 in your address space") || !strings.Contains(r.body, "We see beaconing to 192.0.2.7.") ||
		!strings.Contains(r.body, `id="f_activity"`) || !strings.Contains(r.body, "Nothing was sent") {
		t.Fatalf("changing the kind: %d\n%s", r.status, snippet(r.body))
	}
	if n, _ := f.app.Messaging.Unread(context.Background(), f.acc["kepoc"].Actor()); n != 1 {
		t.Errorf("changing the kind sent something: KE has %d unread", n)
	}

	form.Del("change")
	form.Set("shown", "mitigation_request")
	form.Set("f_sector", "energy")
	form.Set("f_activity", "Beaconing every 60 s.")
	form.Set("f_indicators", "192.0.2.7")
	form.Set("f_observed_since", "since last Tuesday")
	r = fr.post("/messages", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="f_observed_since-error"`) || !strings.Contains(r.body, "since last Tuesday") {
		t.Fatalf("a date that is not one: %d\n%s", r.status, snippet(r.body))
	}
	form.Set("f_observed_since", "2026-05-30 22:15")
	if r := fr.post("/messages", form); r.status != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", r.status, snippet(r.body))
	}
}

// The pages offer only what the viewer may do: the service decides.
func TestButtonsFollowWhatTheViewerMayDo(t *testing.T) {
	f := newFixture(t, store.SQLite)
	thread := "/threads/" + f.msg.ThreadID
	ack := `action="/messages/` + f.msg.ID + `/acknowledge"`
	reply := `action="/messages/` + f.msg.ID + `/reply`
	tests := []struct {
		role           string
		write, ack, re bool // offered: a new communication, acknowledging, answering
		readsThread    bool
	}{
		{"sec", false, false, false, false},
		{"fradmin", true, false, true, true},
		{"frpoc", true, false, true, true},
		{"frviewer", false, false, false, true},
		{"keadmin", true, true, true, true},
		{"kepoc", true, true, true, true},
		{"nzpoc", false, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			c := f.signIn(tc.role).on(t)
			for _, path := range []string{"/", "/messages"} {
				body := c.get(path).body
				if got := strings.Contains(body, `href="/messages/new"`); got != tc.write {
					t.Errorf("%s: link to write a communication shown = %v, want %v", path, got, tc.write)
				}
			}
			r := c.get(thread)
			if !tc.readsThread {
				if r.status != http.StatusNotFound {
					t.Errorf("thread: %d, want 404", r.status)
				}
				return
			}
			if got := strings.Contains(r.body, ack); got != tc.ack {
				t.Errorf("acknowledge form shown = %v, want %v", got, tc.ack)
			}
			if got := strings.Contains(r.body, reply); got != tc.re {
				t.Errorf("answer form shown = %v, want %v", got, tc.re)
			}
			if got := strings.Contains(r.body, `id="rt-acknowledgement"`); got != tc.ack {
				t.Errorf("acknowledgement offered as an answer = %v, want %v", got, tc.ack)
			}
		})
	}
}

// Three States: FR writes to KE and NZ; KE acknowledges at once, NZ does
// not and is reminded, then escalated. KE's timeline must not tell KE
// about NZ; FR sees both; everyone reads titles and one date format.
func TestThreadShowsARecipientItsOwnPart(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		ctx := context.Background()
		since := epoch.AddDate(-1, 0, 0)
		if err := f.app.Directory.SetParticipation(ctx, actor.Operator, "NZ", &since); err != nil {
			t.Fatal(err)
		}
		fr, ke, nz := f.signIn("frpoc"), f.signIn("kepoc"), f.signIn("nzpoc")
		r := fr.post("/messages", url.Values{"type": {"assistance_request"}, "recipients": {"KE", "NZ"}, "level": {"technical"}, "urgency": {"priority"},
			"tlp": {"amber"}, "subject": {"Grid operator under attack"}, "body": {"Please help."}, "ack": {"yes"}, "f_sector": {"energy"},
			"f_critical_infrastructure": {"yes"}, "f_assistance": {"Trace the C2."}, "f_impact": {"Blackout in two regions."}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", r.status, snippet(r.body))
		}
		thread := strings.Split(strings.TrimPrefix(r.header.Get("Location"), "/threads/"), "?")[0]
		f.drain()
		id := regexp.MustCompile(`action="/messages/([0-9a-f-]+)/acknowledge"`).FindStringSubmatch(ke.get("/threads/" + thread).body)[1]
		if r := ke.post("/messages/"+id+"/acknowledge", nil); r.status != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", r.status)
		}
		f.clock.Advance(25 * time.Hour) // past the reminder and the priority acknowledgement deadline
		f.drain()
		fr, ke, nz = f.signIn("frpoc"), f.signIn("kepoc"), f.signIn("nzpoc") // the sessions timed out meanwhile

		timeline := func(c *client) string {
			t.Helper()
			body := c.get("/threads/" + thread).body
			i := strings.Index(body, "<h2>Timeline</h2>")
			if i < 0 {
				t.Fatalf("no timeline\n%s", snippet(body))
			}
			return body[i : i+strings.Index(body[i:], "</ol>")]
		}
		tests := []struct {
			who       string
			c         *client
			want, not []string
		}{
			{"FR, the sender", fr, []string{"Reminder sent (New Zealand)", "Escalated (New Zealand)", "Receipt acknowledged (Kenya)"}, nil},
			{"KE", ke, []string{"Receipt acknowledged (Kenya)"}, []string{"Reminder sent", "Escalated", "New Zealand)"}},
			{"NZ", nz, []string{"Reminder sent (New Zealand)", "Escalated (New Zealand)"}, []string{"Receipt acknowledged", "Kenya)"}},
		}
		for _, tc := range tests {
			tl := timeline(tc.c)
			for _, w := range tc.want {
				if !strings.Contains(tl, w) {
					t.Errorf("%s: the timeline lacks %q\n%s", tc.who, w, tl)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(tl, n) {
					t.Errorf("%s: the timeline shows %q\n%s", tc.who, n, tl)
				}
			}
		}
		// Nor does KE's page show NZ's delivery.
		if page := ke.get("/threads/" + thread).body; strings.Contains(page, "<td>New Zealand</td>") || strings.Contains(page, "escalated") {
			t.Error("KE's page shows NZ's delivery")
		}

		page := fr.get("/threads/" + thread).body
		for _, want := range []string{"Request for assistance sent to Kenya, New Zealand", "Norm 13(h) — Respond to requests for assistance",
			"1 June 2026 11:0"} {
			if !strings.Contains(page, want) {
				t.Errorf("the thread lacks %q", want)
			}
		}
		for _, code := range []string{">norm-h<", ">assistance_request", "assistance_request to", "Jun 2026, "} {
			if strings.Contains(page, code) {
				t.Errorf("the thread shows the code or format %q", code)
			}
		}
		if dates := regexp.MustCompile(`\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2} UTC`).FindAllString(page, -1); len(dates) < 5 {
			t.Errorf("few dates in the one format: %v", dates)
		}
	})
}

// Error pages say what happened in plain words and lead back.
func TestErrorPagesLeadBack(t *testing.T) {
	f := newFixture(t, store.SQLite)
	fr, viewer := f.signIn("frpoc"), f.signIn("frviewer")
	get := func(c *client, path, referer string) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		for k, v := range c.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		res, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return response{status: res.StatusCode, header: res.Header, body: string(b)}
	}
	tests := []struct {
		name, path, referer string
		c                   *client
		status              int
		want, not           []string
	}{
		{"not found, from this site", "/threads/0190d9a2-0000-7000-8000-000000000000", f.srv.URL + "/messages?box=sent", fr, http.StatusNotFound,
			[]string{"<h1>Not found</h1>", `href="/messages?box=sent"`, `href="/"`}, nil},
		{"not found, from elsewhere", "/nowhere", "https://evil.example/messages", fr, http.StatusNotFound,
			[]string{"<h1>Not found</h1>", `href="/"`}, []string{"evil.example", "Go back"}},
		{"forbidden", "/messages/new", f.srv.URL + "/messages", viewer, http.StatusForbidden,
			[]string{"<h1>You cannot do this</h1>", `href="/messages"`}, []string{"Forbidden"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(tc.c, tc.path, tc.referer)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("lacks %q\n%s", w, snippet(r.body))
				}
			}
			for _, n := range tc.not {
				if strings.Contains(r.body, n) {
					t.Errorf("shows %q", n)
				}
			}
		})
	}

	// A form sent after the session ended asks to sign in, and comes back.
	stale := f.signIn("kepoc")
	tok := stale.csrf()
	if r := stale.post("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	stale.cookies["__Host-detente"] = "expired-session-token-aaaaaaaaaaaaaaaa"
	r := stale.do(http.MethodPost, "/messages/"+f.msg.ID+"/acknowledge", url.Values{"csrf": {tok}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "<h1>This page needs you to sign in</h1>") || !strings.Contains(r.body, `href="/login?next=`) {
		t.Fatalf("stale form: %d\n%s", r.status, snippet(r.body))
	}
}

// The template editor brings a refused version back as it was typed,
// including the fields marked for removal, with kinds in words.
func TestTemplateEditorKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t, store.SQLite)
	sec := f.signIn("sec")
	r := sec.post("/admin/templates/closure", url.Values{"title": {"Closure"}, "description": {"Close the exchange, with thanks."}, "rows": {"2"},
		"f0_name": {"outcome"}, "f0_label": {"Outcome"}, "f0_kind": {"longtext"}, "f0_remove": {"yes"},
		"f1_name": {"Closed On!"}, "f1_label": {"Closed on"}, "f1_kind": {"datetime"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422\n%s", r.status, snippet(r.body))
	}
	for _, want := range []string{`id="f1-error"`, `value="Closed On!"`, "Close the exchange, with thanks.", `name="f0_remove" value="yes" checked`,
		`<option value="datetime" selected>Date and time (UTC)</option>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the editor lacks %q", want)
		}
	}
	if strings.Contains(r.body, `>longtext<`) {
		t.Error("the editor shows a kind by its code")
	}
}
