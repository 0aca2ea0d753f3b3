package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/tlp"
)

// ExercisePath is where the page of a run's inject is, for a player:
// ExercisePath + run + "/injects/" + key.
const ExercisePath = "/exercises/"

// exerciseHead starts the subject of every exercise mail, inside and,
// for an encrypted one, outside the encryption.
const exerciseHead = "[" + exerciseMark + "]"

// EnqueueExerciseMails writes an inject's mails inside tx, one per point
// of contact it reaches, in the POC's language and through the same mail
// job as real traffic: encrypted where the POC has a key, marked EXERCISE
// at the head of the subject (outside the encryption too) and at the top
// and bottom of the body, with the link to the player's page of the
// inject. What a communication inject carries follows its TLP label as a
// real one's would; a prompt is the exercise's own text and always goes.
func (n *Notifier) EnqueueExerciseMails(ctx context.Context, tx *sql.Tx, r exercise.Run, inj scenario.Inject, mails []exercise.Mail) error {
	now := n.clock.Now()
	host := n.mailHost()
	batch := make([]jobs.New, 0, len(mails))
	for _, ml := range mails {
		job, err := n.exerciseMail(r, inj, ml, host, now)
		if err != nil {
			return err
		}
		batch = append(batch, job)
	}
	_, err := jobs.EnqueueMany(ctx, tx, n.db.Engine, now, batch)
	return err
}

func (n *Notifier) exerciseMail(r exercise.Run, inj scenario.Inject, ml exercise.Mail, host string, now time.Time) (jobs.New, error) {
	poc := ml.POC
	pr := n.text.Printer(i18n.FirstOf(poc.Languages...))
	sum := sha256.Sum256([]byte(r.ID + "/" + inj.Key + "/" + poc.ID))
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: poc.Emails, Date: now,
		MessageID: "detente-exercise-" + hex.EncodeToString(sum[:12]) + "@" + host,
		Headers:   map[string]string{"X-Detente-Exercise": r.ID}, Marking: exerciseHead}
	key := encryptionKey(poc.PGPKey, now)
	label := inj.TLP
	if label == "" {
		label = tlp.Clear
	}
	full := inj.Kind == scenario.Prompt || messaging.MailContent(messaging.Message{TLP: label}, key != nil)
	link := n.cfg.BaseURL + ExercisePath + r.ID + "/injects/" + url.PathEscape(inj.Key)

	var b strings.Builder
	b.WriteString(exerciseMark + "\n\n")
	b.WriteString(pr.TC("exercise mail", "This is an inject of the exercise {run}. It is not a real communication.", "run", r.Title) + "\n")
	b.WriteString(pr.TC("exercise mail", "Scenario time: {time}", "time", scenarioClock(ml.Delivery.ScenarioAt)) + "\n\n")
	var subject string
	switch {
	case inj.Kind == scenario.Prompt:
		subject = inj.Title
		b.WriteString(inj.Title + "\n\n" + inj.Prompt + "\n")
	case !full:
		subject = pr.TC("exercise mail", "Exercise inject from {sender} — sign in to read", "sender", n.exerciseSender(pr, r, inj))
		b.WriteString(pr.TC("exercise mail", "It is marked {tlp}, so it is not sent by email to addresses without an OpenPGP key.", "tlp", label.String()) + "\n")
	default:
		subject = label.String() + ": " + inj.Subject
		b.WriteString(inj.Subject + "\n\n")
		for _, line := range []string{
			pr.TC("exercise mail", "From: {sender}", "sender", n.exerciseSender(pr, r, inj)),
			pr.TC("exercise mail", "Type: {type}", "type", named(pr, typeNames, inj.Type)),
			pr.TC("exercise mail", "Urgency: {urgency}", "urgency", named(pr, urgencyNames, inj.Urgency)),
			pr.TC("exercise mail", "Marking: {marking}", "marking", label.String()),
		} {
			b.WriteString(line + "\n")
		}
		keys := make([]string, 0, len(inj.Fields))
		for k := range inj.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, f := range keys {
			fmt.Fprintf(&b, "%s: %s\n", strings.ReplaceAll(f, "_", " "), inj.Fields[f])
		}
		if inj.Body != "" {
			b.WriteString("\n" + inj.Body + "\n")
		}
		if len(inj.Attachments) > 0 {
			b.WriteString("\n" + pr.TC("exercise mail", "Attachments ({count}), on the exercise page:", "count", len(inj.Attachments)) + "\n")
			for _, at := range inj.Attachments {
				h := sha256.Sum256(at.Content)
				fmt.Fprintf(&b, "- %s, SHA-256 %s\n", at.Name, hex.EncodeToString(h[:]))
			}
		}
	}
	b.WriteString("\n" + pr.TC("exercise mail", "Acknowledge, answer, ask for assistance or escalate on the exercise page:") + "\n" + link + "\n")
	b.WriteString("\n" + exerciseMark + "\n")
	msg.Text = b.String()
	msg.Subject = exerciseSubject(pr, subject)
	var raw []byte
	var err error
	if key != nil {
		raw, err = mail.BuildEncrypted(msg, []pgpkey.Key{*key})
	} else {
		raw, err = mail.Build(msg)
	}
	if err != nil {
		return jobs.New{}, fmt.Errorf("build exercise mail: %w", err)
	}
	return jobs.New{Kind: JobMail, DedupeKey: msg.MessageID, Payload: MailJob{From: n.cfg.From, To: poc.Emails, Raw: raw, State: poc.State}}, nil
}

// exerciseSubject is "[EXERCISE] [detente]" and text; in a right-to-left
// language the English head is isolated, as subjectLine does.
func exerciseSubject(p *i18n.Printer, text string) string {
	head := exerciseHead + " [detente]"
	if p.Language().RTL() {
		head = i18n.Isolate(head)
	}
	return head + " " + text
}

// exerciseSender names who sends a communication inject: the simulated
// party as the scenario names it, or the State playing the sending role.
func (n *Notifier) exerciseSender(pr *i18n.Printer, r exercise.Run, inj scenario.Inject) string {
	if inj.FromSimulated != "" {
		return inj.FromSimulated
	}
	if st := r.StateOf(inj.FromRole); st != "" {
		return stateIn(pr, st)
	}
	return inj.FromRole
}

// scenarioClock writes a scenario time as T+hours:minutes, the same in
// every language.
func scenarioClock(d time.Duration) string {
	m := int64(d / time.Minute)
	return fmt.Sprintf("T+%02d:%02d", m/60, m%60)
}
