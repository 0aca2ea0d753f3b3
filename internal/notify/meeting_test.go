package notify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/ical/icaljs"
	"github.com/detente/detente/internal/ical/icaltest"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// invitation is a meeting mail taken apart: its subject, its text and
// its calendar with the calendar part's media type.
type invitation struct {
	subject, text, calType string
	cal                    string // unfolded, CRLF line ends kept
	rawCal                 []byte
}

// readMeetingMail reads a meeting mail, decrypting it with gpg when it is
// encrypted.
func readMeetingMail(t *testing.T, w *world, raw []byte) invitation {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mt == "multipart/encrypted" {
		inner := w.gpg.Decrypt(encryptedPart(t, raw))
		if msg, err = mail.ReadMessage(bytes.NewReader(inner)); err != nil {
			t.Fatal(err)
		}
		subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if mt, params, err = mime.ParseMediaType(msg.Header.Get("Content-Type")); err != nil {
			t.Fatal(err)
		}
	}
	out := invitation{subject: subject}
	if mt != "multipart/mixed" {
		b, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		out.text = string(b)
		return out
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt := p.Header.Get("Content-Type")
		b, err := io.ReadAll(p) // multipart decodes quoted-printable itself
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(pt, "text/plain"):
			out.text = string(b)
		case strings.HasPrefix(pt, "text/calendar"):
			out.calType = pt
			if out.rawCal, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", "")); err != nil {
				t.Fatal(err)
			}
			out.cal = strings.ReplaceAll(string(out.rawCal), "\r\n ", "")
		}
	}
	return out
}

// checkCalendar reads an attached calendar with the strict reader
// (icaltest) and checks the part's media type and the properties the
// mails rely on.
func checkCalendar(t *testing.T, inv invitation, method string) {
	t.Helper()
	if !strings.Contains(inv.calType, "method="+method) || !strings.Contains(strings.ToLower(inv.calType), "charset=utf-8") {
		t.Errorf("calendar part %q", inv.calType)
	}
	cal, err := icaltest.Read(inv.rawCal)
	if err != nil {
		t.Fatalf("the strict reader refuses the calendar: %v\n%s", err, inv.rawCal)
	}
	if m, _ := cal.One("METHOD"); m.Value != method {
		t.Errorf("METHOD %q, want %s", m.Value, method)
	}
	// An independent implementation reads the same method, event and
	// instants as the strict reader.
	js := icaljs.Parse(t, inv.rawCal)
	zones := map[string]*icaltest.Component{}
	for _, z := range cal.Sub("VTIMEZONE") {
		id, _ := z.One("TZID")
		zones[id.Value] = z
	}
	evs := cal.Sub("VEVENT")
	if js.Method != method || len(js.Events) != 1 || len(evs) != 1 {
		t.Fatalf("ical.js reads METHOD %q and %d events, the strict reader %d", js.Method, len(js.Events), len(evs))
	}
	uid, _ := evs[0].One("UID")
	seq, _ := evs[0].One("SEQUENCE")
	start, err := icaltest.When(evs[0], "DTSTART", zones)
	if err != nil {
		t.Fatal(err)
	}
	je := js.Events[0]
	if je.UID != uid.Value || je.Sequence == nil || strconv.Itoa(*je.Sequence) != seq.Value || je.Start == nil || !je.Start.UTC.Equal(start) {
		t.Errorf("ical.js reads UID %q SEQUENCE %v DTSTART %+v; the strict reader %q %s %v", je.UID, je.Sequence, je.Start, uid.Value, seq.Value, start)
	}
	if len(je.Attendees) != 1 || je.Organizer == nil || (method == "CANCEL") != (je.Status == "CANCELLED") {
		t.Errorf("ical.js reads attendees %+v organiser %+v status %q", je.Attendees, je.Organizer, je.Status)
	}
	for _, p := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:", "METHOD:" + method, "BEGIN:VEVENT", "UID:", "DTSTAMP:",
		"DTSTART;TZID=Europe/Zurich:", "SEQUENCE:", "ORGANIZER;CN=", "ATTENDEE;", "BEGIN:VTIMEZONE", "END:VCALENDAR"} {
		if !strings.Contains(inv.cal, "\r\n"+p) && !strings.HasPrefix(inv.cal, p) {
			t.Errorf("calendar lacks %s:\n%s", p, inv.cal)
		}
	}
}

