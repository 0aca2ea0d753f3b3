package messaging_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
)

// env: FR, KE and DE participate, NZ does not. Each has a POC and an admin;
// FR has a second POC and a viewer.
type env struct {
	db    *store.DB
	svc   *messaging.Service
	sys   *messaging.System
	dir   *directory.Service
	acc   *access.Service
	clock *clock.Fixed
	who   map[string]actor.Actor
}

func newEnv(t *testing.T, db *store.DB) env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
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
	who := map[string]actor.Actor{"anon": actor.Anonymous}
	for _, x := range []struct {
		key   string
		role  actor.Role
		state string
	}{
		{"sec", actor.Secretariat, ""}, {"frpoc", actor.POC, "FR"}, {"frpoc2", actor.POC, "FR"}, {"fradmin", actor.StateAdmin, "FR"},
		{"frviewer", actor.Viewer, "FR"}, {"kepoc", actor.POC, "KE"}, {"kepoc2", actor.POC, "KE"}, {"keadmin", actor.StateAdmin, "KE"},
		{"depoc", actor.POC, "DE"}, {"nzpoc", actor.POC, "NZ"},
	} {
		a, _, err := acc.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: x.key + "@test.invalid", DisplayName: x.key, Role: x.role, State: x.state, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		who[x.key] = a.Actor()
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	svc, sys := messaging.New(db, log, c, cat, messaging.DefaultConfig(), directory.NewSystem(dir), access.NewSystem(acc), nil)
	if err := svc.SyncTemplates(ctx); err != nil {
		t.Fatal(err)
	}
	return env{db: db, svc: svc, sys: sys, clock: c, who: who, dir: dir, acc: acc}
}

func incident(label tlp.Label, to ...string) messaging.Draft {
	return messaging.Draft{Type: messaging.IncidentNotification, Recipients: to, Level: messaging.Technical, Urgency: messaging.Urgent, TLP: label,
		Subject: "Wiper on a grid operator " + string(label), Body: "Substation control systems were wiped at 03:00 UTC.",
		Fields:       map[string]string{"sector": "energy", "critical_infrastructure": "yes", "impact": "Two substations offline", "status": "ongoing"},
		AckRequested: true}
}

func (e env) send(t *testing.T, from string, d messaging.Draft) messaging.Message {
	t.Helper()
	m, err := e.svc.Send(context.Background(), e.who[from], d)
	if err != nil {
		t.Fatalf("send as %s: %v", from, err)
	}
	return m
}

// TestTLPAccess sends one message per label from FR to KE (RED names one KE
// POC) and checks every account: Message, List and Search must agree, and
// nobody may see what the label does not allow.
func TestTLPAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		msgs := map[tlp.Label]messaging.Message{}
		for _, l := range tlp.Labels() {
			d := incident(l, "KE")
			if l == tlp.Red {
				d.Named = []string{e.who["kepoc"].AccountID}
			}
			msgs[l] = e.send(t, "frpoc", d)
		}
		// Who may read which label.
		readers := map[tlp.Label][]string{
			tlp.Clear:       {"sec", "frpoc", "frpoc2", "fradmin", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"},
			tlp.Green:       {"frpoc", "frpoc2", "fradmin", "frviewer", "kepoc", "kepoc2", "keadmin", "depoc", "nzpoc"},
			tlp.Amber:       {"frpoc", "frpoc2", "fradmin", "frviewer", "kepoc", "kepoc2", "keadmin"},
			tlp.AmberStrict: {"frpoc", "frpoc2", "fradmin", "frviewer", "kepoc", "kepoc2", "keadmin"},
			tlp.Red:         {"frpoc", "kepoc"},
		}
		for who, a := range e.who {
			all, err := e.svc.List(ctx, a, messaging.ListFilter{Query: "wiper"})
			if who == "anon" {
				if !errs.Is(err, errs.Unauthenticated) {
					t.Errorf("anonymous list: %v", err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s list: %v", who, err)
			}
			listed := map[string]bool{}
			for _, m := range all {
				listed[m.ID] = true
			}
			for _, l := range tlp.Labels() {
				m := msgs[l]
				want := slices.Contains(readers[l], who)
				got, err := e.svc.Message(ctx, a, m.ID)
				if want && (err != nil || got.Body != m.Body) {
					t.Errorf("%s cannot read %s: %v", who, l, err)
				}
				if !want && !errs.Is(err, errs.NotFound) {
					t.Errorf("%s reads %s (err %v)", who, l, err)
				}
				if listed[m.ID] != want {
					t.Errorf("%s: %s listed=%v, want %v (SQL and rule disagree)", who, l, listed[m.ID], want)
				}
				if _, _, err := e.svc.Thread(ctx, a, m.ThreadID); (err == nil) != want {
					t.Errorf("%s: thread of %s readable=%v, want %v", who, l, err == nil, want)
				}
			}
		}
	})
}

