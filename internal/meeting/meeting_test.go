package meeting_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/ical/icaltest"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// mailbox records what the service asks to mail, as notify would.
type mailbox struct {
	mu    sync.Mutex
	mails []sent
}

type sent struct {
	meeting meeting.Meeting
	mail    meeting.Mail
}

func (b *mailbox) EnqueueMeetingMails(_ context.Context, _ *sql.Tx, m meeting.Meeting, mails []meeting.Mail) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ml := range mails {
		b.mails = append(b.mails, sent{m, ml})
	}
	return nil
}

// take returns and forgets what was mailed.
func (b *mailbox) take() []sent {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.mails
	b.mails = nil
	return out
}

// env: FR, KE and DE participate, NZ does not. FR has an administrator, a
// technical POC whose entry is linked to the account frpoc and a viewer;
// KE an administrator, a technical POC linked to kepoc, a policy POC and a
// POC account linked to no entry (kepoc2); DE a technical POC linked to
// depoc and an administrator; NZ an account.
type env struct {
	db    *store.DB
	svc   *meeting.Service
	clock *clock.Fixed
	jobs  *jobs.Queue
	box   *mailbox
	who   map[string]actor.Actor
	pocs  map[string]string // entry name → POC id
}

var everyone = []string{"anon", "sec", "fradmin", "frpoc", "frviewer", "keadmin", "kepoc", "kepoc2", "deadmin", "depoc", "nzpoc"}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	log := audit.New(db, c)
	cfg := access.DefaultConfig()
	cfg.Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}
	acc := access.New(db, log, c, cfg)
	dir := directory.New(db, log, c, directory.DefaultConfig(), access.NewSystem(acc))
	if err := dir.SyncStates(ctx); err != nil {
		t.Fatal(err)
	}
	since := c.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE", "DE"} {
		if err := dir.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{db: db, clock: c, box: &mailbox{}, who: map[string]actor.Actor{"anon": actor.Anonymous}, pocs: map[string]string{}}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{
		{"sec", actor.Secretariat, ""}, {"fradmin", actor.StateAdmin, "FR"}, {"frpoc", actor.POC, "FR"}, {"frviewer", actor.Viewer, "FR"},
		{"keadmin", actor.StateAdmin, "KE"}, {"kepoc", actor.POC, "KE"}, {"kepoc2", actor.POC, "KE"}, {"deadmin", actor.StateAdmin, "DE"}, {"depoc", actor.POC, "DE"}, {"nzpoc", actor.POC, "NZ"},
	} {
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		e.who[x.key] = a.Actor()
	}
	for _, p := range []struct {
		name, state, admin, account string
		level                       directory.Level
	}{
		{"fr-tech", "FR", "fradmin", "frpoc", directory.Technical},
		{"ke-tech", "KE", "keadmin", "kepoc", directory.Technical},
		{"ke-policy", "KE", "keadmin", "", directory.Policy},
		{"de-tech", "DE", "deadmin", "depoc", directory.Technical},
	} {
		admin := e.who[p.admin]
		in := directory.POCInput{Level: p.level, FunctionTitle: "Duty officer " + p.name, Organisation: "CERT",
			Emails: []string{p.name + "@cert.test.invalid"}, Phones: []string{"+41 22 000 0000"}, Languages: []string{"en"},
			TimeZone: "Europe/Zurich", Availability: directory.Always}
		if p.account != "" {
			in.AccountID = e.who[p.account].AccountID
		}
		poc, err := dir.Nominate(ctx, admin, p.state, in)
		if err != nil {
			t.Fatalf("nominate %s: %v", p.name, err)
		}
		e.pocs[p.name] = poc.ID
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	e.svc = meeting.New(db, log, c, cat, directory.NewSystem(dir), access.NewSystem(acc), e.box, meeting.Config{BaseURL: "https://detente.test.invalid"})
	e.jobs = jobs.NewQueue(db, c, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
	e.svc.Register(e.jobs)
	return e
}

// run performs the jobs due now.
func (e *env) run(t testing.TB) {
	t.Helper()
	if _, err := e.jobs.RunDue(context.Background(), 20); err != nil {
		t.Fatal(err)
	}
}

// input is a hybrid meeting a week ahead in Geneva, inviting to.
func (e *env) input(to ...string) meeting.Input {
	geneva, _ := time.LoadLocation("Europe/Zurich")
	day := e.clock.Now().AddDate(0, 0, 7)
	return meeting.Input{
		Title: "Regular meeting of points of contact", Kind: meeting.Hybrid,
		Start: time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, geneva), End: time.Date(day.Year(), day.Month(), day.Day(), 13, 0, 0, 0, geneva),
		TimeZone: "Europe/Zurich", Venue: "Palais des Nations, Room XVII", VideoURL: "https://video.test.invalid/room/4711",
		Agenda: []meeting.AgendaItem{{Title: "Communication checks", Provisions: []string{"cbm-1"}},
			{Title: "Requests for assistance", Notes: "Experience with norm 13(h)", Provisions: []string{"norm-h"}}},
		States: to, Levels: []meeting.Level{meeting.Technical},
		Contact: meeting.Contact{Name: "Secretariat", Email: "meetings@secretariat.test.invalid"},
	}
}

