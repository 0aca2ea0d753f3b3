package notify_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// levels records the level of every log record.
type levels struct {
	mu   sync.Mutex
	seen []string
}

func (l *levels) handler() slog.Handler {
	return &levelHandler{l: l, next: slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})}
}

type levelHandler struct {
	l    *levels
	next slog.Handler
}

func (h *levelHandler) Enabled(ctx context.Context, lv slog.Level) bool { return true }
func (h *levelHandler) Handle(ctx context.Context, r slog.Record) error {
	h.l.mu.Lock()
	h.l.seen = append(h.l.seen, r.Level.String()+" "+r.Message)
	h.l.mu.Unlock()
	return nil
}
func (h *levelHandler) WithAttrs(as []slog.Attr) slog.Handler { return h }
func (h *levelHandler) WithGroup(string) slog.Handler         { return h }

// TestCheckBounceIsAResultNotAFailure: a check finds unreachable POCs; a
// bounce is recorded on the challenge and logged as information, and the
// mail job ends done rather than failed (an operator retrying it would
// only bounce again).
func TestCheckBounceIsAResultNotAFailure(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := smtptest.Start(t, smtptest.Options{})
		srv.Reject("gone@cirt.ke.test.invalid")
		rec := &levels{}
		c := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		a := openAppLogging(t, storetest.DSN(t, db.Engine), c, srv, jobs.Options{}, slog.New(rec.handler()))

		since := c.Now().AddDate(-1, 0, 0)
		if err := a.Directory.SetParticipation(ctx, actor.Operator, "KE", &since); err != nil {
			t.Fatal(err)
		}
		admin, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "admin@ke.test.invalid", DisplayName: "KE admin", Role: actor.StateAdmin, State: "KE", Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		sec, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "sec@un.test.invalid", DisplayName: "Secretariat", Role: actor.Secretariat, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		nominate(t, a, admin.Actor(), "gone@cirt.ke.test.invalid")
		nominate(t, a, admin.Actor(), "here@cirt.ke.test.invalid")

		camp, err := a.Checks.Create(ctx, sec.Actor(), checks.Input{Name: "Check", ScopeKind: checks.ScopeStates, Scope: []string{"KE"}, Levels: []string{"technical"}, WindowHours: 72})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Jobs.RunDue(ctx, 50); err != nil {
			t.Fatal(err)
		}
		r, err := a.Checks.Results(ctx, sec.Actor(), camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Overall.Bounced != 1 {
			t.Fatalf("bounced = %d, want 1", r.Overall.Bounced)
		}
		st, err := a.Jobs.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Failed != 0 {
			t.Errorf("%d jobs failed; a bounce is the check's result", st.Failed)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var bounceLogged bool
		for _, l := range rec.seen {
			if strings.HasPrefix(l, "ERROR") {
				t.Errorf("logged as an error: %s", l)
			}
			if strings.HasPrefix(l, "INFO") && strings.Contains(l, "bounced") {
				bounceLogged = true
			}
		}
		if !bounceLogged {
			t.Errorf("the bounce is not logged as information: %v", rec.seen)
		}
	})
}

func nominate(t *testing.T, a *app.App, admin actor.Actor, email string) {
	t.Helper()
	_, err := a.Directory.Nominate(context.Background(), admin, admin.State, directory.POCInput{Level: directory.Technical, FunctionTitle: "Duty officer", Organisation: "CIRT",
		Emails: []string{email}, Phones: []string{"+254 20 000 0000"}, Languages: []string{"en"}, TimeZone: "Africa/Nairobi", Availability: directory.Always})
	if err != nil {
		t.Fatal(err)
	}
}