func TestSecretariatIsNotParty(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := e.svc.Send(ctx, e.who["sec"], incident(tlp.Green, "KE")); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("secretariat sent a State-to-State message: %v", err)
		}
		e.send(t, "frpoc", incident(tlp.Amber, "KE"))
		inbox, err := e.svc.List(ctx, e.who["sec"], messaging.ListFilter{})
		if err != nil || len(inbox) != 0 {
			t.Fatalf("secretariat lists %d messages (%v)", len(inbox), err)
		}
	})
}

func TestDeliveriesAndDeadlines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := e.send(t, "frpoc", incident(tlp.Amber, "KE", "DE"))
		if len(m.Deliveries) != 2 {
			t.Fatalf("%d deliveries", len(m.Deliveries))
		}
		for _, d := range m.Deliveries {
			if d.Status != messaging.Queued || d.AckDueAt == nil || !d.AckDueAt.Equal(e.clock.Now().Add(2*time.Hour)) {
				t.Errorf("delivery %+v: want queued, acknowledge within 2 h", d)
			}
		}
		// KE sees only its own delivery; FR sees both.
		ke, _ := e.svc.Message(ctx, e.who["kepoc"], m.ID)
		if len(ke.Deliveries) != 1 || ke.Deliveries[0].State != "KE" {
			t.Errorf("KE sees deliveries %+v", ke.Deliveries)
		}
		e.clock.Advance(30 * time.Minute)
		if err := e.svc.Acknowledge(ctx, e.who["kepoc"], m.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Acknowledge(ctx, e.who["kepoc2"], m.ID); err != nil {
			t.Fatalf("a second acknowledgement must be harmless: %v", err)
		}
		for who, want := range map[string]errs.Code{"frpoc": errs.Forbidden, "frviewer": errs.Forbidden, "nzpoc": errs.Forbidden, "sec": errs.Forbidden} {
			if err := e.svc.Acknowledge(ctx, e.who[who], m.ID); !errs.Is(err, want) {
				t.Errorf("%s acknowledged: %v", who, err)
			}
		}
		fr, _ := e.svc.Message(ctx, e.who["frpoc"], m.ID)
		status := map[string]messaging.Status{}
		for _, d := range fr.Deliveries {
			status[d.State] = d.Status
		}
		if status["KE"] != messaging.Acknowledged || status["DE"] != messaging.Queued {
			t.Fatalf("statuses %v", status)
		}
		// DE answers with an update: responded. FR closes: closed.
		e.send(t, "depoc", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Blocked the C2 at our IXP.", Fields: map[string]string{"status": "action taken"}})
		e.send(t, "frpoc", messaging.Draft{Type: messaging.Closure, ReplyTo: m.ID, Fields: map[string]string{"outcome": "Service restored."}})
		fr, _ = e.svc.Message(ctx, e.who["frpoc"], m.ID)
		for _, d := range fr.Deliveries {
			if d.Status != messaging.Closed {
				t.Errorf("%s: %s after closure", d.State, d.Status)
			}
		}
		msgs, events, err := e.svc.Thread(ctx, e.who["frpoc"], m.ThreadID)
		if err != nil || len(msgs) != 3 {
			t.Fatalf("thread: %d messages, %v", len(msgs), err)
		}
		var kinds []string
		for _, ev := range events {
			kinds = append(kinds, ev.Kind)
		}
		if strings.Join(kinds, ",") != "sent,acknowledged,sent,sent" {
			t.Errorf("timeline %v", kinds)
		}
	})
}

func TestSendValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tests := []struct {
			name   string
			from   string
			change func(*messaging.Draft)
			field  string
			code   errs.Code
		}{
			{"no recipients", "frpoc", func(d *messaging.Draft) { d.Recipients = nil }, "recipients", errs.Invalid},
			{"own State", "frpoc", func(d *messaging.Draft) { d.Recipients = []string{"FR"} }, "recipients", errs.Invalid},
			{"non-participating State", "frpoc", func(d *messaging.Draft) { d.Recipients = []string{"NZ"} }, "recipients", errs.Invalid},
			{"unknown State", "frpoc", func(d *messaging.Draft) { d.Recipients = []string{"QQ"} }, "recipients", errs.Invalid},
			{"unknown TLP", "frpoc", func(d *messaging.Draft) { d.TLP = "white" }, "tlp", errs.Invalid},
			{"RED without names", "frpoc", func(d *messaging.Draft) { d.TLP = tlp.Red }, "named", errs.Invalid},
			{"names without RED", "frpoc", func(d *messaging.Draft) { d.Named = []string{"x"} }, "named", errs.Invalid},
			{"no subject", "frpoc", func(d *messaging.Draft) { d.Subject = " " }, "subject", errs.Invalid},
			{"no body", "frpoc", func(d *messaging.Draft) { d.Body = "" }, "body", errs.Invalid},
			{"huge body", "frpoc", func(d *messaging.Draft) { d.Body = strings.Repeat("x", 50_001) }, "body", errs.Invalid},
			{"bad urgency", "frpoc", func(d *messaging.Draft) { d.Urgency = "asap" }, "urgency", errs.Invalid},
			{"bad level", "frpoc", func(d *messaging.Draft) { d.Level = "ministerial" }, "level", errs.Invalid},
			{"bad PAP", "frpoc", func(d *messaging.Draft) { d.PAP = "white" }, "pap", errs.Invalid},
			{"missing required field", "frpoc", func(d *messaging.Draft) { delete(d.Fields, "impact") }, "fields.impact", errs.Invalid},
			{"bad choice", "frpoc", func(d *messaging.Draft) { d.Fields["sector"] = "cheese" }, "fields.sector", errs.Invalid},
			{"bad yes/no", "frpoc", func(d *messaging.Draft) { d.Fields["critical_infrastructure"] = "maybe" }, "fields.critical_infrastructure", errs.Invalid},
			{"field not in template", "frpoc", func(d *messaging.Draft) { d.Fields["colour"] = "red" }, "fields.colour", errs.Invalid},
			{"unknown provision", "frpoc", func(d *messaging.Draft) { d.Provisions = []string{"norm-z"} }, "provisions", errs.Invalid},
			{"closure cannot open", "frpoc", func(d *messaging.Draft) { d.Type = messaging.Closure }, "type", errs.Invalid},
			{"viewer cannot send", "frviewer", func(*messaging.Draft) {}, "", errs.Forbidden},
			{"non-participant cannot send", "nzpoc", func(d *messaging.Draft) { d.Recipients = []string{"KE"} }, "", errs.Forbidden},
			{"anonymous cannot send", "anon", func(*messaging.Draft) {}, "", errs.Unauthenticated},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d := incident(tlp.Amber, "KE")
				tc.change(&d)
				var before int
				db.R.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&before)
				_, err := e.svc.Send(ctx, e.who[tc.from], d)
				if errs.CodeOf(err) != tc.code {
					t.Fatalf("code %q (%v), want %q", errs.CodeOf(err), err, tc.code)
				}
				if tc.field != "" && errs.FieldsOf(err)[tc.field] == "" {
					t.Fatalf("no message for %s: %v", tc.field, err)
				}
				var after int
				db.R.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&after)
				if after != before {
					t.Fatal("a refused message was written")
				}
			})
		}
	})
}