func property(cal, name string) string {
	for _, l := range strings.Split(cal, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return ""
}

var answerLink = regexp.MustCompile(`https://detente\.test\.invalid/meetings/answer/([A-Za-z0-9_-]+)`)

// TestMeetingInvitationsBySMTP invites KE's technical POCs (one with a
// key) and FR's French-speaking POC to a meeting, changes its time and
// cancels it, and reads every mail the SMTP server received: each carries
// the calendar with the same UID and a rising SEQUENCE, encrypted where
// the POC has a key, in the POC's language, with an answer link that
// works once.
func TestMeetingInvitationsBySMTP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		a := w.app
		mk := func(email string, role actor.Role, state string) actor.Actor {
			acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: email, Role: role, State: state, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return acc.Actor()
		}
		sec, fradmin := mk("sec@un.test.invalid", actor.Secretariat, ""), mk("admin@fr.test.invalid", actor.StateAdmin, "FR")
		if _, err := a.Directory.Nominate(ctx, fradmin, "FR", directory.POCInput{Level: directory.Technical, FunctionTitle: "Officier de permanence",
			Organisation: "ANSSI", Emails: []string{"cert@fr.test.invalid"}, Phones: []string{"+33 1 00 00 00 00"}, Languages: []string{"fr"},
			TimeZone: "Europe/Paris", Availability: directory.Always}); err != nil {
			t.Fatal(err)
		}
		geneva, _ := time.LoadLocation("Europe/Zurich")
		day := w.clock.Now().AddDate(0, 0, 10)
		in := meeting.Input{Title: "Réunion des points de contact, printemps", Kind: meeting.Hybrid,
			Start: time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, geneva), End: time.Date(day.Year(), day.Month(), day.Day(), 12, 30, 0, 0, geneva),
			TimeZone: "Europe/Zurich", Venue: "Palais des Nations, salle XVII", VideoURL: "https://video.test.invalid/room/4711",
			Agenda: []meeting.AgendaItem{{Title: "Requests for assistance, norm 13(h)", Provisions: []string{"norm-h"}}},
			States: []string{"KE", "FR"}, Levels: []meeting.Level{meeting.Technical},
			Contact: meeting.Contact{Name: "Secretariat, meetings", Email: "meetings@un.test.invalid"}}
		m, err := a.Meetings.Create(ctx, sec, in)
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got := byRecipient(w.smtp.Messages())
		for _, to := range []string{"keyed@cirt.ke.test.invalid", "plain@cirt.ke.test.invalid", "cert@fr.test.invalid"} {
			if len(got[to]) != 1 {
				t.Fatalf("%d invitations to %s", len(got[to]), to)
			}
		}
		if len(got["policy@ict.ke.test.invalid"]) != 0 {
			t.Error("the policy POC is invited to a technical meeting")
		}
		uid := ""
		for _, to := range []string{"keyed@cirt.ke.test.invalid", "plain@cirt.ke.test.invalid", "cert@fr.test.invalid"} {
			raw := got[to][0].Data
			if to == "keyed@cirt.ke.test.invalid" && (bytes.Contains(raw, []byte("Palais")) || bytes.Contains(raw, []byte("BEGIN:VCALENDAR")) || bytes.Contains(raw, []byte("text/calendar"))) {
				t.Error("the encrypted invitation shows its content on the wire")
			}
			inv := readMeetingMail(t, w, raw)
			checkCalendar(t, inv, "REQUEST")
			if uid == "" {
				uid = property(inv.cal, "UID")
			}
			if property(inv.cal, "UID") != uid || uid != m.ID+"@detente" || property(inv.cal, "SEQUENCE") != "0" {
				t.Errorf("%s: UID %q SEQUENCE %q", to, property(inv.cal, "UID"), property(inv.cal, "SEQUENCE"))
			}
			if !strings.Contains(inv.cal, "LOCATION:Palais des Nations\\, salle XVII") || !strings.Contains(inv.cal, "mailto:"+to) {
				t.Errorf("%s: the calendar lacks the venue or the attendee:\n%s", to, inv.cal)
			}
			if !strings.Contains(inv.text, "https://video.test.invalid/room/4711") || !answerLink.MatchString(inv.text) {
				t.Errorf("%s: the text lacks the video link or the answer link:\n%s", to, inv.text)
			}
			wantSubject := "Invitation: Réunion"
			if to == "cert@fr.test.invalid" {
				wantSubject = "Invitation : Réunion"
			}
			if !strings.Contains(inv.subject, wantSubject) {
				t.Errorf("%s: subject %q, want %q", to, inv.subject, wantSubject)
			}
		}
		// The plain POC answers through its link, once.
		token := answerLink.FindStringSubmatch(readMeetingMail(t, w, got["plain@cirt.ke.test.invalid"][0].Data).text)[1]
		if _, err := a.Meetings.RespondByToken(ctx, token, meeting.Accepted, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Meetings.RespondByToken(ctx, token, meeting.Declined, "192.0.2.7"); err == nil {
			t.Error("the link answered twice")
		}

		// An hour later: an update with the same UID and SEQUENCE 1; the
		// POC who accepted keeps its answer in the calendar.
		in.Start, in.End = in.Start.Add(time.Hour), in.End.Add(time.Hour)
		if m, err = a.Meetings.Edit(ctx, sec, m.ID, m.Version, in); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got = byRecipient(w.smtp.Messages())
		up := readMeetingMail(t, w, got["plain@cirt.ke.test.invalid"][1].Data)
		checkCalendar(t, up, "REQUEST")
		if property(up.cal, "UID") != uid || property(up.cal, "SEQUENCE") != "1" || !strings.Contains(up.subject, "Updated invitation") ||
			!strings.Contains(up.cal, "PARTSTAT=ACCEPTED") {
			t.Errorf("update: UID %q SEQUENCE %q subject %q\n%s", property(up.cal, "UID"), property(up.cal, "SEQUENCE"), up.subject, up.cal)
		}
		if start := property(up.cal, "DTSTART;TZID=Europe/Zurich"); start != in.Start.In(geneva).Format("20060102T150405") {
			t.Errorf("DTSTART %q", start)
		}

		// Cancelled: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE 2, to all.
		if _, err := a.Meetings.Cancel(ctx, sec, m.ID, m.Version); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got = byRecipient(w.smtp.Messages())
		for _, to := range []string{"keyed@cirt.ke.test.invalid", "plain@cirt.ke.test.invalid", "cert@fr.test.invalid"} {
			if len(got[to]) != 3 {
				t.Fatalf("%d mails to %s, want 3", len(got[to]), to)
			}
			c := readMeetingMail(t, w, got[to][2].Data)
			checkCalendar(t, c, "CANCEL")
			if property(c.cal, "UID") != uid || property(c.cal, "SEQUENCE") != "2" || property(c.cal, "STATUS") != "CANCELLED" {
				t.Errorf("%s: cancellation UID %q SEQUENCE %q STATUS %q", to, property(c.cal, "UID"), property(c.cal, "SEQUENCE"), property(c.cal, "STATUS"))
			}
			if answerLink.MatchString(c.text) {
				t.Errorf("%s: a cancellation carries an answer link", to)
			}
		}
	})
}
