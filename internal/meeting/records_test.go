package meeting_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// met creates the secretariat's meeting inviting FR and KE (technical:
// fr-tech and ke-tech) and KE's inviting DE, mails them, and moves the
// clock past both.
func (e *env) met(t *testing.T) (bySec, byKE meeting.Meeting) {
	t.Helper()
	bySec = e.create(t, "sec", e.input("FR", "KE"))
	in := e.input("DE")
	in.Title = "KE–DE consultation"
	byKE = e.create(t, "keadmin", in)
	e.run(t)
	e.clock.Advance(8 * 24 * time.Hour)
	return bySec, byKE
}

func (e *env) record(t *testing.T, who, meetingID string, kind meeting.RecordKind, in meeting.RecordInput) meeting.Record {
	t.Helper()
	r, err := e.svc.AddRecord(context.Background(), e.who[who], meetingID, kind, in)
	if err != nil {
		t.Fatalf("add %s as %s: %v", in.Title, who, err)
	}
	return r
}

func upload(name string, content []byte) []messaging.Upload {
	return []messaging.Upload{{Name: name, MediaType: "application/pdf", Content: bytes.NewReader(content)}}
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWhoReadsMeetingRecords adds minutes and documents under each label
// a record may carry and asks every reading method as every audience,
// against a written specification: the meeting's audience reads them,
// nobody else learns they exist.
func TestWhoReadsMeetingRecords(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bySec, byKE := e.met(t)
		clear := e.record(t, "sec", bySec.ID, meeting.Document, meeting.RecordInput{Title: "Chair's summary", TLP: tlp.Clear,
			Files: upload("summary.pdf", []byte("%PDF-1.4 chair's summary"))})
		green := e.record(t, "sec", bySec.ID, meeting.Minutes, meeting.RecordInput{Title: "Minutes", TLP: tlp.Green, Body: "Green minutes text"})
		amber := e.record(t, "sec", bySec.ID, meeting.Minutes, meeting.RecordInput{Title: "Restricted minutes", TLP: tlp.AmberStrict, Body: "Amber minutes text"})
		keDoc := e.record(t, "keadmin", byKE.ID, meeting.Document, meeting.RecordInput{Title: "KE outcome", TLP: tlp.Amber,
			Files: upload("outcome.txt", []byte("outcome of the consultation"))})

		// Who reads which record: the organiser's side and the invited
		// States' accounts, whatever the label; nobody else.
		secReaders := []string{"sec", "fradmin", "frpoc", "frviewer", "keadmin", "kepoc", "kepoc2"}
		keReaders := []string{"keadmin", "kepoc", "kepoc2", "deadmin", "depoc"}
		for _, who := range everyone {
			a := e.who[who]
			for _, x := range []struct {
				r       meeting.Record
				readers []string
			}{{clear, secReaders}, {green, secReaders}, {amber, secReaders}, {keDoc, keReaders}} {
				want := slices.Contains(x.readers, who)
				_, got, _, err := e.svc.Record(ctx, a, x.r.ID)
				switch {
				case want && (err != nil || got.Title != x.r.Title):
					t.Errorf("%s reading %q: %v", who, x.r.Title, err)
				case !want && err == nil:
					t.Errorf("%s reads %q, which it must not", who, x.r.Title)
				case !want && who != "anon" && !errs.Is(err, errs.NotFound):
					t.Errorf("%s reading %q: %v, want not found", who, x.r.Title, err)
				}
				if x.r.Kind == meeting.Document {
					_, content, err := e.svc.RecordFile(ctx, a, x.r.ID)
					if want != (err == nil) || (want && len(content) == 0) {
						t.Errorf("%s downloading %q: %v (%d bytes)", who, x.r.Title, err, len(content))
					}
				}
			}
			_, list, err := e.svc.Records(ctx, a, bySec.ID)
			if slices.Contains(secReaders, who) {
				if err != nil || len(list) != 3 {
					t.Errorf("%s lists %d records of the secretariat's meeting: %v", who, len(list), err)
				}
			} else if err == nil || len(list) > 0 {
				t.Errorf("%s lists the secretariat's meeting's records", who)
			}
			// Minutes are not files.
			if _, _, err := e.svc.RecordFile(ctx, a, green.ID); err == nil {
				t.Errorf("%s downloads minutes as a file", who)
			}
		}
		// Only the organiser's side keeps the records.
		for _, who := range everyone {
			_, err := e.svc.AddRecord(ctx, e.who[who], bySec.ID, meeting.Minutes, meeting.RecordInput{Title: "x", TLP: tlp.Clear, Body: "y"})
			switch who {
			case "sec":
				if err != nil {
					t.Errorf("the secretariat adds minutes: %v", err)
				}
			case "anon":
				if err == nil {
					t.Error("anonymous adds minutes")
				}
			case "deadmin", "depoc", "nzpoc":
				if !errs.Is(err, errs.NotFound) {
					t.Errorf("%s adding minutes: %v, want not found", who, err)
				}
			default:
				if !errs.Is(err, errs.Forbidden) {
					t.Errorf("%s adding minutes: %v, want forbidden", who, err)
				}
			}
		}
		if _, err := e.svc.AddRecord(ctx, e.who["sec"], byKE.ID, meeting.Minutes, meeting.RecordInput{Title: "x", TLP: tlp.Clear, Body: "y"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("the secretariat adding to KE's meeting: %v", err)
		}
		if _, err := e.svc.WithdrawRecord(ctx, e.who["fradmin"], amber.ID, amber.Version); !errs.Is(err, errs.Forbidden) {
			t.Errorf("FR withdrawing the secretariat's minutes: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.record_add'`); n != 5 {
			t.Errorf("%d audited additions, want 5", n)
		}
	})
}

// TestMinutesAreVersioned edits minutes twice and withdraws a document.
func TestMinutesAreVersioned(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bySec, _ := e.met(t)
		sec := e.who["sec"]
		r := e.record(t, "sec", bySec.ID, meeting.Minutes, meeting.RecordInput{Title: "Minutes", TLP: tlp.Amber, Body: "First draft"})
		r2, err := e.svc.EditRecord(ctx, sec, r.ID, r.Version, meeting.RecordInput{Title: "Minutes", TLP: tlp.Amber, Body: "Second draft"})
		if err != nil || r2.Version != 2 {
			t.Fatalf("edit: %v %d", err, r2.Version)
		}
		if _, err := e.svc.EditRecord(ctx, sec, r.ID, r.Version, meeting.RecordInput{Title: "Minutes", TLP: tlp.Amber, Body: "Lost"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("edit of a stale version: %v", err)
		}
		if _, err := e.svc.EditRecord(ctx, sec, r.ID, r2.Version, meeting.RecordInput{Title: "Final minutes", TLP: tlp.Green, Body: "Adopted text"}); err != nil {
			t.Fatal(err)
		}
		_, got, vs, err := e.svc.Record(ctx, e.who["kepoc"], r.ID)
		if err != nil || got.Body != "Adopted text" || got.TLP != tlp.Green || got.Version != 3 {
			t.Fatalf("minutes now: %+v %v", got, err)
		}
		if len(vs) != 2 || vs[0].Body != "Second draft" || vs[1].Body != "First draft" || vs[1].TLP != tlp.Amber {
			t.Errorf("earlier versions: %+v", vs)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.record_edit'`); n != 2 {
			t.Errorf("%d audited edits, want 2", n)
		}
		doc := e.record(t, "sec", bySec.ID, meeting.Document, meeting.RecordInput{Title: "Slides", TLP: tlp.Green, Files: upload("slides.pdf", []byte("%PDF-1.7"))})
		if _, err := e.svc.EditRecord(ctx, sec, doc.ID, doc.Version, meeting.RecordInput{Title: "Slides", TLP: tlp.Green, Files: upload("other.pdf", []byte("%PDF"))}); !errs.Is(err, errs.Invalid) {
			t.Errorf("replacing a document's file: %v", err)
		}
		if _, err := e.svc.WithdrawRecord(ctx, sec, doc.ID, doc.Version); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.RecordFile(ctx, sec, doc.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a withdrawn document: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.record_withdraw'`); n != 1 {
			t.Errorf("%d audited withdrawals, want 1", n)
		}
	})
}