func TestRepliesKeepTheMarking(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		d := incident(tlp.Red, "KE")
		d.Named = []string{e.who["kepoc"].AccountID}
		m := e.send(t, "frpoc", d)
		// A named recipient answers; the answer stays RED and goes back to
		// the author, and still not to KE's other POC.
		r := e.send(t, "kepoc", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "We see it too."})
		if r.TLP != tlp.Red || !slices.Contains(r.Recipients, "FR") {
			t.Fatalf("reply %+v", r)
		}
		if _, err := e.svc.Message(ctx, e.who["frpoc"], r.ID); err != nil {
			t.Fatalf("the author cannot read the answer: %v", err)
		}
		for _, who := range []string{"kepoc2", "keadmin", "frpoc2", "fradmin"} {
			if _, err := e.svc.Message(ctx, e.who[who], r.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s reads the RED answer: %v", who, err)
			}
		}
		// Nobody lowers the marking of what another State shared.
		if _, err := e.svc.Send(ctx, e.who["kepoc"], messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, TLP: tlp.Green, Body: "x"}); errs.FieldsOf(err)["tlp"] == "" {
			t.Fatalf("downgraded reply accepted: %v", err)
		}
		// Someone who cannot read a message cannot answer it either.
		if _, err := e.svc.Send(ctx, e.who["kepoc2"], messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "x"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unnamed POC answered a RED message: %v", err)
		}
	})
}

func TestInboxAndUnread(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		var ids []string
		for i := 0; i < 3; i++ {
			d := incident(tlp.Amber, "KE")
			d.Subject = fmt.Sprintf("Incident %d", i)
			ids = append(ids, e.send(t, "frpoc", d).ID)
		}
		e.send(t, "frpoc", incident(tlp.Amber, "DE"))
		n, err := e.svc.Unread(ctx, e.who["kepoc"])
		if err != nil || n != 3 {
			t.Fatalf("KE unread %d, %v", n, err)
		}
		if err := e.svc.MarkRead(ctx, e.who["kepoc"], ids[0]); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.MarkRead(ctx, e.who["kepoc"], ids[0]); err != nil {
			t.Fatal("marking twice:", err)
		}
		if n, _ := e.svc.Unread(ctx, e.who["kepoc"]); n != 2 {
			t.Fatalf("after reading one: %d", n)
		}
		if n, _ := e.svc.Unread(ctx, e.who["kepoc2"]); n != 3 {
			t.Fatalf("read markers are per person: %d", n)
		}
		if err := e.svc.MarkRead(ctx, e.who["depoc"], ids[0]); !errs.Is(err, errs.NotFound) {
			t.Fatalf("DE marked KE's message read: %v", err)
		}
		sent, _ := e.svc.List(ctx, e.who["fradmin"], messaging.ListFilter{Box: messaging.Sent})
		if len(sent) != 4 {
			t.Fatalf("FR sent box: %d", len(sent))
		}
		found, _ := e.svc.List(ctx, e.who["kepoc"], messaging.ListFilter{Query: "incident 2"})
		if len(found) != 1 || found[0].ID != ids[2] {
			t.Fatalf("search found %d", len(found))
		}
		if got, _ := e.svc.List(ctx, e.who["kepoc"], messaging.ListFilter{Query: "100%_"}); len(got) != 0 {
			t.Fatal("LIKE wildcards in a query matched")
		}
	})
}

