package notify_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/gpgtest"
	"github.com/detente/detente/internal/jobs"
	dmail "github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type world struct {
	app   *app.App
	smtp  *smtptest.Server
	clock *clock.Fixed
	frpoc actor.Actor
	kepoc actor.Actor
	gpg   *gpgtest.Home
}

func openApp(t *testing.T, dsn string, c clock.Clock, srv *smtptest.Server, jo jobs.Options) *app.App {
	t.Helper()
	return openAppLogging(t, dsn, c, srv, jo, quiet)
}

// openAppLogging is openApp with a logger of the test's own and further
// server flags.
func openAppLogging(t *testing.T, dsn string, c clock.Clock, srv *smtptest.Server, jo jobs.Options, log *slog.Logger, flags ...string) *app.App {
	t.Helper()
	cfg, err := config.Parse("test", append([]string{"-base-url", "https://detente.test.invalid"}, flags...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = dsn
	sender := &dmail.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: dmail.NoTLS, Timeout: 5 * time.Second}
	t.Cleanup(func() { sender.Close() })
	a, err := app.Open(context.Background(), cfg, log, app.Options{Clock: c, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}, Mail: sender, Jobs: jo})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// newWorld: FR and KE participate. KE has two technical POCs (one with an
// OpenPGP key made by gpg) and a policy POC; FR a technical POC.
func newWorld(t *testing.T, engine store.Engine) *world {
	t.Helper()
	ctx := context.Background()
	// The clock starts now: gpg dates its keys by the wall clock.
	w := &world{clock: clock.NewFixed(time.Now().UTC().Truncate(time.Second)), smtp: smtptest.Start(t, smtptest.Options{})}
	w.gpg = gpgtest.NewKey(t, "KE CIRT duty <keyed@cirt.ke.test.invalid>")
	w.app = openApp(t, storetest.DSN(t, engine), w.clock, w.smtp, jobs.Options{Backoff: func(int) time.Duration { return time.Minute }})
	a := w.app
	since := w.clock.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE"} {
		if err := a.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(email string, role actor.Role, state string) actor.Actor {
		acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: email, Role: role, State: state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return acc.Actor()
	}
	w.frpoc, w.kepoc = mk("poc@fr.test.invalid", actor.POC, "FR"), mk("poc@ke.test.invalid", actor.POC, "KE")
	keadmin := mk("admin@ke.test.invalid", actor.StateAdmin, "KE")
	nominate := func(admin actor.Actor, lv directory.Level, email, key string) {
		_, err := a.Directory.Nominate(ctx, admin, admin.State, directory.POCInput{Level: lv, FunctionTitle: "Duty " + email, Organisation: "CIRT",
			Emails: []string{email}, Phones: []string{"+254 20 000 0000"}, Languages: []string{"en"}, TimeZone: "Africa/Nairobi", Availability: directory.Always, PGPKey: key})
		if err != nil {
			t.Fatal(err)
		}
	}
	nominate(keadmin, directory.Technical, "keyed@cirt.ke.test.invalid", w.gpg.Armored)
	nominate(keadmin, directory.Technical, "plain@cirt.ke.test.invalid", "")
	nominate(keadmin, directory.Policy, "policy@ict.ke.test.invalid", "")
	return w
}

// drain runs due jobs until none are left.
func (w *world) drain(t *testing.T) {
	t.Helper()
	if _, err := w.app.Jobs.RunDue(context.Background(), 50); err != nil {
		t.Fatal(err)
	}
}

func (w *world) send(t *testing.T, subject string) messaging.Message {
	t.Helper()
	m, err := w.app.Messaging.Send(context.Background(), w.frpoc, messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"},
		Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber, Subject: subject, Body: "C2 at 203.0.113.7; wiper hash 9f86d081.",
		Fields: map[string]string{"impact": "two substations offline", "status": "ongoing"}, AckRequested: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func byRecipient(msgs []smtptest.Message) map[string][]smtptest.Message {
	out := map[string][]smtptest.Message{}
	for _, m := range msgs {
		for _, to := range m.To {
			out[to] = append(out[to], m)
		}
	}
	return out
}

func encryptedPart(t *testing.T, raw []byte) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	if _, err := mr.NextPart(); err != nil {
		t.Fatal(err)
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p)
	return b
}

func TestMessageReachesPOCsBySMTPAndIsAcknowledged(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		m := w.send(t, "Wiper at a grid operator")
		w.drain(t)

		got := byRecipient(w.smtp.Messages())
		if len(got["keyed@cirt.ke.test.invalid"]) != 1 || len(got["plain@cirt.ke.test.invalid"]) != 1 {
			t.Fatalf("mails by recipient: %v", keys(got))
		}
		if len(got["policy@ict.ke.test.invalid"]) != 0 {
			t.Error("a technical-level message reached the policy POC")
		}
		// The POC with a key gets the full text, encrypted; gpg reads it.
		enc := got["keyed@cirt.ke.test.invalid"][0]
		if bytes.Contains(enc.Data, []byte("203.0.113.7")) || bytes.Contains(enc.Data, []byte("Wiper at a grid")) {
			t.Error("the encrypted mail shows content on the wire")
		}
		plain := string(w.gpg.Decrypt(encryptedPart(t, enc.Data)))
		if !strings.Contains(plain, "203.0.113.7") || !strings.Contains(plain, "Wiper at a grid operator") {
			t.Errorf("decrypted mail lacks the content:\n%s", plain)
		}
		// The POC without a key gets only a notice: TLP:AMBER never travels in clear.
		notice := got["plain@cirt.ke.test.invalid"][0]
		for _, secret := range []string{"203.0.113.7", "Wiper", "substations"} {
			if bytes.Contains(notice.Data, []byte(secret)) {
				t.Errorf("the plain notice carries %q", secret)
			}
		}
		if !strings.Contains(bodyText(t, notice.Data), "https://detente.test.invalid/threads/"+m.ThreadID) {
			t.Error("the notice does not say where to read the message")
		}

		fr, _ := w.app.Messaging.Message(ctx, w.frpoc, m.ID)
		if fr.Deliveries[0].Status != messaging.Delivered {
			t.Fatalf("delivery %s, want delivered", fr.Deliveries[0].Status)
		}
		if err := w.app.Messaging.Acknowledge(ctx, w.kepoc, m.ID); err != nil {
			t.Fatal(err)
		}
		fr, _ = w.app.Messaging.Message(ctx, w.frpoc, m.ID)
		if fr.Deliveries[0].Status != messaging.Acknowledged || fr.Deliveries[0].AcknowledgedBy != "poc@ke.test.invalid" {
			t.Fatalf("FR sees %+v", fr.Deliveries[0])
		}
		// Acknowledged in time: the reminder and the escalation do nothing.
		before := len(w.smtp.Messages())
		w.clock.Advance(3 * time.Hour)
		w.drain(t)
		if len(w.smtp.Messages()) != before {
			t.Error("an acknowledged message was reminded or escalated")
		}
	})
}

