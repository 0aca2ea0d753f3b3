package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/webhook"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// mailbox stands in for the SMTP relay.
type mailbox struct {
	mu  sync.Mutex
	raw []string
}

func (m *mailbox) Send(_ context.Context, _ string, _ []string, raw []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.raw = append(m.raw, string(raw))
	return nil
}

func (m *mailbox) all() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.raw, "\n")
}

// world: FR and KE participate, each with a technical POC; accounts for
// the secretariat and each State's administrator, POC and viewer.
type world struct {
	t       *testing.T
	dsn     string
	app     *app.App
	clock   *clock.Fixed
	mail    *mailbox
	sec     actor.Actor
	fradmin actor.Actor
	frpoc   actor.Actor
	frview  actor.Actor
	keadmin actor.Actor
	kepoc   actor.Actor
}

var epoch = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func openApp(t *testing.T, dsn string, c clock.Clock, box *mailbox, mod func(*config.Config)) *app.App {
	t.Helper()
	cfg, err := config.Parse("test", []string{"-base-url", "https://detente.test.invalid"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = dsn
	cfg.WebhookAllowPrivate = true // the receivers below listen on 127.0.0.1
	if mod != nil {
		mod(&cfg)
	}
	a, err := app.Open(context.Background(), cfg, quiet, app.Options{Clock: c, Argon2: &access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}, Mail: box,
		Jobs: jobs.Options{Backoff: func(int) time.Duration { return time.Minute }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func newWorld(t *testing.T, engine store.Engine, mod func(*config.Config)) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, dsn: storetest.DSN(t, engine), clock: clock.NewFixed(epoch), mail: &mailbox{}}
	w.app = openApp(t, w.dsn, w.clock, w.mail, mod)
	a := w.app
	since := epoch.AddDate(-1, 0, 0)
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
	w.sec = mk("sec@un.test.invalid", actor.Secretariat, "")
	w.fradmin, w.frpoc, w.frview = mk("admin@fr.test.invalid", actor.StateAdmin, "FR"), mk("poc@fr.test.invalid", actor.POC, "FR"), mk("viewer@fr.test.invalid", actor.Viewer, "FR")
	w.keadmin, w.kepoc = mk("admin@ke.test.invalid", actor.StateAdmin, "KE"), mk("poc@ke.test.invalid", actor.POC, "KE")
	for _, adm := range []actor.Actor{w.fradmin, w.keadmin} {
		_, err := a.Directory.Nominate(ctx, adm, adm.State, directory.POCInput{Level: directory.Technical, FunctionTitle: "Duty", Organisation: "CERT",
			Emails: []string{"duty@" + strings.ToLower(adm.State) + "-cert.test.invalid"}, Phones: []string{"+990 5550 1234"}, Languages: []string{"en"},
			TimeZone: "UTC", Availability: directory.Always})
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) drain() {
	w.t.Helper()
	if _, err := w.app.Jobs.RunDue(context.Background(), 100); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) subscribe(a actor.Actor, url string, events ...string) (webhook.Subscription, string) {
	w.t.Helper()
	sub, secret, err := w.app.Webhooks.Create(context.Background(), a, webhook.Input{URL: url, Events: events})
	if err != nil {
		w.t.Fatalf("subscribe %s: %v", url, err)
	}
	return sub, secret
}

func (w *world) send(label tlp.Label, subject, body string, mod func(*messaging.Draft)) messaging.Message {
	w.t.Helper()
	d := messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"}, Level: messaging.Technical, Urgency: messaging.Urgent,
		TLP: label, Subject: subject, Body: body, Fields: map[string]string{"impact": "two substations offline", "status": "ongoing"},
		RequestedAction: "Block the C2 server", AckRequested: true}
	if mod != nil {
		mod(&d)
	}
	m, err := w.app.Messaging.Send(context.Background(), w.frpoc, d)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

func (w *world) deliveries(a actor.Actor, id string) []webhook.Delivery {
	w.t.Helper()
	ds, err := w.app.Webhooks.Deliveries(context.Background(), a, id, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return ds
}

// receiver is an HTTP endpoint on 127.0.0.1 recording what it is sent.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(r *http.Request, n int) int // status for the nth request to r's path (1-based)
	counts map[string]int
}

type received struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answer func(r *http.Request, n int) int) *receiver {
	rc := &receiver{answer: answer, counts: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.counts[r.URL.Path]++
		n := rc.counts[r.URL.Path]
		rc.got = append(rc.got, received{path: r.URL.Path, header: r.Header.Clone(), body: b})
		rc.mu.Unlock()
		status := http.StatusNoContent
		if rc.answer != nil {
			status = rc.answer(r, n)
		}
		if status == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) at(path string) []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, g := range rc.got {
		if g.path == path {
			out = append(out, g)
		}
	}
	return out
}

// payload is the envelope as a receiver decodes it.
type payload struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Version    int             `json:"version"`
	OccurredAt time.Time       `json:"occurred_at"`
	URL        string          `json:"url"`
	Data       json.RawMessage `json:"data"`
}

// check verifies one delivery as a receiver would and decodes it.
func (w *world) check(r received, secret, event string) (payload, webhook.MessageEvent) {
	w.t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		w.t.Errorf("Content-Type %q", ct)
	}
	if got := r.header.Get(webhook.HeaderEvent); got != event {
		w.t.Errorf("%s: %q, want %q", webhook.HeaderEvent, got, event)
	}
	if err := webhook.Verify(secret, r.header.Get(webhook.HeaderSignature), r.body, w.clock.Now(), time.Minute); err != nil {
		w.t.Fatalf("signature of a genuine %s delivery: %v", event, err)
	}
	var p payload
	if err := json.Unmarshal(r.body, &p); err != nil {
		w.t.Fatal(err)
	}
	if p.Type != event || p.Version != webhook.Version || p.ID == "" || p.ID != r.header.Get(webhook.HeaderDelivery) || p.OccurredAt.IsZero() {
		w.t.Errorf("envelope %s, delivery header %q", r.body, r.header.Get(webhook.HeaderDelivery))
	}
	var me webhook.MessageEvent
	if strings.HasPrefix(event, "message.") || strings.HasPrefix(event, "delivery.") {
		if err := json.Unmarshal(p.Data, &me); err != nil {
			w.t.Fatal(err)
		}
	}
	return p, me
}

func TestMessageReceivedIsSignedAndDelivered(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		ctx := context.Background()
		rc := newReceiver(t, nil)
		kesub, kesecret := w.subscribe(w.keadmin, rc.URL+"/ke", webhook.MessageReceived)
		frsub, frsecret := w.subscribe(w.fradmin, rc.URL+"/fr", webhook.DeliveryAcknowledged, webhook.DeliveryResponded)

		const subject, body = "Phishing wave against ministries", "Lures impersonate the MFA; indicators attached."
		m := w.send(tlp.Green, subject, body, nil)
		w.drain()

		got := rc.at("/ke")
		if len(got) != 1 || len(rc.at("/fr")) != 0 {
			t.Fatalf("KE got %d, FR got %d deliveries", len(got), len(rc.at("/fr")))
		}
		p, me := w.check(got[0], kesecret, webhook.MessageReceived)
		if me.Message.ID != m.ID || me.Message.ThreadID != m.ThreadID || me.Message.SenderState != "FR" || me.Message.TLP != tlp.Green ||
			me.Message.Urgency != "urgent" || me.Message.Type != "incident_notification" {
			t.Errorf("message %+v", me.Message)
		}
		// GREEN content may travel in clear.
		if me.Message.Subject != subject || me.Message.Body != body || me.Message.ContentWithheld || me.Message.Fields["impact"] != "two substations offline" {
			t.Errorf("GREEN content missing: %+v", me.Message)
		}
		if me.Delivery.State != "KE" || me.Delivery.ID != m.Deliveries[0].ID || me.Delivery.AckDueAt == nil || !me.Delivery.AckDueAt.Equal(epoch.Add(2*time.Hour)) {
			t.Errorf("delivery %+v", me.Delivery)
		}
		if p.URL != "https://detente.test.invalid/threads/"+m.ThreadID {
			t.Errorf("url %q", p.URL)
		}
		// Another subscription's secret does not verify it.
		if err := webhook.Verify(frsecret, got[0].header.Get(webhook.HeaderSignature), got[0].body, w.clock.Now(), time.Minute); err == nil {
			t.Error("FR's secret verifies KE's delivery")
		}
		log := w.deliveries(w.keadmin, kesub.ID)
		if len(log) != 1 || log[0].Status != "delivered" || log[0].Attempts != 1 || log[0].LastStatus != http.StatusNoContent || log[0].EventID != p.ID {
			t.Fatalf("KE's delivery log %+v", log)
		}

		// KE acknowledges, then answers: FR's tooling hears of both.
		if err := w.app.Messaging.Acknowledge(ctx, w.kepoc, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Messaging.Send(ctx, w.kepoc, messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Blocked at the border."}); err != nil {
			t.Fatal(err)
		}
		w.drain()
		// Deliveries may arrive in any order: each carries its type.
		fr := map[string]received{}
		for _, r := range rc.at("/fr") {
			fr[r.header.Get(webhook.HeaderEvent)] = r
		}
		if len(fr) != 2 || len(rc.at("/fr")) != 2 {
			t.Fatalf("FR got %d deliveries, want acknowledged and responded", len(rc.at("/fr")))
		}
		_, ack := w.check(fr[webhook.DeliveryAcknowledged], frsecret, webhook.DeliveryAcknowledged)
		if ack.Delivery.State != "KE" || ack.Delivery.Status != "acknowledged" || ack.Delivery.AcknowledgedAt == nil || ack.Message.ID != m.ID {
			t.Errorf("acknowledged %+v", ack)
		}
		_, resp := w.check(fr[webhook.DeliveryResponded], frsecret, webhook.DeliveryResponded)
		if resp.Delivery.Status != "responded" || resp.Delivery.RespondedAt == nil {
			t.Errorf("responded %+v", resp.Delivery)
		}
		if n := len(w.deliveries(w.fradmin, frsub.ID)); n != 2 {
			t.Errorf("FR's log has %d lines", n)
		}
		// The reply is a message to FR: FR did not subscribe to message.received.
		if len(rc.at("/ke")) != 1 {
			t.Error("KE was told of its own reply")
		}
	})
}

