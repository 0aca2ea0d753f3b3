package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/survey"
)

// EnqueueSurveyReminders writes, inside tx, one mail to each State
// administrator in to, in the account's language: the cycle's report of
// the State is not submitted, and until when it is taken.
func (n *Notifier) EnqueueSurveyReminders(ctx context.Context, tx *sql.Tx, c survey.Cycle, to []access.Admin) error {
	host := "detente.invalid"
	if u, err := url.Parse(n.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	now := n.clock.Now()
	link := n.cfg.BaseURL + "/survey/cycles/" + c.ID
	batch := make([]jobs.New, 0, len(to))
	for _, a := range to {
		pr := n.text.Printer(i18n.FirstOf(a.Language))
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s", c.ID, a.Email)))
		state := stateIn(pr, a.State)
		msg := mail.Message{From: n.cfg.From, FromName: "detente", To: []string{a.Email}, Date: now,
			MessageID: "detente-survey-" + hex.EncodeToString(sum[:12]) + "@" + host,
			Subject:   subjectLine(pr, pr.TC("survey mail", "National survey {cycle}: the report of {state} is due", "cycle", c.Name, "state", state)),
			Text: pr.TC("survey mail", "The national report of {state} for the survey cycle {cycle} is not submitted yet. Reports are taken until the end of {deadline} (UTC). No question is mandatory; a report may be submitted with the answers the State chooses to give.",
				"state", state, "cycle", c.Name, "deadline", pr.Date(c.Deadline)) + "\n\n" + link + "\n"}
		raw, err := mail.Build(msg)
		if err != nil {
			return fmt.Errorf("build survey reminder: %w", err)
		}
		batch = append(batch, jobs.New{Kind: JobMail, DedupeKey: msg.MessageID, Payload: MailJob{From: n.cfg.From, To: msg.To, Raw: raw, State: a.State}})
	}
	_, err := jobs.EnqueueMany(ctx, tx, n.db.Engine, now, batch)
	return err
}
