package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/notify"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestMeetingAnswerLink: the mailed link shows the meeting and changes
// nothing; a bad answer leaves the link usable; the POST records the
// answer once; a used or unknown link is not found. The token never
// leaves the page as a referrer.
func TestMeetingAnswerLink(t *testing.T) {
	if notify.MeetingAnswerPath != "/meetings/answer/" {
		t.Fatalf("the mails link to %q, which routes.go does not serve", notify.MeetingAnswerPath)
	}
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		ms := f.meetings()
		token := f.answerToken(frEntry)
		path := notify.MeetingAnswerPath + token
		c := f.anon()
		answerOf := func() meeting.Answer {
			t.Helper()
			invs, err := f.app.Meetings.Invitations(context.Background(), f.acc["sec"].Actor(), ms.sec.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range invs {
				if i.POCID == f.poc["frtech"].ID {
					return i.Answer
				}
			}
			t.Fatal("FR's technical POC is not invited")
			return ""
		}
		steps := []struct {
			name    string
			method  string
			path    string
			form    url.Values
			status  int
			present []string
			absent  []string
			answer  meeting.Answer
		}{
			{"following the link shows the meeting", "GET", path, nil, http.StatusOK,
				[]string{secMeetingTitle, secVenue, secVideo, "Zurich", "UTC", `value="accepted"`, `value="tentative"`, `value="declined"`, "/framework/norm-h"},
				// Paris reads Geneva's times alike: no second line.
				[]string{"In your time zone"}, meeting.NeedsAction},
			{"following it again still changes nothing", "GET", path, nil, http.StatusOK, []string{secMeetingTitle}, nil, meeting.NeedsAction},
			{"an answer that is none", "POST", path, url.Values{"answer": {"maybe"}}, http.StatusUnprocessableEntity,
				[]string{"Choose accept, tentative or decline", `value="accepted"`}, nil, meeting.NeedsAction},
			{"the answer", "POST", path, url.Values{"answer": {"tentative"}}, http.StatusOK,
				[]string{"Thank you: your answer is recorded.", "Tentative"}, []string{`value="accepted"`}, meeting.Tentative},
			{"the used link, followed", "GET", path, nil, http.StatusNotFound, []string{"This link is not valid"}, []string{secMeetingTitle, secVenue}, meeting.Tentative},
			{"the used link, posted", "POST", path, url.Values{"answer": {"declined"}}, http.StatusNotFound, []string{"This link is not valid"}, []string{secVenue}, meeting.Tentative},
			{"an unknown link", "GET", notify.MeetingAnswerPath + strings.Repeat("A", 32), nil, http.StatusNotFound, []string{"Not found"}, nil, meeting.Tentative},
		}
		// KE's duty desk keeps Paris time; FR's meeting is set in
		// Nairobi's, an hour or two ahead: its page shows both.
		ke := c.get(notify.MeetingAnswerPath + f.answerToken(keEntry))
		for _, s := range []string{frMeetingTitle, "In your time zone:", "Europe/Paris", "Africa/Nairobi"} {
			if !strings.Contains(ke.body, s) {
				t.Errorf("KE's answer page lacks %q", s)
			}
		}
		for _, st := range steps {
			var r response
			if st.method == "GET" {
				r = c.get(st.path)
			} else {
				r = c.post(st.path, st.form)
			}
			if r.status != st.status {
				t.Errorf("%s: status %d, want %d\n%s", st.name, r.status, st.status, snippet(r.body))
			}
			if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("%s: Referrer-Policy %q, want no-referrer", st.name, got)
			}
			for _, s := range st.present {
				if !strings.Contains(r.body, s) {
					t.Errorf("%s: page lacks %q", st.name, s)
				}
			}
			for _, s := range st.absent {
				if strings.Contains(r.body, s) {
					t.Errorf("%s: page shows %q", st.name, s)
				}
			}
			if got := answerOf(); got != st.answer {
				t.Errorf("%s: FR's answer is %q, want %q", st.name, got, st.answer)
			}
		}
	})
}