func (e *env) create(t testing.TB, who string, in meeting.Input) meeting.Meeting {
	t.Helper()
	m, err := e.svc.Create(context.Background(), e.who[who], in)
	if err != nil {
		t.Fatalf("create as %s: %v", who, err)
	}
	return m
}

func ids(ms []meeting.Meeting) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// TestWhoSeesAMeeting creates a meeting of the secretariat inviting FR and
// KE at the technical level and one of KE inviting DE, mails the
// invitations, and asks every reading method as every audience: who sees
// each meeting, and who sees its venue and video link, against a written
// specification.
func TestWhoSeesAMeeting(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		bySec := e.create(t, "sec", e.input("FR", "KE"))
		in := e.input("DE")
		in.Contact.Email = "meetings@ke.test.invalid"
		byKE := e.create(t, "keadmin", in)
		e.run(t)
		spec := map[string]struct {
			sees, private []string
		}{
			bySec.ID: {sees: []string{"sec", "fradmin", "frpoc", "frviewer", "keadmin", "kepoc", "kepoc2"}, private: []string{"sec", "frpoc", "kepoc"}},
			byKE.ID:  {sees: []string{"keadmin", "kepoc", "kepoc2", "deadmin", "depoc"}, private: []string{"keadmin", "kepoc", "kepoc2", "depoc"}},
		}
		for _, who := range everyone {
			a := e.who[who]
			up, uerr := e.svc.Upcoming(ctx, a, page.First())
			past, perr := e.svc.Past(ctx, a, page.First())
			if who == "anon" {
				if !errs.Is(uerr, errs.Unauthenticated) || !errs.Is(perr, errs.Unauthenticated) {
					t.Errorf("anonymous lists: %v %v", uerr, perr)
				}
			} else if uerr != nil || perr != nil {
				t.Fatalf("%s: %v %v", who, uerr, perr)
			}
			if len(past.Items) != 0 {
				t.Errorf("%s: %d past meetings", who, len(past.Items))
			}
			for id, s := range spec {
				sees, private := slices.Contains(s.sees, who), slices.Contains(s.private, who)
				m, err := e.svc.Meeting(ctx, a, id)
				switch {
				case who == "anon":
					if !errs.Is(err, errs.Unauthenticated) {
						t.Errorf("anonymous reads a meeting: %v", err)
					}
				case !sees:
					if !errs.Is(err, errs.NotFound) {
						t.Errorf("%s reads meeting %s: %v, want not found", who, id, err)
					}
				case err != nil:
					t.Fatalf("%s: %v", who, err)
				}
				if slices.Contains(ids(up.Items), id) != (sees && who != "anon") {
					t.Errorf("%s lists meeting %s: %v, want %v", who, id, !sees, sees)
				}
				for _, got := range append(slices.DeleteFunc(slices.Clone(up.Items), func(x meeting.Meeting) bool { return x.ID != id }), m) {
					if got.ID == "" {
						continue
					}
					if shown := got.Venue != "" || got.VideoURL != ""; shown != private || got.Private != private {
						t.Errorf("%s sees the venue and link of %s: %v, want %v", who, id, shown, private)
					}
					if !private && (strings.Contains(got.Venue, "Palais") || strings.Contains(got.VideoURL, "4711")) {
						t.Errorf("%s: the venue or link leaks", who)
					}
				}
				invs, err := e.svc.Invitations(ctx, a, id)
				if sees && err != nil || !sees && err == nil {
					t.Errorf("%s invitations of %s: %v", who, id, err)
				}
				for _, i := range invs {
					if a.State != "" && i.State != a.State && a.State != (map[string]string{bySec.ID: "", byKE.ID: "KE"})[id] {
						t.Errorf("%s sees an invitation of %s", who, i.State)
					}
				}
			}
		}
		for who, want := range map[string]bool{"sec": true, "fradmin": true, "keadmin": true, "frpoc": false, "frviewer": false, "nzpoc": false, "anon": false} {
			if err := e.svc.CanOrganise(ctx, e.who[who]); (err == nil) != want {
				t.Errorf("%s may organise: %v, want %v", who, err, want)
			}
		}
		if _, err := e.svc.Cancel(ctx, e.who["fradmin"], bySec.ID, bySec.Version); !errs.Is(err, errs.Forbidden) {
			t.Errorf("FR's administrator cancels the secretariat's meeting: %v", err)
		}
		if _, err := e.svc.Cancel(ctx, e.who["sec"], byKE.ID, byKE.Version); !errs.Is(err, errs.NotFound) {
			t.Errorf("the secretariat cancels KE's meeting: %v", err)
		}
	})
}