func TestTemplatesAreVersionedData(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		old := e.send(t, "frpoc", incident(tlp.Amber, "KE"))
		tmpl, err := e.svc.Template(ctx, messaging.IncidentNotification)
		if err != nil || tmpl.Version != 1 {
			t.Fatalf("template: %+v %v", tmpl, err)
		}
		tmpl.Fields = append(tmpl.Fields, messaging.Field{Name: "ticket", Label: "National ticket number", Kind: messaging.Text, Required: true})
		if _, err := e.svc.PublishTemplate(ctx, e.who["fradmin"], tmpl); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a State admin changed the template: %v", err)
		}
		v2, err := e.svc.PublishTemplate(ctx, e.who["sec"], tmpl)
		if err != nil || v2.Version != 2 {
			t.Fatalf("publish: %+v %v", v2, err)
		}
		if _, err := e.svc.Send(ctx, e.who["frpoc"], incident(tlp.Amber, "KE")); errs.FieldsOf(err)["fields.ticket"] == "" {
			t.Fatalf("new required field not enforced: %v", err)
		}
		d := incident(tlp.Amber, "KE")
		d.Fields["ticket"] = "FR-2026-0042"
		m := e.send(t, "frpoc", d)
		if m.TemplateVersion != 2 {
			t.Fatalf("version %d", m.TemplateVersion)
		}
		got, _ := e.svc.Message(ctx, e.who["kepoc"], old.ID)
		if got.TemplateVersion != 1 {
			t.Fatal("an old message lost its template version")
		}
		bad := tmpl
		bad.Fields = append(bad.Fields, messaging.Field{Name: "Bad Name", Label: "x", Kind: messaging.Text})
		if _, err := e.svc.PublishTemplate(ctx, e.who["sec"], bad); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad field name accepted: %v", err)
		}
	})
}

// An exercise thread stays one: the opening message carries the marking,
// stored and read back, and every answer inherits it whatever it asks.
func TestExerciseMarking(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tests := []struct {
			name     string
			exercise bool
		}{{"exercise", true}, {"real incident", false}}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d := incident(tlp.Amber, "KE")
				d.Exercise = tc.exercise
				m := e.send(t, "frpoc", d)
				got, err := e.svc.Message(ctx, e.who["kepoc"], m.ID)
				if err != nil || got.Exercise != tc.exercise {
					t.Fatalf("stored exercise = %v (%v), want %v", got.Exercise, err, tc.exercise)
				}
				r := e.send(t, "kepoc", messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Noted.", Exercise: !tc.exercise})
				if r.Exercise != tc.exercise {
					t.Errorf("reply exercise = %v, want the thread's %v", r.Exercise, tc.exercise)
				}
			})
		}
	})
}

// A recipient's timeline shows its own delivery's progress only: another
// recipient's reminder, escalation and acknowledgement are that State's
// business and the sender's. The sender sees them all.
func TestTimelineShowsARecipientItsOwnPart(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := e.send(t, "frpoc", incident(tlp.Amber, "KE", "DE"))
		if err := e.svc.Acknowledge(ctx, e.who["kepoc"], m.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.sys.Note(ctx, m, "DE", "reminded", "the acknowledgement deadline is near"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(3 * time.Hour)
		if ok, err := e.sys.Escalate(ctx, m, "DE"); err != nil || !ok {
			t.Fatalf("escalate DE: %v %v", ok, err)
		}
		timeline := func(who string) map[string]bool {
			t.Helper()
			_, events, err := e.svc.Thread(ctx, e.who[who], m.ThreadID)
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			seen := map[string]bool{}
			for _, ev := range events {
				seen[ev.Kind+"/"+ev.State] = true
			}
			return seen
		}
		tests := []struct {
			who       string
			want, not []string
		}{
			{"frpoc", []string{"sent/FR", "acknowledged/KE", "reminded/DE", "escalated/DE"}, nil},
			{"kepoc", []string{"sent/FR", "acknowledged/KE"}, []string{"reminded/DE", "escalated/DE"}},
			{"depoc", []string{"sent/FR", "reminded/DE", "escalated/DE"}, []string{"acknowledged/KE"}},
		}
		for _, tc := range tests {
			seen := timeline(tc.who)
			for _, k := range tc.want {
				if !seen[k] {
					t.Errorf("%s does not see %s (sees %v)", tc.who, k, seen)
				}
			}
			for _, k := range tc.not {
				if seen[k] {
					t.Errorf("%s sees another recipient's %s", tc.who, k)
				}
			}
		}
	})
}

