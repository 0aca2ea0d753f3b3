package notify_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/survey"
)

// TestSurveyReminderToStateAdministrators: two weeks before a cycle's
// end, and not before, KE's administrator is reminded once, by mail,
// naming the cycle and the State.
func TestSurveyReminderToStateAdministrators(t *testing.T) {
	w := newWorld(t, store.SQLite)
	ctx := context.Background()
	a := w.app
	sec := actor.Actor{AccountID: "sec", Role: actor.Secretariat}
	now := w.clock.Now()
	opens, deadline := now.AddDate(0, 0, -1), now.AddDate(0, 0, 20)
	if _, err := a.Survey.OpenCycle(ctx, sec, survey.CycleInput{Name: "2031", Opens: &opens, Deadline: &deadline}); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	if n := len(w.smtp.Messages()); n != 0 {
		t.Fatalf("%d mails before the reminder is due", n)
	}
	w.clock.Advance(8 * 24 * time.Hour)
	w.drain(t)
	w.drain(t)
	got := byRecipient(w.smtp.Messages())["admin@ke.test.invalid"]
	if len(got) != 1 {
		t.Fatalf("KE's administrator got %d reminders", len(got))
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(got[0].Header.Get("Subject"))
	if !strings.Contains(subject, "2031") || !strings.Contains(subject, "Kenya") {
		t.Errorf("subject %q", subject)
	}
}