func TestMissedDeadlineEscalates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine)
		ctx := context.Background()
		m := w.send(t, "Nobody answers")
		w.drain(t)
		first := len(w.smtp.Messages())

		w.clock.Advance(95 * time.Minute) // past three quarters of the 2 h window
		w.drain(t)
		reminders := byRecipient(w.smtp.Messages()[first:])
		if len(reminders["plain@cirt.ke.test.invalid"]) != 1 || len(reminders["policy@ict.ke.test.invalid"]) != 0 {
			t.Fatalf("reminders: %v", keys(reminders))
		}
		afterReminders := len(w.smtp.Messages())

		w.clock.Advance(30 * time.Minute) // past the deadline
		w.drain(t)
		escalations := byRecipient(w.smtp.Messages()[afterReminders:])
		if len(escalations["policy@ict.ke.test.invalid"]) != 1 {
			t.Fatalf("the other level was not alerted: %v", keys(escalations))
		}
		fr, events, err := w.app.Messaging.Thread(ctx, w.frpoc, m.ThreadID)
		if err != nil {
			t.Fatal(err)
		}
		if fr[0].Deliveries[0].EscalatedAt == nil {
			t.Fatal("the sender does not see the escalation on the delivery")
		}
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		if !strings.Contains(strings.Join(kinds, ","), "reminded") || !strings.Contains(strings.Join(kinds, ","), "escalated") {
			t.Fatalf("timeline %v", kinds)
		}
		// It escalates once.
		w.clock.Advance(24 * time.Hour)
		w.drain(t)
		if n := len(byRecipient(w.smtp.Messages())["policy@ict.ke.test.invalid"]); n != 1 {
			t.Fatalf("policy POC got %d escalations", n)
		}
	})
}

// TestSMTPOutageTwoInstances runs two instances on one database while the
// relay is down; once it is back every notification arrives, none twice.
func TestSMTPOutageTwoInstances(t *testing.T) {
	// PostgreSQL is the case that matters (instances on one server); SQLite
	// proves the same rules hold for two processes on one file.
	storetest.Engines(t, func(t *testing.T, db *store.DB) { outageTwoInstances(t, db.Engine) })
}