// TestAttendance records who attended and reads it back as each audience.
func TestAttendance(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bySec := e.create(t, "sec", e.input("FR", "KE"))
		e.run(t)
		sec := e.who["sec"]
		invs, err := e.svc.Invitations(ctx, sec, bySec.ID)
		if err != nil || len(invs) != 2 {
			t.Fatalf("invitations: %v %v", invs, err)
		}
		inv := map[string]string{}
		for _, i := range invs {
			inv[i.State] = i.ID
		}
		marks := map[string]meeting.Presence{inv["FR"]: meeting.InRoom, inv["KE"]: meeting.Remote}
		if _, err := e.svc.RecordAttendance(ctx, sec, bySec.ID, marks); !errs.Is(err, errs.Conflict) {
			t.Errorf("attendance before the meeting: %v", err)
		}
		e.clock.Advance(7*24*time.Hour + 2*time.Hour) // during the meeting
		for who, want := range map[string]errs.Code{"fradmin": errs.Forbidden, "kepoc": errs.Forbidden, "frviewer": errs.Forbidden,
			"deadmin": errs.NotFound, "nzpoc": errs.NotFound, "anon": errs.Unauthenticated} {
			if _, err := e.svc.RecordAttendance(ctx, e.who[who], bySec.ID, marks); !errs.Is(err, want) {
				t.Errorf("%s recording attendance: %v, want %v", who, err, want)
			}
		}
		if _, err := e.svc.RecordAttendance(ctx, sec, bySec.ID, marks); err != nil {
			t.Fatal(err)
		}
		// Recording the same again writes nothing; a change is audited.
		if _, err := e.svc.RecordAttendance(ctx, sec, bySec.ID, marks); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordAttendance(ctx, sec, bySec.ID, map[string]meeting.Presence{inv["FR"]: meeting.Absent}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.attendance'`); n != 2 {
			t.Errorf("%d audited attendance changes, want 2", n)
		}
		for _, tc := range []struct {
			who    string
			pocs   []string // States of the POC rows shown
			states map[string]meeting.Presence
		}{
			{"sec", []string{"FR", "KE"}, map[string]meeting.Presence{"FR": meeting.Absent, "KE": meeting.Remote}},
			{"kepoc", []string{"KE"}, map[string]meeting.Presence{"FR": meeting.Absent, "KE": meeting.Remote}},
			{"frviewer", []string{"FR"}, map[string]meeting.Presence{"FR": meeting.Absent, "KE": meeting.Remote}},
		} {
			at, err := e.svc.Attendance(ctx, e.who[tc.who], bySec.ID)
			if err != nil {
				t.Fatalf("%s: %v", tc.who, err)
			}
			var pocs []string
			for _, p := range at.POCs {
				pocs = append(pocs, p.Invitation.State)
			}
			if !slices.Equal(pocs, tc.pocs) {
				t.Errorf("%s sees the POCs of %v, want %v", tc.who, pocs, tc.pocs)
			}
			for _, sp := range at.States {
				if tc.states[sp.State] != sp.Presence {
					t.Errorf("%s sees %s %q, want %q", tc.who, sp.State, sp.Presence, tc.states[sp.State])
				}
			}
		}
		for _, who := range []string{"deadmin", "depoc", "nzpoc", "anon"} {
			if at, err := e.svc.Attendance(ctx, e.who[who], bySec.ID); err == nil || len(at.POCs) > 0 {
				t.Errorf("%s reads the attendance", who)
			}
		}
		// Bad marks: nothing is written.
		before := e.count(t, `SELECT COUNT(*) FROM audit_log`)
		for name, bad := range map[string]map[string]meeting.Presence{
			"unknown invitation": {"0190a0a0-0000-7000-8000-000000000000": meeting.InRoom},
			"NUL invitation":     {"\x00": meeting.InRoom},
			"unknown presence":   {inv["KE"]: "asleep"},
			"presence with NUL":  {inv["KE"]: "remote\x00"},
			"one good, one bad":  {inv["FR"]: meeting.InRoom, inv["KE"]: "\xff"},
		} {
			if _, err := e.svc.RecordAttendance(ctx, sec, bySec.ID, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: %v, want a field error", name, err)
			}
		}
		at, _ := e.svc.Attendance(ctx, sec, bySec.ID)
		if at.States[0].Presence != meeting.Absent || e.count(t, `SELECT COUNT(*) FROM audit_log`) != before {
			t.Error("a refused mark was written")
		}
	})
}