func kinds(ss []sent) map[meeting.MailKind][]string {
	out := map[meeting.MailKind][]string{}
	for _, s := range ss {
		out[s.mail.Kind] = append(out[s.mail.Kind], s.mail.POC.ID)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// TestEditSequenceAndCancel follows a meeting through its changes: what
// each change mails to whom, and the SEQUENCE each mail carries.
func TestEditSequenceAndCancel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		sec := e.who["sec"]
		in := e.input("FR", "KE")
		m := e.create(t, "sec", in)
		e.run(t)
		both := []string{e.pocs["fr-tech"], e.pocs["ke-tech"]}
		slices.Sort(both)
		got := e.box.take()
		if k := kinds(got); !slices.Equal(k[meeting.MailInvite], both) || len(k) != 1 || got[0].meeting.Sequence != 0 {
			t.Fatalf("creation mails %v at sequence %d", k, got[0].meeting.Sequence)
		}
		// A new contact person does not matter to calendars: no mail.
		in.Contact.Name = "Meetings team"
		m, err := e.svc.Edit(ctx, sec, m.ID, m.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if m.Sequence != 0 || len(e.box.take()) != 0 {
			t.Errorf("a new contact name: sequence %d", m.Sequence)
		}
		// A stale version is a conflict and changes nothing.
		if _, err := e.svc.Edit(ctx, sec, m.ID, m.Version-1, in); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale edit: %v", err)
		}
		// A later start: an update to both, at sequence 1.
		in.Start, in.End = in.Start.Add(time.Hour), in.End.Add(time.Hour)
		if m, err = e.svc.Edit(ctx, sec, m.ID, m.Version, in); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		got = e.box.take()
		if k := kinds(got); m.Sequence != 1 || !slices.Equal(k[meeting.MailUpdate], both) || len(k) != 1 || got[0].meeting.Sequence != 1 {
			t.Errorf("a later start: sequence %d, mails %v", m.Sequence, k)
		}
		// The agenda changes and FR is taken off: KE gets the update at
		// 2, FR a cancellation.
		in.Agenda = append(in.Agenda, meeting.AgendaItem{Title: "Any other business"})
		in.States = []string{"KE"}
		if m, err = e.svc.Edit(ctx, sec, m.ID, m.Version, in); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		k := kinds(e.box.take())
		if m.Sequence != 2 || !slices.Equal(k[meeting.MailUpdate], []string{e.pocs["ke-tech"]}) || !slices.Equal(k[meeting.MailCancel], []string{e.pocs["fr-tech"]}) {
			t.Errorf("agenda and States changed: sequence %d, mails %v", m.Sequence, k)
		}
		if _, err := e.svc.Meeting(ctx, e.who["frpoc"], m.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("FR, no longer invited, reads the meeting: %v", err)
		}
		if now, err := e.svc.Meeting(ctx, sec, m.ID); err != nil || now.Counts.Invited != 1 {
			t.Errorf("%d invited (%v), want 1", now.Counts.Invited, err)
		}
		// Every level: KE's policy POC is invited at the same sequence.
		in.Levels = nil
		if m, err = e.svc.Edit(ctx, sec, m.ID, m.Version, in); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if k := kinds(e.box.take()); m.Sequence != 2 || !slices.Equal(k[meeting.MailInvite], []string{e.pocs["ke-policy"]}) || len(k) != 1 {
			t.Errorf("every level: sequence %d, mails %v", m.Sequence, k)
		}
		// Cancelled: a cancellation to both KE POCs, at sequence 3.
		if m, err = e.svc.Cancel(ctx, sec, m.ID, m.Version); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		got = e.box.take()
		ke := []string{e.pocs["ke-tech"], e.pocs["ke-policy"]}
		slices.Sort(ke)
		if k := kinds(got); m.Status != meeting.Cancelled || m.Sequence != 3 || !slices.Equal(k[meeting.MailCancel], ke) || len(k) != 1 || got[0].meeting.Sequence != 3 {
			t.Errorf("cancelled: %s at sequence %d, mails %v", m.Status, m.Sequence, k)
		}
		if _, err := e.svc.Cancel(ctx, sec, m.ID, m.Version); !errs.Is(err, errs.Conflict) {
			t.Errorf("cancelled twice: %v", err)
		}
		if _, err := e.svc.Edit(ctx, sec, m.ID, m.Version, in); !errs.Is(err, errs.Conflict) {
			t.Errorf("a cancelled meeting edited: %v", err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = $1 AND action IN ('meeting.create', 'meeting.edit', 'meeting.cancel')`, m.ID).Scan(&n); err != nil || n != 6 {
			t.Errorf("%d audit entries of changes (%v), want 6", n, err)
		}
	})
}

// TestAnswers: an invited POC answers through its mailed link once; a
// wrong, used or replaced link is not found; a person answers from the
// account linked to an invited POC, and no one else can.
func TestAnswers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.input("FR", "KE")
		m := e.create(t, "sec", in)
		e.run(t)
		tokens := map[string]string{}
		for _, s := range e.box.take() {
			tokens[s.mail.POC.ID] = s.mail.Token
		}
		ke := tokens[e.pocs["ke-tech"]]
		if got, inv, err := e.svc.Invitation(ctx, ke); err != nil || got.Venue == "" || inv.POCID != e.pocs["ke-tech"] {
			t.Fatalf("the link's page: %v", err)
		}
		if _, err := e.svc.RespondByToken(ctx, ke, "maybe", "192.0.2.1"); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown answer: %v", err)
		}
		got, err := e.svc.RespondByToken(ctx, ke, meeting.Accepted, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Counts.Accepted != 1 || got.Counts.Invited != 2 {
			t.Errorf("counts %+v", got.Counts)
		}
		for name, tok := range map[string]string{"used": ke, "wrong": "not-a-token", "empty": "", "NUL": "a\x00b"} {
			if _, err := e.svc.RespondByToken(ctx, tok, meeting.Declined, "192.0.2.1"); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s link: %v, want not found", name, err)
			}
		}
		// An update mails a fresh link; the old one stops working.
		fr := tokens[e.pocs["fr-tech"]]
		in.Venue = "Palais Wilson"
		if _, err := e.svc.Edit(ctx, e.who["sec"], m.ID, m.Version, in); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if _, err := e.svc.RespondByToken(ctx, fr, meeting.Declined, "192.0.2.1"); !errs.Is(err, errs.NotFound) {
			t.Errorf("a replaced link: %v", err)
		}
		// From the account: kepoc answers for KE's technical POC.
		got, err = e.svc.Respond(ctx, e.who["kepoc"], m.ID, meeting.Tentative)
		if err != nil {
			t.Fatal(err)
		}
		if got.MyAnswer != meeting.Tentative || got.Counts.Tentative != 1 || got.Counts.Accepted != 0 {
			t.Errorf("after kepoc's answer: %s %+v", got.MyAnswer, got.Counts)
		}
		for who, code := range map[string]errs.Code{"kepoc2": errs.Forbidden, "keadmin": errs.Forbidden, "frviewer": errs.Forbidden, "depoc": errs.NotFound, "anon": errs.Unauthenticated} {
			if _, err := e.svc.Respond(ctx, e.who[who], m.ID, meeting.Accepted); !errs.Is(err, code) {
				t.Errorf("%s answers: %v, want %s", who, err, code)
			}
		}
		// Over: no more answers.
		e.clock.Advance(30 * 24 * time.Hour)
		if _, err := e.svc.Respond(ctx, e.who["frpoc"], m.ID, meeting.Accepted); !errs.Is(err, errs.Conflict) {
			t.Errorf("an answer after the meeting: %v", err)
		}
		past, err := e.svc.Past(ctx, e.who["frpoc"], page.First())
		if err != nil || !slices.Equal(ids(past.Items), []string{m.ID}) {
			t.Errorf("past meetings %v %v", ids(past.Items), err)
		}
	})
}

// TestReminder: the reminder goes a day before to those who have not
// declined; a meeting moved meanwhile is reminded at its new time only.
func TestReminder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.input("FR", "KE")
		m := e.create(t, "sec", in)
		e.run(t)
		e.box.take()
		if _, err := e.svc.Respond(ctx, e.who["frpoc"], m.ID, meeting.Declined); err != nil {
			t.Fatal(err)
		}
		in.Start, in.End = in.Start.Add(24*time.Hour), in.End.Add(24*time.Hour)
		m, err := e.svc.Edit(ctx, e.who["sec"], m.ID, m.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		e.box.take()
		e.clock.Set(m.Start.Add(-24*time.Hour - time.Minute))
		e.run(t)
		if n := len(e.box.take()); n != 0 {
			t.Errorf("%d reminders before time (the old start's included)", n)
		}
		e.clock.Set(m.Start.Add(-24 * time.Hour))
		e.run(t)
		if k := kinds(e.box.take()); !slices.Equal(k[meeting.MailReminder], []string{e.pocs["ke-tech"]}) || len(k) != 1 {
			t.Errorf("reminders %v", k)
		}
	})
}

// TestFeed: a person's private feed lists their meetings, with the venue
// only where they may see it; a new address replaces the old, and a
// revoked one is not found.
func TestFeed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := e.create(t, "sec", e.input("FR", "KE"))
		e.run(t)
		feed := func(who string) string {
			tok, err := e.svc.FeedToken(ctx, e.who[who])
			if err != nil {
				t.Fatal(err)
			}
			out, err := e.svc.Feed(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := icaltest.Read(out); err != nil {
				t.Fatalf("the strict reader refuses %s's feed: %v\n%s", who, err, out)
			}
			return strings.ReplaceAll(string(out), "\r\n ", "")
		}
		if f := feed("kepoc"); !strings.Contains(f, "UID:"+m.ID) || !strings.Contains(f, "LOCATION:Palais des Nations") || !strings.Contains(f, "METHOD:PUBLISH") {
			t.Errorf("kepoc's feed:\n%s", f)
		}
		if f := feed("kepoc2"); !strings.Contains(f, "UID:"+m.ID) || strings.Contains(f, "Palais") || strings.Contains(f, "4711") {
			t.Errorf("kepoc2's feed shows the venue or misses the meeting:\n%s", f)
		}
		if f := feed("depoc"); strings.Contains(f, m.ID) {
			t.Errorf("DE's feed lists the meeting")
		}
		if _, err := e.svc.FeedToken(ctx, actor.Anonymous); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous feed: %v", err)
		}
		old, _ := e.svc.FeedToken(ctx, e.who["frpoc"])
		cur, _ := e.svc.FeedToken(ctx, e.who["frpoc"])
		if _, err := e.svc.Feed(ctx, old); !errs.Is(err, errs.NotFound) {
			t.Errorf("a replaced feed address: %v", err)
		}
		if err := e.svc.RevokeFeed(ctx, e.who["frpoc"]); err != nil {
			t.Fatal(err)
		}
		for name, tok := range map[string]string{"revoked": cur, "wrong": "x", "invalid": "\xff"} {
			if _, err := e.svc.Feed(ctx, tok); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s feed address: %v", name, err)
			}
		}
	})
}

// TestBadInput: each bad field gets its error, and nothing is written.
func TestBadInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name, field string
			edit        func(*meeting.Input)
		}{
			{"NUL in the title", "title", func(in *meeting.Input) { in.Title = "POC\x00meeting" }},
			{"invalid UTF-8 in the venue", "venue", func(in *meeting.Input) { in.Venue = "Palais \xff\xfe" }},
			{"hidden character in the title", "title", func(in *meeting.Input) { in.Title = "Meeting\u202Eevil" }},
			{"hidden character in agenda notes", "agenda.0.notes", func(in *meeting.Input) { in.Agenda[0].Notes = "x\u200By" }},
			{"no title", "title", func(in *meeting.Input) { in.Title = "  " }},
			{"huge title", "title", func(in *meeting.Input) { in.Title = strings.Repeat("a", 10_000) }},
			{"end before start", "end", func(in *meeting.Input) { in.End = in.Start.Add(-time.Hour) }},
			{"three weeks long", "end", func(in *meeting.Input) { in.End = in.Start.Add(21 * 24 * time.Hour) }},
			{"unknown time zone", "time_zone", func(in *meeting.Input) { in.TimeZone = "Mars/Olympus_Mons" }},
			{"time zone with a NUL", "time_zone", func(in *meeting.Input) { in.TimeZone = "Europe/\x00Zurich" }},
			{"year 99999", "start", func(in *meeting.Input) {
				in.Start, in.End = time.Date(99999, 1, 1, 9, 0, 0, 0, time.UTC), time.Date(99999, 1, 1, 10, 0, 0, 0, time.UTC)
			}},
			{"in the past", "start", func(in *meeting.Input) { in.Start, in.End = in.Start.AddDate(-1, 0, 0), in.End.AddDate(-1, 0, 0) }},
			{"no start", "start", func(in *meeting.Input) { in.Start = time.Time{} }},
			{"unknown kind", "kind", func(in *meeting.Input) { in.Kind = "telepathy" }},
			{"video link not https", "video_url", func(in *meeting.Input) { in.VideoURL = "http://video.test.invalid/x" }},
			{"video link javascript", "video_url", func(in *meeting.Input) { in.VideoURL = "javascript:alert(1)" }},
			{"virtual without link", "video_url", func(in *meeting.Input) { in.Kind, in.VideoURL = meeting.Virtual, "" }},
			{"in person without venue", "venue", func(in *meeting.Input) { in.Kind, in.Venue = meeting.InPerson, "" }},
			{"unknown provision", "agenda.1.provisions", func(in *meeting.Input) { in.Agenda[1].Provisions = []string{"norm-z"} }},
			{"too many agenda items", "agenda", func(in *meeting.Input) { in.Agenda = make([]meeting.AgendaItem, 51) }},
			{"unknown State", "states", func(in *meeting.Input) { in.States = []string{"XX"} }},
			{"State not participating", "states", func(in *meeting.Input) { in.States = []string{"NZ"} }},
			{"State with a NUL", "states", func(in *meeting.Input) { in.States = []string{"K\x00E"} }},
			{"nobody invited", "states", func(in *meeting.Input) { in.States = nil }},
			{"unknown group", "groups", func(in *meeting.Input) { in.Groups = []string{"Martian"} }},
			{"unknown level", "levels", func(in *meeting.Input) { in.Levels = []meeting.Level{"consular"} }},
			{"bad contact address", "contact_email", func(in *meeting.Input) { in.Contact.Email = "not an address" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := e.input("KE")
				tc.edit(&in)
				_, err := e.svc.Create(ctx, e.who["sec"], in)
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("%v, want a field error", err)
				}
				if f := errs.FieldsOf(err); f[tc.field] == "" {
					t.Errorf("errors %v, want one for %s", f, tc.field)
				}
			})
		}
		var meetings, queued int
		if err := db.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM meetings), (SELECT COUNT(*) FROM jobs)`).Scan(&meetings, &queued); err != nil {
			t.Fatal(err)
		}
		if meetings != 0 || queued != 0 {
			t.Errorf("%d meetings and %d jobs written by bad input", meetings, queued)
		}
		// An edit with bad input changes nothing either.
		m := e.create(t, "sec", e.input("KE"))
		bad := e.input("KE")
		bad.End = bad.Start
		if _, err := e.svc.Edit(ctx, e.who["sec"], m.ID, m.Version, bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad edit: %v", err)
		}
		if got, _ := e.svc.Meeting(ctx, e.who["sec"], m.ID); got.Version != m.Version || !got.End.Equal(m.End) {
			t.Errorf("a refused edit changed the meeting")
		}
		for _, id := range []string{"", "not-a-uuid", "\x00", strings.Repeat("9", 5000)} {
			if _, err := e.svc.Meeting(ctx, e.who["sec"], id); !errs.Is(err, errs.NotFound) {
				t.Errorf("meeting %q: %v", id, err)
			}
		}
		if _, err := e.svc.Upcoming(ctx, e.who["sec"], page.Request{Limit: 10, After: []string{"x"}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("damaged cursor: %v", err)
		}
	})
}

// TestPageStatements holds the cost of a page of the list fixed: as many
// statements for 5 meetings as for 30.
func TestPageStatements(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			if engine == store.Postgres {
				storetest.RequirePostgres(t)
			}
			db, n := storetest.OpenCounting(t, engine)
			e := newEnv(t, db)
			ctx := context.Background()
			cost := func() int64 {
				before := n.Load()
				p, err := e.svc.Upcoming(ctx, e.who["kepoc"], page.Request{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) == 0 || p.Items[0].Venue == "" {
					t.Fatal("the page lacks its meetings or their venue")
				}
				return n.Load() - before
			}
			for range 5 {
				e.create(t, "sec", e.input("KE"))
			}
			e.run(t)
			few := cost()
			for range 25 {
				e.create(t, "sec", e.input("KE", "FR"))
			}
			e.run(t)
			if many := cost(); many != few {
				t.Errorf("%d statements for 30 meetings, %d for 5", many, few)
			}
		})
	}
}