// An exercise communication says so twice in its event: the flag, for
// tooling that routes on it, and the subject's head, for a receiver that
// shows only the subject.
func TestExerciseCommunicationIsMarked(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		rc := newReceiver(t, nil)
		_, secret := w.subscribe(w.keadmin, rc.URL+"/ke", webhook.MessageReceived)
		const subject = "Regional tabletop, inject 2"
		w.send(tlp.Green, subject, "Exercise scenario.", func(d *messaging.Draft) { d.Exercise = true })
		w.send(tlp.Green, "Real phishing wave", "Not an exercise.", nil)
		w.drain()
		got := rc.at("/ke")
		if len(got) != 2 {
			t.Fatalf("%d deliveries, want 2", len(got))
		}
		for _, r := range got {
			_, me := w.check(r, secret, webhook.MessageReceived)
			exercise := strings.HasPrefix(me.Message.Subject, webhook.ExerciseMark+" ")
			if me.Message.Exercise != exercise {
				t.Errorf("exercise %v with subject %q", me.Message.Exercise, me.Message.Subject)
			}
			if me.Message.Exercise && me.Message.Subject != webhook.ExerciseMark+" "+subject {
				t.Errorf("subject %q", me.Message.Subject)
			}
		}
	})
}

func TestContentAboveGreenNeverLeaves(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		rc := newReceiver(t, nil)
		_, secret := w.subscribe(w.keadmin, rc.URL+"/ke", webhook.MessageReceived)
		const subject, body = "Wiper at a grid operator", "C2 at 203.0.113.7; wiper hash 9f86d081."
		for _, label := range []tlp.Label{tlp.Amber, tlp.AmberStrict, tlp.Red} {
			w.send(label, subject, body, func(d *messaging.Draft) {
				if label == tlp.Red {
					d.Named = []string{w.kepoc.AccountID}
				}
			})
		}
		w.drain()
		got := rc.at("/ke")
		if len(got) != 3 {
			t.Fatalf("%d deliveries, want 3", len(got))
		}
		seen := map[tlp.Label]bool{}
		for _, r := range got {
			_, me := w.check(r, secret, webhook.MessageReceived)
			seen[me.Message.TLP] = true
			for _, secretText := range []string{"Wiper", "203.0.113.7", "9f86d081", "substations", "Block the C2", `"subject"`, `"body"`, `"fields"`} {
				if strings.Contains(string(r.body), secretText) {
					t.Errorf("%s payload carries %q:\n%s", me.Message.TLP, secretText, r.body)
				}
			}
			if !me.Message.ContentWithheld || me.Message.ID == "" {
				t.Errorf("payload %+v", me.Message)
			}
		}
		if !seen[tlp.Amber] || !seen[tlp.AmberStrict] || !seen[tlp.Red] {
			t.Errorf("labels told: %v", seen)
		}
	})
}

