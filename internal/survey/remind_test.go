package survey_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/survey"
)

type fakeAdmins []access.Admin

func (f fakeAdmins) StateAdmins(context.Context) ([]access.Admin, error) { return f, nil }

type fakeReminder struct{ got [][]access.Admin }

func (f *fakeReminder) EnqueueSurveyReminders(_ context.Context, _ *sql.Tx, _ survey.Cycle, to []access.Admin) error {
	f.got = append(f.got, to)
	return nil
}

// TestReminderBeforeTheDeadline: two weeks before the end of a cycle, the
// administrators of the States that have not submitted are reminded, once;
// a State that submitted is not.
func TestReminderBeforeTheDeadline(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		mail := &fakeReminder{}
		q := jobs.NewQueue(db, e.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{})
		survey.NewSystem(e.svc, fakeAdmins{{State: "FR", Email: "a@fr.test"}, {State: "KE", Email: "a@ke.test", Language: "fr"}}, mail).Register(q)
		c := e.cycle(t, "2027", date(2027, 3, 1), date(2027, 6, 30))
		r, err := e.svc.Start(ctx, e.who["keadmin"], c.ID)
		if err == nil {
			_, err = e.svc.Submit(ctx, e.who["keadmin"], r.ID, r.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		run := func() {
			if _, err := q.RunDue(ctx, 20); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Set(time.Date(2027, 6, 16, 23, 0, 0, 0, time.UTC))
		run()
		if len(mail.got) != 0 {
			t.Fatalf("reminded too early: %v", mail.got)
		}
		e.clock.Set(time.Date(2027, 6, 17, 0, 0, 0, 0, time.UTC))
		run()
		run()
		if len(mail.got) != 1 || !slices.Equal(mail.got[0], []access.Admin{{State: "FR", Email: "a@fr.test"}}) {
			t.Errorf("reminders: %v", mail.got)
		}
	})
}