func outageTwoInstances(t *testing.T, engine store.Engine) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := &world{clock: clock.NewFixed(time.Now().UTC()), smtp: srv}
	dsn := storetest.DSN(t, engine)
	jo := jobs.Options{Backoff: func(int) time.Duration { return 400 * time.Millisecond }, Poll: 20 * time.Millisecond, Workers: 2}
	a1 := openApp(t, dsn, clock.System{}, srv, jo)
	a2 := openApp(t, dsn, clock.System{}, srv, jo)
	w.app = a1
	ctx := context.Background()
	since := time.Now().AddDate(-1, 0, 0)
	for _, st := range []string{"FR", "KE"} {
		if err := a1.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
			t.Fatal(err)
		}
	}
	fr, _, _ := a1.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "poc@fr.test.invalid", DisplayName: "fr", Role: actor.POC, State: "FR", Password: "long enough password"})
	keadmin, _, _ := a1.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin@ke.test.invalid", DisplayName: "ke", Role: actor.StateAdmin, State: "KE", Password: "long enough password"})
	for i := 0; i < 5; i++ {
		if _, err := a1.Directory.Nominate(ctx, keadmin.Actor(), "KE", directory.POCInput{Level: directory.Technical, FunctionTitle: "Duty", Organisation: "CIRT",
			Emails: []string{"duty" + string(rune('a'+i)) + "@cirt.ke.test.invalid"}, Phones: []string{"+254 20 000 0000"}, Languages: []string{"en"}, TimeZone: "Africa/Nairobi", Availability: directory.Always}); err != nil {
			t.Fatal(err)
		}
	}
	w.frpoc = fr.Actor()
	srv.SetDown(true)
	const messages = 6
	for i := 0; i < messages; i++ {
		w.send(t, "Outage test")
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, a := range []*app.App{a1, a2} {
		wg.Add(1)
		go func() { defer wg.Done(); a.RunWorkers(runCtx) }()
	}
	time.Sleep(time.Second) // several failed attempts while down
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d mails accepted while the relay was down", n)
	}
	srv.SetDown(false)
	got := srv.WaitFor(messages*5, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show up
	stop()
	wg.Wait()
	got = srv.Messages()
	if len(got) != messages*5 {
		t.Fatalf("%d mails arrived, want %d", len(got), messages*5)
	}
	seen := map[string]bool{}
	for _, m := range got {
		id := m.Header.Get("Message-Id")
		if seen[id] {
			t.Fatalf("mail %s arrived twice", id)
		}
		seen[id] = true
	}
}

func keys(m map[string][]smtptest.Message) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}

// bodyText decodes a plain mail's quoted-printable body.
func bodyText(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A delivery nobody answers by the response deadline (24 h when urgent)
// expires, on the timeline too; an answer after that still counts, and an
// answer in time keeps it from expiring at all.
func TestUnansweredDeliveryExpires(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name       string
			answerAt   time.Duration // after sending; 0: no answer before the deadline
			wantStatus messaging.Status
		}{
			{"answered in time", 3 * time.Hour, messaging.Responded},
			{"never answered", 0, messaging.Expired},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w := newWorld(t, db.Engine)
				ctx := context.Background()
				// Requests have a response deadline; notifications do not.
				m, err := w.app.Messaging.Send(ctx, w.frpoc, messaging.Draft{Type: messaging.InformationRequest, Recipients: []string{"KE"},
					Level: messaging.Technical, Urgency: messaging.Urgent, TLP: tlp.Amber, Subject: "Answer please", Body: "Do you see this C2?",
					Fields: map[string]string{"question": "Seen 203.0.113.7?"}})
				if err != nil {
					t.Fatal(err)
				}
				answer := func() {
					if _, err := w.app.Messaging.Send(ctx, w.kepoc, messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Looking into it."}); err != nil {
						t.Fatal(err)
					}
				}
				if tc.answerAt > 0 {
					w.clock.Advance(tc.answerAt)
					answer()
				}
				w.clock.Set(m.CreatedAt.Add(24*time.Hour + time.Minute))
				w.drain(t)
				got, events, err := w.app.Messaging.Thread(ctx, w.frpoc, m.ThreadID)
				if err != nil {
					t.Fatal(err)
				}
				d := got[0].Deliveries[0]
				if d.Status != tc.wantStatus || (tc.wantStatus == messaging.Expired) != (d.ExpiredAt != nil) {
					t.Fatalf("delivery %s (expired at %v), want %s", d.Status, d.ExpiredAt, tc.wantStatus)
				}
				expired := slices.ContainsFunc(events, func(e messaging.Event) bool { return e.Kind == "expired" })
				if expired != (tc.wantStatus == messaging.Expired) {
					t.Errorf("timeline has expiry: %v", expired)
				}
				if tc.wantStatus == messaging.Expired {
					answer()
					got, _, _ = w.app.Messaging.Thread(ctx, w.frpoc, m.ThreadID)
					if s := got[0].Deliveries[0].Status; s != messaging.Responded {
						t.Errorf("a late answer left the delivery %s", s)
					}
				}
			})
		}
	})
}