// The pages ask CanReply and CanAcknowledge which forms to offer; Send
// and Acknowledge agree with them.
func TestWhoMayAnswerAndAcknowledge(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// GREEN: DE may read it, but is not party to it.
		m := e.send(t, "frpoc", incident(tlp.Green, "KE"))
		load := func(who string) (messaging.Message, bool) {
			got, err := e.svc.Message(ctx, e.who[who], m.ID)
			return got, err == nil
		}
		tests := []struct {
			who          string
			reply, ack   errs.Code // "" means allowed
			sendAnswered bool
		}{
			{"frpoc", "", errs.Forbidden, true},
			{"fradmin", "", errs.Forbidden, true},
			{"frviewer", errs.Forbidden, errs.Forbidden, false},
			{"kepoc", "", "", true},
			{"keadmin", "", errs.Conflict, true}, // kepoc's update answered for KE
			{"depoc", errs.Forbidden, errs.Forbidden, false},
			{"sec", errs.Forbidden, errs.Forbidden, false},
		}
		for _, tc := range tests {
			got, ok := load(tc.who)
			if !ok {
				got = m // the secretariat cannot read GREEN; ask with the sender's copy
			}
			if err := e.svc.CanReply(ctx, e.who[tc.who], got); errs.CodeOf(err) != tc.reply {
				t.Errorf("CanReply(%s) = %v, want %q", tc.who, err, tc.reply)
			}
			if err := e.svc.CanAcknowledge(ctx, e.who[tc.who], got); errs.CodeOf(err) != tc.ack {
				t.Errorf("CanAcknowledge(%s) = %v, want %q", tc.who, err, tc.ack)
			}
			_, err := e.svc.Send(ctx, e.who[tc.who], messaging.Draft{Type: messaging.Update, ReplyTo: m.ID, Body: "Noted by " + tc.who})
			if (err == nil) != tc.sendAnswered {
				t.Errorf("%s answering: %v", tc.who, err)
			}
		}
		// The sender has nothing to acknowledge: a field error, not a refusal
		// that would lose the answer.
		_, err := e.svc.Send(ctx, e.who["frpoc"], messaging.Draft{Type: messaging.Acknowledgement, ReplyTo: m.ID, Body: "Got it"})
		if msg := errs.FieldsOf(err)["type"]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "recipient") {
			t.Errorf("the sender acknowledging its own message: %v", err)
		}
		// An answer does not open a new kind of exchange inside a thread.
		_, err = e.svc.Send(ctx, e.who["kepoc"], incidentReply(m.ID))
		if msg := errs.FieldsOf(err)["type"]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "an answer is") {
			t.Errorf("an incident notification as an answer: %v", err)
		}
		// Once KE acknowledged (its update above did), there is nothing left
		// to acknowledge.
		ke, _ := load("kepoc")
		if err := e.svc.CanAcknowledge(ctx, e.who["kepoc"], ke); !errs.Is(err, errs.Conflict) {
			t.Errorf("CanAcknowledge after answering = %v, want conflict", err)
		}
	})
}

// A date field takes a date and time, in UTC, and nothing else.
func TestDateFieldsRefuseWhatIsNotADate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			in, want string // want "" expects a field error
		}{
			{"2026-03-01 14:00", "2026-03-01T14:00:00Z"},
			{"2026-03-01T14:00", "2026-03-01T14:00:00Z"},
			{"2026-03-01", "2026-03-01T00:00:00Z"},
			{"2026-03-01T16:00:00+02:00", "2026-03-01T14:00:00Z"},
			{"yesterday evening", ""},
			{"2026-02-30 10:00", ""},
			{"99999-01-01", ""},
			{"2026-03-01\x00", ""},
			{"２０２６-03-01", ""}, // full-width digits
		}
		for _, tc := range tests {
			d := incident(tlp.Amber, "KE")
			d.Fields["started"] = tc.in
			m, err := e.svc.Send(context.Background(), e.who["frpoc"], d)
			if tc.want == "" {
				if msg := errs.FieldsOf(err)["fields.started"]; !strings.Contains(msg, "date") {
					t.Errorf("%q: want a field error about the date, got %v", tc.in, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%q: %v", tc.in, err)
				continue
			}
			if got := m.Fields["started"]; got != tc.want {
				t.Errorf("%q stored as %q, want %q", tc.in, got, tc.want)
			}
		}
	})
}

// incidentReply is an incident notification sent as an answer to id.
func incidentReply(id string) messaging.Draft {
	d := incident(tlp.Green)
	d.ReplyTo = id
	return d
}
