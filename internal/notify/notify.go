// Package notify turns what the services schedule into mail: it handles the
// jobs messaging enqueues (deliver, remind, escalate) by writing one mail
// job per point of contact, and sends those through SMTP with retries.
//
// What a mail may carry follows TLP: the full text goes encrypted to POCs
// who published an OpenPGP key; in clear only when the message is CLEAR or
// GREEN; otherwise the POC gets a notice to sign in, which names neither
// subject nor content. Each mail is written in its recipient's language
// (see language.go).
package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/states"
	"github.com/detente/detente/internal/store"
)

// JobMail sends one encoded mail.
const JobMail = "mail.send"

// Config says who mail comes from and where links point.
type Config struct {
	From    string
	BaseURL string
}

// Notifier handles notification jobs.
type Notifier struct {
	db     *store.DB
	clock  clock.Clock
	log    *slog.Logger
	msgs   *messaging.System
	dir    *directory.System
	sender mail.Sender
	cfg    Config
	pings  PingRecorder
	text   *i18n.Catalogue // the mails' messages, in each recipient's language
}

// New returns a notifier sending through sender. It works with the
// domains' System sides, as a worker acting for no one; pings learns what
// became of check mails; text writes each mail in its recipient's language.
func New(db *store.DB, c clock.Clock, log *slog.Logger, msgs *messaging.System, dir *directory.System, pings PingRecorder, sender mail.Sender, text *i18n.Catalogue, cfg Config) *Notifier {
	return &Notifier{db: db, clock: c, log: log, msgs: msgs, dir: dir, pings: pings, sender: sender, text: text, cfg: cfg}
}

// Register sets the notifier's handlers on q.
func (n *Notifier) Register(q *jobs.Queue) {
	q.Register(messaging.JobDeliver, n.deliver)
	q.Register(messaging.JobRemind, n.remind)
	q.Register(messaging.JobEscalate, n.escalate)
	q.Register(JobMail, n.send)
}

// MailJob is the payload of a JobMail.
type MailJob struct {
	From      string   `json:"from"`
	To        []string `json:"to"`
	Raw       []byte   `json:"raw"`
	MessageID string   `json:"message_id,omitempty"` // the communication it tells of
	State     string   `json:"state,omitempty"`      // the recipient State
	Marks     bool     `json:"marks_delivered,omitempty"`
	Challenge string   `json:"challenge,omitempty"` // a communication check's challenge
}

// PingRecorder learns what happened to communication-check mail, in the
// transaction that records the mail job's outcome.
type PingRecorder interface {
	MarkSent(ctx context.Context, tx *sql.Tx, challengeID string) error
	MarkBounced(ctx context.Context, tx *sql.Tx, challengeID, reason string) error
}

// kind of mail about a communication.
type kind string

const (
	firstNotice kind = "notice"
	reminder    kind = "reminder"
	escalation  kind = "escalation"
)