// TestPublishing publishes a past meeting with one of its records and
// reads the public list and page as an anonymous visitor.
func TestPublishing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		upcoming := e.create(t, "sec", e.input("FR"))
		if err := e.svc.Publish(ctx, e.who["sec"], upcoming.ID, meeting.PublishInput{Summary: "Too soon"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("publishing a meeting not over: %v", err)
		}
		bySec, byKE := e.met(t)
		sec, anon := e.who["sec"], actor.Anonymous
		clear := e.record(t, "sec", bySec.ID, meeting.Document, meeting.RecordInput{Title: "Chair's summary", TLP: tlp.Clear,
			Files: upload("summary.pdf", []byte("%PDF-1.4 public"))})
		unchosen := e.record(t, "sec", bySec.ID, meeting.Minutes, meeting.RecordInput{Title: "Draft minutes", TLP: tlp.Clear, Body: "Not chosen"})
		amber := e.record(t, "sec", bySec.ID, meeting.Minutes, meeting.RecordInput{Title: "Restricted minutes", TLP: tlp.Amber, Body: "Amber text"})
		if err := e.svc.Publish(ctx, sec, bySec.ID, meeting.PublishInput{Summary: "Outcome", Records: []string{amber.ID}}); !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["records"] == "" {
			t.Errorf("publishing TLP:AMBER minutes: %v", err)
		}
		for who, want := range map[string]errs.Code{"fradmin": errs.Forbidden, "kepoc": errs.Forbidden, "deadmin": errs.NotFound, "anon": errs.Unauthenticated} {
			if err := e.svc.Publish(ctx, e.who[who], bySec.ID, meeting.PublishInput{Summary: "x"}); !errs.Is(err, want) {
				t.Errorf("%s publishing: %v, want %v", who, err, want)
			}
		}
		if err := e.svc.Publish(ctx, sec, bySec.ID, meeting.PublishInput{Summary: "The meeting reviewed the checks.", Records: []string{clear.ID}}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Publish(ctx, e.who["keadmin"], byKE.ID, meeting.PublishInput{Summary: "KE and DE met."}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Published(ctx, anon, page.Request{Limit: 1})
		if err != nil || len(list.Items) != 1 || list.Next == "" {
			t.Fatalf("first page: %+v %v", list, err)
		}
		after, err := page.Decode(list.Next)
		if err != nil {
			t.Fatal(err)
		}
		rest, err := e.svc.Published(ctx, anon, page.Request{Limit: 1, After: after})
		if err != nil || len(rest.Items) != 1 || rest.Next != "" || rest.Items[0].MeetingID == list.Items[0].MeetingID {
			t.Fatalf("second page: %+v %v", rest, err)
		}
		p, err := e.svc.PublishedMeeting(ctx, anon, bySec.ID)
		if err != nil || p.Summary != "The meeting reviewed the checks." || len(p.Records) != 1 || p.Records[0].ID != clear.ID {
			t.Fatalf("published meeting: %+v %v", p, err)
		}
		if _, content, err := e.svc.PublishedFile(ctx, anon, clear.ID); err != nil || string(content) != "%PDF-1.4 public" {
			t.Errorf("published document: %v", err)
		}
		for _, r := range []meeting.Record{unchosen, amber} {
			if _, _, err := e.svc.PublishedFile(ctx, anon, r.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%q public: %v", r.Title, err)
			}
		}
		// A label raised above CLEAR takes the document off the page.
		if _, err := e.svc.EditRecord(ctx, sec, clear.ID, clear.Version, meeting.RecordInput{Title: clear.Title, TLP: tlp.Green}); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.PublishedMeeting(ctx, anon, bySec.ID); len(p.Records) != 0 {
			t.Error("a TLP:GREEN document stays on the public page")
		}
		if _, _, err := e.svc.PublishedFile(ctx, anon, clear.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a TLP:GREEN document public: %v", err)
		}
		if err := e.svc.Unpublish(ctx, sec, bySec.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PublishedMeeting(ctx, anon, bySec.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an unpublished meeting: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action IN ('meeting.publish', 'meeting.unpublish')`); n != 3 {
			t.Errorf("%d audited publications, want 3", n)
		}
		for _, id := range []string{"", "\x00", "not-a-uuid", strings.Repeat("f", 5000), upcoming.ID} {
			if _, err := e.svc.PublishedMeeting(ctx, anon, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("published meeting %q: %v", id, err)
			}
		}
		if _, err := e.svc.Published(ctx, anon, page.Request{Limit: 10, After: []string{"x"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("damaged cursor: %v", err)
		}
	})
}

// TestRecordsBadInput: every kind of bad input is a field error, and
// nothing is written.
func TestRecordsBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bySec, _ := e.met(t)
		minutes := func(title string, l tlp.Label, body string) meeting.RecordInput {
			return meeting.RecordInput{Title: title, TLP: l, Body: body}
		}
		file := func(name string, content []byte) meeting.RecordInput {
			return meeting.RecordInput{Title: "Document", TLP: tlp.Green, Files: upload(name, content)}
		}
		for _, tc := range []struct {
			name, field string
			kind        meeting.RecordKind
			in          meeting.RecordInput
		}{
			{"NUL in the title", "title", meeting.Minutes, minutes("Min\x00utes", tlp.Green, "text")},
			{"invalid UTF-8 in the title", "title", meeting.Minutes, minutes("Min\xffutes", tlp.Green, "text")},
			{"hidden character in the title", "title", meeting.Minutes, minutes("Minutes\u202Etxt.exe", tlp.Green, "text")},
			{"huge title", "title", meeting.Minutes, minutes(strings.Repeat("a", 100_000), tlp.Green, "text")},
			{"no title", "title", meeting.Minutes, minutes(" ", tlp.Green, "text")},
			{"NUL in the minutes", "body", meeting.Minutes, minutes("Minutes", tlp.Green, "a\x00b")},
			{"invalid UTF-8 in the minutes", "body", meeting.Minutes, minutes("Minutes", tlp.Green, "a\xc3\x28b")},
			{"hidden character in the minutes", "body", meeting.Minutes, minutes("Minutes", tlp.Green, "a\u200Bb")},
			{"huge minutes", "body", meeting.Minutes, minutes("Minutes", tlp.Green, strings.Repeat("word ", 50_000))},
			{"empty minutes", "body", meeting.Minutes, minutes("Minutes", tlp.Green, "")},
			{"unknown label", "tlp", meeting.Minutes, minutes("Minutes", "purple", "text")},
			{"label with a NUL", "tlp", meeting.Minutes, minutes("Minutes", "clear\x00", "text")},
			{"TLP:RED", "tlp", meeting.Minutes, minutes("Minutes", tlp.Red, "text")},
			{"no file", "attachments", meeting.Document, meeting.RecordInput{Title: "Document", TLP: tlp.Green}},
			{"two files", "attachments", meeting.Document, meeting.RecordInput{Title: "Document", TLP: tlp.Green,
				Files: append(upload("a.pdf", []byte("%PDF")), upload("b.pdf", []byte("%PDF"))...)}},
			{"a program by content", "attachments", meeting.Document, file("report.pdf", []byte("MZ\x90\x00program"))},
			{"a program by name", "attachments", meeting.Document, file("report.js", []byte("alert(1)"))},
			{"a disguised name", "attachments", meeting.Document, file("report\u202Efdp.exe", []byte("%PDF"))},
			{"an empty file", "attachments", meeting.Document, file("empty.pdf", nil)},
			{"a file too large", "attachments", meeting.Document, file("big.pdf", make([]byte, 10<<20+1))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.AddRecord(ctx, e.who["sec"], bySec.ID, tc.kind, tc.in)
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("%v, want a field error", err)
				}
				if f := errs.FieldsOf(err); f[tc.field] == "" {
					t.Errorf("errors %v, want one for %s", f, tc.field)
				}
			})
		}
		for _, tc := range []struct{ name, summary string }{
			{"NUL in the summary", "a\x00b"}, {"invalid UTF-8 in the summary", "\xff"}, {"hidden character in the summary", "a\u2066b"},
			{"huge summary", strings.Repeat("a", 6_000)}, {"empty summary", "  "},
		} {
			err := e.svc.Publish(ctx, e.who["sec"], bySec.ID, meeting.PublishInput{Summary: tc.summary})
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["summary"] == "" {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		if err := e.svc.Publish(ctx, e.who["sec"], bySec.ID, meeting.PublishInput{Summary: "ok", Records: []string{"\x00", "nope"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("publishing unknown records: %v", err)
		}
		if n := e.count(t, `SELECT (SELECT COUNT(*) FROM meeting_records) + (SELECT COUNT(*) FROM meeting_publications) +
			(SELECT COUNT(*) FROM audit_log WHERE action LIKE 'meeting.record%' OR action LIKE 'meeting.publish%')`); n != 0 {
			t.Errorf("bad input wrote %d rows", n)
		}
		// A NUL in a file's name is dropped, as for a communication's
		// attachment: the name kept is clean.
		r := e.record(t, "sec", bySec.ID, meeting.Document, file("a\x00b.pdf", []byte("%PDF")))
		if strings.ContainsRune(r.File.Name+r.File.OriginalName, 0) || r.File.Name != "ab.pdf" {
			t.Errorf("a name with a NUL is kept as %q (%q)", r.File.Name, r.File.OriginalName)
		}
		for _, id := range []string{"", "\x00", "not-a-uuid", strings.Repeat("9", 5000), bySec.ID} {
			if _, _, _, err := e.svc.Record(ctx, e.who["sec"], id); !errs.Is(err, errs.NotFound) {
				t.Errorf("record %q: %v", id, err)
			}
			if _, _, err := e.svc.PublishedFile(ctx, actor.Anonymous, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("published file %q: %v", id, err)
			}
		}
	})
}

// TestPublicListStatements holds the cost of a page of the public list
// fixed: as many statements for 3 published meetings as for 12.
func TestPublicListStatements(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			var made []meeting.Meeting
			for range 12 {
				made = append(made, e.create(t, "sec", e.input("KE")))
			}
			e.clock.Advance(8 * 24 * time.Hour)
			cost := func(want int) int64 {
				before := n.Load()
				p, err := e.svc.Published(ctx, actor.Anonymous, page.Request{Limit: 50})
				if err != nil || len(p.Items) != want {
					t.Fatalf("%d published meetings listed, want %d: %v", len(p.Items), want, err)
				}
				return n.Load() - before
			}
			for _, m := range made[:3] {
				if err := e.svc.Publish(ctx, e.who["sec"], m.ID, meeting.PublishInput{Summary: "Outcome"}); err != nil {
					t.Fatal(err)
				}
			}
			few := cost(3)
			for _, m := range made[3:] {
				if err := e.svc.Publish(ctx, e.who["sec"], m.ID, meeting.PublishInput{Summary: "Outcome"}); err != nil {
					t.Fatal(err)
				}
			}
			if many := cost(12); many != few {
				t.Errorf("%d statements for 12 meetings, %d for 3", many, few)
			}
		})
	}
}