func TestPermanentAndTemporaryFailures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		rc := newReceiver(t, func(r *http.Request, n int) int {
			switch r.URL.Path {
			case "/bad":
				return http.StatusBadRequest
			case "/gone":
				return http.StatusGone
			case "/busy":
				if n == 1 {
					return http.StatusServiceUnavailable
				}
			case "/slow":
				if n == 1 {
					return http.StatusTooManyRequests
				}
			case "/timeout":
				if n == 1 {
					return http.StatusRequestTimeout
				}
			case "/moved":
				return http.StatusFound
			case "/broken":
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		subs := map[string]webhook.Subscription{}
		for _, p := range []string{"/bad", "/gone", "/busy", "/slow", "/timeout", "/moved", "/broken"} {
			subs[p], _ = w.subscribe(w.keadmin, rc.URL+p, webhook.MessageReceived)
		}
		w.send(tlp.Green, "Subject", "Body", nil)
		w.drain()
		status := func(p string) webhook.Delivery {
			t.Helper()
			log := w.deliveries(w.keadmin, subs[p].ID)
			if len(log) != 1 {
				t.Fatalf("%s: %d log lines", p, len(log))
			}
			return log[0]
		}
		for _, p := range []string{"/bad", "/gone"} {
			if d := status(p); d.Status != "failed" || d.Attempts != 1 || d.LastStatus == 0 || !strings.Contains(d.LastError, "HTTP 4") {
				t.Errorf("%s: a 4xx is permanent, got %+v", p, d)
			}
		}
		for _, p := range []string{"/busy", "/slow", "/timeout", "/moved", "/broken"} {
			if d := status(p); d.Status != "retrying" || d.Attempts != 1 {
				t.Errorf("%s: want a retry, got %+v", p, d)
			}
		}
		if d := status("/moved"); d.LastStatus != http.StatusFound || !strings.Contains(d.LastError, "redirects are not followed") {
			t.Errorf("/moved: %+v", d)
		}
		// The jobs of the permanent failures are done with.
		var failedJobs int
		if err := w.app.DB.R.QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = $1 AND failed_at IS NOT NULL`, webhook.JobDeliver).Scan(&failedJobs); err != nil {
			t.Fatal(err)
		}
		if failedJobs != 2 {
			t.Errorf("%d webhook jobs failed for good, want 2", failedJobs)
		}

		// After the backoff, the temporary failures go through.
		w.clock.Advance(2 * time.Minute)
		w.drain()
		for _, p := range []string{"/busy", "/slow", "/timeout"} {
			if d := status(p); d.Status != "delivered" || d.Attempts != 2 || d.LastStatus != http.StatusOK || d.LastError != "" {
				t.Errorf("%s: want delivered on the second attempt, got %+v", p, d)
			}
		}
		if len(rc.at("/bad")) != 1 || len(rc.at("/gone")) != 1 {
			t.Error("a permanent failure was retried")
		}
		// Those that keep failing stop after the job's attempts.
		for range jobs.DefaultMaxAttempts {
			w.clock.Advance(2 * time.Minute)
			w.drain()
		}
		for _, p := range []string{"/moved", "/broken"} {
			if d := status(p); d.Status != "failed" || d.Attempts != jobs.DefaultMaxAttempts {
				t.Errorf("%s: want failed after %d attempts, got %+v", p, jobs.DefaultMaxAttempts, d)
			}
		}
		if n := len(rc.at("/elsewhere")); n != 0 {
			t.Errorf("a redirect was followed %d times", n)
		}
		list, err := w.app.Webhooks.List(context.Background(), w.keadmin)
		if err != nil {
			t.Fatal(err)
		}
		var failed, delivered int
		for _, s := range list {
			failed += s.Failed
			delivered += s.Delivered
		}
		if failed != 4 || delivered != 3 {
			t.Errorf("list counts: %d failed, %d delivered", failed, delivered)
		}
	})
}

func TestPrivateAddressesAreRefused(t *testing.T) {
	// The dialer checks the address it connects to, after resolution.
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the guarded client reached 127.0.0.1") }))
	defer tlsSrv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(tlsSrv.URL, "https://"), ":")
	for _, target := range []string{tlsSrv.URL, "https://localhost:" + port + "/hook"} {
		_, err := webhook.NewClient(false, 2*time.Second).Post(target, "application/json", strings.NewReader("{}"))
		if err == nil || !strings.Contains(err.Error(), webhook.ErrForbiddenAddress.Error()) {
			t.Errorf("POST %s without the flag: %v", target, err)
		}
	}
	// With the flag the dialer lets it through (TLS then fails: the test
	// certificate is not trusted, which is beside the point here).
	if _, err := webhook.NewClient(true, 2*time.Second).Post(tlsSrv.URL, "application/json", strings.NewReader("{}")); err == nil ||
		strings.Contains(err.Error(), webhook.ErrForbiddenAddress.Error()) {
		t.Errorf("with the flag: %v", err)
	}

	for addr, want := range map[string]bool{"127.0.0.1": true, "::1": true, "10.1.2.3": true, "172.16.5.4": true, "192.168.1.1": true,
		"169.254.169.254": true, "0.0.0.0": true, "::": true, "fe80::1": true, "fd00:ec2::254": true, "::ffff:127.0.0.1": true,
		"100.64.0.1": true, "224.0.0.1": true, "255.255.255.255": true, "64:ff9b::a00:1": true,
		"8.8.8.8": false, "1.1.1.1": false, "2001:4860:4860::8888": false, "196.200.1.1": false} {
		if got := webhook.Forbidden(mustAddr(t, addr)); got != want {
			t.Errorf("Forbidden(%s) = %v, want %v", addr, got, want)
		}
	}

	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		noFlag := func(c *config.Config) { c.WebhookAllowPrivate = false }
		w := newWorld(t, db.Engine, noFlag)
		ctx := context.Background()
		for _, url := range []string{"http://hooks.example.org/x", "https://127.0.0.1/x", "https://[::1]:8443/x", "https://10.0.0.5/x",
			"https://169.254.169.254/latest/meta-data", "https://localhost/x", "https://api.localhost/x"} {
			_, _, err := w.app.Webhooks.Create(ctx, w.keadmin, webhook.Input{URL: url, Events: []string{webhook.MessageReceived}})
			if errs.FieldsOf(err)["url"] == "" {
				t.Errorf("%s was accepted without the flag: %v", url, err)
			}
		}
		if _, _, err := w.app.Webhooks.Create(ctx, w.keadmin, webhook.Input{URL: "https://hooks.ke-cirt.test.invalid/detente", Events: []string{webhook.MessageReceived}}); err != nil {
			t.Errorf("a public https URL was refused: %v", err)
		}

		// A name that resolves to loopback passes the form of the URL only
		// with the flag; an instance without it refuses to dial it.
		withFlag := openApp(t, w.dsn, w.clock, w.mail, nil)
		sub, _, err := withFlag.Webhooks.Create(ctx, w.keadmin, webhook.Input{URL: "https://localhost:" + port + "/hook", Events: []string{webhook.MessageReceived}})
		if err != nil {
			t.Fatal(err)
		}
		w.send(tlp.Green, "Subject", "Body", nil)
		w.drain() // by the instance without the flag
		log := w.deliveries(w.keadmin, sub.ID)
		if len(log) != 1 || log[0].Status != "failed" || log[0].Attempts != 1 || !strings.Contains(log[0].LastError, "refusing to connect") {
			t.Fatalf("delivery to localhost: %+v", log)
		}
	})
}

func TestOnlyOwnWebhooks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		ctx := context.Background()
		svc := w.app.Webhooks
		kesub, _ := w.subscribe(w.keadmin, "https://hooks.ke-cirt.test.invalid/detente", webhook.MessageReceived, webhook.PingOpened)
		secsub, _ := w.subscribe(w.sec, "https://ops.un.test.invalid/detente", webhook.PingClosed)

		for name, a := range map[string]actor.Actor{"FR admin": w.fradmin, "secretariat": w.sec} {
			list, err := svc.List(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range list {
				if s.ID == kesub.ID || strings.Contains(s.URL, "ke-cirt") {
					t.Errorf("%s lists KE's webhook", name)
				}
			}
			if _, err := svc.Get(ctx, a, kesub.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads KE's webhook: %v", name, err)
			}
			if err := svc.Delete(ctx, a, kesub.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s deletes KE's webhook: %v", name, err)
			}
			if err := svc.SetActive(ctx, a, kesub.ID, false); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s disables KE's webhook: %v", name, err)
			}
			if _, err := svc.RotateSecret(ctx, a, kesub.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s rotates KE's secret: %v", name, err)
			}
			if _, err := svc.Deliveries(ctx, a, kesub.ID, 0); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads KE's delivery log: %v", name, err)
			}
		}
		if _, err := svc.Get(ctx, w.keadmin, secsub.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("KE's admin reads the secretariat's webhook: %v", err)
		}
		for name, a := range map[string]actor.Actor{"FR POC": w.frpoc, "FR viewer": w.frview, "KE POC": w.kepoc} {
			if _, err := svc.List(ctx, a); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s lists webhooks: %v", name, err)
			}
			if _, _, err := svc.Create(ctx, a, webhook.Input{URL: "https://x.test.invalid/", Events: []string{webhook.MessageReceived}}); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s creates a webhook: %v", name, err)
			}
			if err := svc.Delete(ctx, a, kesub.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s deletes a webhook: %v", name, err)
			}
		}
		if _, err := svc.List(ctx, actor.Anonymous); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous lists webhooks: %v", err)
		}
		readOnly := w.keadmin
		readOnly.ReadOnly, readOnly.ViaToken = true, true
		if _, err := svc.List(ctx, readOnly); err != nil {
			t.Errorf("a read-only token cannot list: %v", err)
		}
		if _, err := svc.RotateSecret(ctx, readOnly, kesub.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a read-only token rotates a secret: %v", err)
		}

		// Field-level validation, every field at once.
		_, _, err := svc.Create(ctx, w.fradmin, webhook.Input{URL: "ftp://files.example.org", Events: nil})
		if f := errs.FieldsOf(err); f["url"] == "" || f["events"] == "" {
			t.Errorf("fields %v", f)
		}
		_, _, err = svc.Create(ctx, w.fradmin, webhook.Input{URL: "https://user:pw@hooks.example.org/", Events: []string{"message.sent"}})
		if f := errs.FieldsOf(err); !strings.Contains(f["url"], "user name") || !strings.Contains(f["events"], "unknown") {
			t.Errorf("fields %v", f)
		}
		_, _, err = svc.Create(ctx, w.sec, webhook.Input{URL: "https://ops2.un.test.invalid/", Events: []string{webhook.MessageReceived}})
		if !strings.Contains(errs.FieldsOf(err)["events"], "not to the secretariat") {
			t.Errorf("the secretariat subscribed to State traffic: %v", err)
		}
		_, _, err = svc.Create(ctx, w.fradmin, webhook.Input{URL: "https://ops3.fr.test.invalid/", Events: []string{webhook.PingClosed}})
		if !strings.Contains(errs.FieldsOf(err)["events"], "secretariat only") {
			t.Errorf("a State subscribed to ping.closed: %v", err)
		}
		_, _, err = svc.Create(ctx, w.keadmin, webhook.Input{URL: "https://hooks.ke-cirt.test.invalid/detente", Events: []string{webhook.DeliveryEscalated}})
		if !strings.Contains(errs.FieldsOf(err)["url"], "already has a webhook") {
			t.Errorf("duplicate URL: %v", err)
		}
		// FR may subscribe the same URL as KE: owners do not see each other.
		if _, _, err := svc.Create(ctx, w.fradmin, webhook.Input{URL: "https://hooks.ke-cirt.test.invalid/detente", Events: []string{webhook.MessageReceived}}); err != nil {
			t.Errorf("FR could not use a URL KE uses: %v", err)
		}

		// Every change is audited, by its owner's State.
		if err := svc.SetActive(ctx, w.keadmin, kesub.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetActive(ctx, w.keadmin, kesub.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RotateSecret(ctx, w.keadmin, kesub.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, w.keadmin, kesub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, w.keadmin, kesub.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("a deleted webhook is still there: %v", err)
		}
		rows, err := w.app.DB.R.Query(`SELECT action, state_code FROM audit_log WHERE object_id = $1 ORDER BY seq`, kesub.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for rows.Next() {
			var action, state string
			if err := rows.Scan(&action, &state); err != nil {
				t.Fatal(err)
			}
			if state != "KE" {
				t.Errorf("%s audited under %q", action, state)
			}
			actions = append(actions, action)
		}
		rows.Close()
		if got := strings.Join(actions, " "); got != "webhook.create webhook.disable webhook.enable webhook.rotate_secret webhook.delete" {
			t.Errorf("audit trail: %s", got)
		}
		var secret string
		if err := w.app.DB.R.QueryRow(`SELECT secret FROM webhooks WHERE id = $1`, kesub.ID).Scan(&secret); err != nil || secret != "" {
			t.Errorf("a deleted webhook keeps its secret (%q, %v)", secret, err)
		}
	})
}

func TestDisableRotateAndEncryption(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		key := make([]byte, 32)
		for i := range key {
			key[i] = byte(i + 1)
		}
		w := newWorld(t, db.Engine, func(c *config.Config) { c.WebhookKey = key })
		ctx := context.Background()
		rc := newReceiver(t, nil)
		sub, secret := w.subscribe(w.keadmin, rc.URL+"/ke", webhook.MessageReceived)
		var stored string
		if err := w.app.DB.R.QueryRow(`SELECT secret FROM webhooks WHERE id = $1`, sub.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "aesgcm:") || strings.Contains(stored, secret) {
			t.Fatalf("the secret is not sealed at rest: %q", stored)
		}

		// Disabled: nothing is published to it, and what waited is dropped.
		w.send(tlp.Green, "One", "Body", nil)
		if err := w.app.Webhooks.SetActive(ctx, w.keadmin, sub.ID, false); err != nil {
			t.Fatal(err)
		}
		w.send(tlp.Green, "Two", "Body", nil)
		w.drain()
		if n := len(rc.at("/ke")); n != 0 {
			t.Fatalf("a disabled webhook got %d deliveries", n)
		}
		log := w.deliveries(w.keadmin, sub.ID)
		if len(log) != 1 || log[0].Status != "failed" || log[0].Attempts != 0 || !strings.Contains(log[0].LastError, "disabled") {
			t.Fatalf("log after disabling: %+v", log)
		}

		// Enabled and rotated: signed with the new secret only.
		if err := w.app.Webhooks.SetActive(ctx, w.keadmin, sub.ID, true); err != nil {
			t.Fatal(err)
		}
		fresh, err := w.app.Webhooks.RotateSecret(ctx, w.keadmin, sub.ID)
		if err != nil || fresh == secret || len(fresh) != 64 {
			t.Fatalf("rotate: %q, %v", fresh, err)
		}
		w.send(tlp.Green, "Three", "Body", nil)
		w.drain()
		got := rc.at("/ke")
		if len(got) != 1 {
			t.Fatalf("%d deliveries after enabling", len(got))
		}
		w.check(got[0], fresh, webhook.MessageReceived)
		if err := webhook.Verify(secret, got[0].header.Get(webhook.HeaderSignature), got[0].body, w.clock.Now(), time.Minute); err == nil {
			t.Error("the old secret still verifies")
		}

		// An instance with another key cannot open the secret: the
		// delivery fails for good and says why.
		other := openApp(t, w.dsn, w.clock, w.mail, func(c *config.Config) { c.WebhookKey = make([]byte, 32) })
		w.send(tlp.Green, "Four", "Body", nil)
		if _, err := other.Jobs.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if n, _ := other.Jobs.RunOnce(ctx); n == 0 {
				break
			}
		}
		log = w.deliveries(w.keadmin, sub.ID)
		if log[0].Status != "failed" || !strings.Contains(log[0].LastError, "webhook key") {
			t.Errorf("with the wrong key: %+v", log[0])
		}
	})
}

func TestEscalationIsToldToBothStates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		rc := newReceiver(t, nil)
		_, frsecret := w.subscribe(w.fradmin, rc.URL+"/fr", webhook.DeliveryEscalated)
		_, kesecret := w.subscribe(w.keadmin, rc.URL+"/ke", webhook.DeliveryEscalated)
		m := w.send(tlp.Amber, "Unanswered", "Nobody answers this.", nil)
		w.drain()
		if len(rc.got) != 0 {
			t.Fatal("an escalation was told before the deadline")
		}
		w.clock.Advance(2*time.Hour + time.Minute)
		w.drain()
		fr, ke := rc.at("/fr"), rc.at("/ke")
		if len(fr) != 1 || len(ke) != 1 {
			t.Fatalf("FR got %d, KE got %d escalations", len(fr), len(ke))
		}
		pf, mf := w.check(fr[0], frsecret, webhook.DeliveryEscalated)
		pk, _ := w.check(ke[0], kesecret, webhook.DeliveryEscalated)
		if pf.ID != pk.ID || mf.Message.ID != m.ID || mf.Delivery.State != "KE" || mf.Delivery.EscalatedAt == nil || mf.Message.Subject != "" {
			t.Errorf("escalation %+v / %s vs %s", mf, pf.ID, pk.ID)
		}
	})
}

var tokenRe = regexp.MustCompile(`/ping/([A-Za-z0-9_-]{20,})`)

// checkIDs returns a payload's check_id and the campaign_id version 1
// receivers read.
func checkIDs(t *testing.T, data json.RawMessage) (check, campaign any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m["check_id"], m["campaign_id"]
}

func TestCommunicationCheckEvents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db.Engine, nil)
		ctx := context.Background()
		rc := newReceiver(t, nil)
		_, kesecret := w.subscribe(w.keadmin, rc.URL+"/ke", webhook.PingOpened)
		_, secsecret := w.subscribe(w.sec, rc.URL+"/sec", webhook.PingClosed)
		c, err := w.app.Checks.Create(ctx, w.sec, checks.Input{Name: "Semi-annual check", ScopeKind: checks.ScopeStates, Scope: []string{"FR", "KE"},
			Levels: []string{"technical"}, WindowHours: 24})
		if err != nil {
			t.Fatal(err)
		}
		w.drain()
		opened := rc.at("/ke")
		if len(opened) != 1 || len(rc.at("/sec")) != 0 {
			t.Fatalf("KE got %d ping.opened; the secretariat %d events", len(opened), len(rc.at("/sec")))
		}
		p, _ := w.check(opened[0], kesecret, webhook.PingOpened)
		var po webhook.PingOpenedEvent
		if err := json.Unmarshal(p.Data, &po); err != nil {
			t.Fatal(err)
		}
		if po.CheckID != c.ID || po.State != "KE" || po.Challenges != 1 || !po.ClosesAt.Equal(epoch.Add(24*time.Hour)) {
			t.Errorf("ping.opened %+v", po)
		}
		if id, old := checkIDs(t, p.Data); id != c.ID || old != c.ID {
			t.Errorf("ping.opened: check_id %v, campaign_id %v, want both %s", id, old, c.ID)
		}
		tokens := tokenRe.FindAllStringSubmatch(strings.ReplaceAll(w.mail.all(), "=\r\n", ""), -1)
		if len(tokens) < 2 {
			t.Fatalf("%d check tokens in the mails", len(tokens))
		}
		for _, tok := range tokens {
			if strings.Contains(string(opened[0].body), tok[1]) {
				t.Error("ping.opened carries a check token")
			}
		}
		if strings.Contains(string(opened[0].body), "token") {
			t.Errorf("ping.opened mentions tokens: %s", opened[0].body)
		}

		if _, err := w.app.Checks.AcknowledgeToken(ctx, tokens[0][1], "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(25 * time.Hour)
		w.drain()
		closed := rc.at("/sec")
		if len(closed) != 1 || len(rc.at("/ke")) != 1 {
			t.Fatalf("the secretariat got %d ping.closed; KE %d events", len(closed), len(rc.at("/ke")))
		}
		p, _ = w.check(closed[0], secsecret, webhook.PingClosed)
		var pc webhook.PingClosedEvent
		if err := json.Unmarshal(p.Data, &pc); err != nil {
			t.Fatal(err)
		}
		if pc.CheckID != c.ID || pc.States != 2 || pc.Challenges != 2 || pc.Acknowledged != 1 || pc.ResponseRate != 0.5 || pc.OpenedAt == nil {
			t.Errorf("ping.closed %+v", pc)
		}
		if id, old := checkIDs(t, p.Data); id != c.ID || old != c.ID {
			t.Errorf("ping.closed: check_id %v, campaign_id %v, want both %s", id, old, c.ID)
		}
	})
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