// audience picks the POCs of state a mail goes to: the message's level (or
// every level), or, for an escalation, the other levels. A RED message goes
// only to POC entries linked to a named account.
func (n *Notifier) audience(ctx context.Context, m messaging.Message, state string, k kind) ([]directory.POC, error) {
	all, err := n.dir.ActivePOCs(ctx, state)
	if err != nil {
		return nil, err
	}
	var out []directory.POC
	for _, p := range all {
		atLevel := m.Level == messaging.All || string(p.Level) == string(m.Level)
		if k == escalation && m.Level != messaging.All {
			atLevel = !atLevel
		}
		if !atLevel || len(p.Emails) == 0 {
			continue
		}
		if !messaging.MailTo(m, p.AccountID) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// fanOut writes one mail job per POC, in one transaction.
func (n *Notifier) fanOut(ctx context.Context, m messaging.Message, state string, k kind, pocs []directory.POC) error {
	return n.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range pocs {
			msg, encrypt := n.compose(m, state, p, k)
			var raw []byte
			var err error
			if encrypt != nil {
				raw, err = mail.BuildEncrypted(msg, []pgpkey.Key{*encrypt})
			} else {
				raw, err = mail.Build(msg)
			}
			if err != nil {
				return fmt.Errorf("build mail for POC %s: %w", p.ID, err)
			}
			job := MailJob{From: n.cfg.From, To: p.Emails, Raw: raw, MessageID: m.ID, State: state, Marks: k == firstNotice}
			if _, err := jobs.Enqueue(ctx, tx, n.clock.Now(), jobs.New{Kind: JobMail, Payload: job, DedupeKey: msg.MessageID}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (n *Notifier) deliver(ctx context.Context, j jobs.Job) error {
	var p messaging.DeliveryJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	m, err := n.msgs.ForDelivery(ctx, p.MessageID)
	if err != nil {
		return err
	}
	pocs, err := n.audience(ctx, m, p.State, firstNotice)
	if err != nil {
		return err
	}
	if len(pocs) == 0 {
		// Nobody to mail at this level: the State's inbox is the channel.
		if err := n.msgs.MarkDelivered(ctx, m.ID, p.State); err != nil {
			return err
		}
		return n.msgs.Note(ctx, m, p.State, "delivered", "in the inbox only: no point of contact with an email address at this level")
	}
	return n.fanOut(ctx, m, p.State, firstNotice, pocs)
}

func (n *Notifier) remind(ctx context.Context, j jobs.Job) error {
	var p messaging.DeliveryJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	waiting, err := n.msgs.AwaitingAcknowledgement(ctx, p.MessageID, p.State)
	if err != nil || !waiting {
		return err
	}
	m, err := n.msgs.ForDelivery(ctx, p.MessageID)
	if err != nil {
		return err
	}
	pocs, err := n.audience(ctx, m, p.State, reminder)
	if err != nil {
		return err
	}
	if err := n.fanOut(ctx, m, p.State, reminder, pocs); err != nil {
		return err
	}
	return n.msgs.Note(ctx, m, p.State, "reminded", "the acknowledgement deadline is near")
}

func (n *Notifier) escalate(ctx context.Context, j jobs.Job) error {
	var p messaging.DeliveryJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	m, err := n.msgs.ForDelivery(ctx, p.MessageID)
	if err != nil {
		return err
	}
	escalated, err := n.msgs.Escalate(ctx, m, p.State)
	if err != nil || !escalated {
		return err
	}
	pocs, err := n.audience(ctx, m, p.State, escalation)
	if err != nil {
		return err
	}
	return n.fanOut(ctx, m, p.State, escalation, pocs)
}

func (n *Notifier) send(ctx context.Context, j jobs.Job) error {
	var p MailJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	if err := n.sender.Send(ctx, p.From, p.To, p.Raw); err != nil {
		if mail.IsPermanent(err) {
			if p.Challenge != "" && n.pings != nil {
				reason := err.Error()
				if berr := jobs.OnDone(ctx, n.db, func(ctx context.Context, tx *sql.Tx) error {
					return n.pings.MarkBounced(ctx, tx, p.Challenge, reason)
				}); berr != nil {
					return berr
				}
				// A check exists to find unreachable POCs: a bounce is its
				// result, recorded on the challenge, not a fault of ours
				// for an operator to retry.
				n.log.Info("check mail bounced; the POC is recorded as unreachable", "challenge", p.Challenge, "reason", err.Error())
				return nil
			}
			return jobs.Permanent(err)
		}
		return err
	}
	if p.Challenge != "" && n.pings != nil {
		// Recorded with the job's completion: one commit for both.
		if err := jobs.OnDone(ctx, n.db, func(ctx context.Context, tx *sql.Tx) error {
			return n.pings.MarkSent(ctx, tx, p.Challenge)
		}); err != nil {
			return err
		}
	}
	if p.Marks && p.MessageID != "" {
		return n.msgs.MarkDelivered(ctx, p.MessageID, p.State)
	}
	return nil
}

func stateName(code string) string {
	if st, ok := states.ByCode(code); ok {
		return st.Name
	}
	return code
}

// compose writes the mail for one POC, in the POC's language. It returns
// the key to encrypt to, or nil for a mail that may travel in clear.
func (n *Notifier) compose(m messaging.Message, state string, p directory.POC, k kind) (mail.Message, *pgpkey.Key) {
	link := n.cfg.BaseURL + "/threads/" + m.ThreadID
	host := n.mailHost()
	// The same notification to the same POC keeps the same Message-ID, so
	// a retried job is recognisable downstream and deduplicated here.
	sum := sha256.Sum256([]byte(m.ID + "/" + p.ID + "/" + string(k)))
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: p.Emails, Date: n.clock.Now(),
		MessageID: "detente-" + hex.EncodeToString(sum[:12]) + "@" + host,
		Headers:   map[string]string{"X-Detente-Thread": m.ThreadID}}
	pr := n.printerFor(p)
	var marks []string
	var b strings.Builder
	if m.Exercise {
		// On a line of its own, so that it cannot set the direction of
		// the sentence after it.
		marks = append(marks, exerciseMark, "—")
		b.WriteString(exerciseMark + "\n\n")
	}
	what, urgency := typeNames[m.Type], urgencyNames[m.Urgency]
	from, to := stateIn(pr, m.SenderState), stateIn(pr, state)
	switch k {
	case reminder:
		b.WriteString(pr.TC("mail", "Reminder: please acknowledge this {type}.", "type", what))
	case escalation:
		b.WriteString(pr.TC("mail", "This {type} to {recipient} was not acknowledged by its deadline, so it is brought to your attention as well.", "type", what, "recipient", to))
	default:
		b.WriteString(pr.TC("mail", "{sender} has sent a communication to {recipient}: {type} ({urgency}).", "sender", from, "recipient", to, "type", what, "urgency", urgency))
	}
	b.WriteString("\n\n")
	var key *pgpkey.Key
	if p.PGPKey != "" {
		if k2, err := pgpkey.Parse(p.PGPKey, n.clock.Now()); err == nil && k2.CanEncrypt {
			key = &k2
		}
	}
	full := messaging.MailContent(m, key != nil)
	if !full {
		// A notice: nothing of the subject or content, only where to read it.
		msg.Subject = subjectLine(pr, pr.TC("mail", "{urgency}: {type} from {sender} — sign in to read",
			"urgency", upperFirst(named(pr, urgencyNames, m.Urgency)), "type", what, "sender", from), marks...)
		b.WriteString(pr.TC("mail", "It is marked {tlp}, so it is not sent by email to addresses without an OpenPGP key.", "tlp", m.TLP.String()))
		b.WriteString("\n" + pr.TC("mail", "Sign in to read it:") + "\n" + link + "\n")
		if m.AckRequested {
			b.WriteString("\n" + pr.TC("mail", "Acknowledgement is requested.") + "\n")
		}
		msg.Text = b.String()
		return msg, nil
	}
	msg.Subject = subjectLine(pr, m.Subject, append(marks, m.TLP.String()+":")...)
	marking := m.TLP.String()
	if m.PAP != "" {
		marking += ", PAP:" + strings.ToUpper(m.PAP)
	}
	b.WriteString(m.Subject + "\n\n")
	for _, line := range []string{
		pr.TC("mail", "From: {sender} ({state})", "sender", m.SenderLabel, "state", from),
		pr.TC("mail", "To: {recipients}", "recipients", strings.Join(m.Recipients, ", ")),
		pr.TC("mail", "Type: {type}", "type", what),
		pr.TC("mail", "Urgency: {urgency}", "urgency", urgency),
		pr.TC("mail", "Marking: {marking}", "marking", marking),
	} {
		b.WriteString(line + "\n")
	}
	// The fields are named as the communication's template names them.
	keys := make([]string, 0, len(m.Fields))
	for k := range m.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, f := range keys {
		fmt.Fprintf(&b, "%s: %s\n", strings.ReplaceAll(f, "_", " "), m.Fields[f])
	}
	if m.RequestedAction != "" {
		b.WriteString("\n" + pr.TC("mail", "Action requested: {action}", "action", m.RequestedAction) + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n", m.Body)
	if len(m.Attachments) > 0 {
		// Files are never mailed; their hashes let the reader check what
		// they download from the link.
		b.WriteString("\n" + pr.TC("mail", "Attachments ({count}), to download after signing in:", "count", len(m.Attachments)) + "\n")
		for _, at := range m.Attachments {
			fmt.Fprintf(&b, "- %s, %s, SHA-256 %s\n", at.Name, messaging.BytesIn(pr, at.Size), at.SHA256)
		}
	}
	b.WriteString("\n" + pr.TC("mail", "Acknowledge and answer:") + "\n" + link + "\n")
	msg.Text = b.String()
	return msg, key
}

// Discard is the sender used when no SMTP relay is configured: it logs
// and drops, so the rest of the system behaves the same.
type Discard struct{ Log *slog.Logger }

// Send logs the mail's envelope.
func (d Discard) Send(_ context.Context, from string, to []string, raw []byte) error {
	d.Log.Info("mail not sent: no SMTP relay configured", "from", from, "to", strings.Join(to, ","), "bytes", len(raw))
	return nil
}
