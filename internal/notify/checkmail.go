package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/pgpkey"
)

// EnqueueChallengeMail writes the mail of one communication check inside tx. A POC
// with a key gets it encrypted: a check then also shows that the POC can
// still read encrypted mail.
func (n *Notifier) EnqueueChallengeMail(ctx context.Context, tx *sql.Tx, c checks.Check, ch checks.Challenge, poc directory.POC, token string, reminder bool) error {
	return n.EnqueueChallengeMails(ctx, tx, c, []checks.ChallengeMail{{Challenge: ch, POC: poc, Token: token}}, reminder)
}

// EnqueueChallengeMails writes the mails of many checks of c inside tx, as
// EnqueueChallengeMail does each: every mail is built for its POC, and the jobs are
// written a batch to a statement, since a campaign opens thousands at once.
func (n *Notifier) EnqueueChallengeMails(ctx context.Context, tx *sql.Tx, c checks.Check, ps []checks.ChallengeMail, reminder bool) error {
	if len(ps) == 0 {
		return nil
	}
	host := "detente.invalid"
	if u, err := url.Parse(n.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	kind := "check"
	if reminder {
		kind = "reminder"
	}
	now := n.clock.Now()
	batch := make([]jobs.New, 0, len(ps))
	for _, p := range ps {
		job, err := n.pingMail(c, p, host, kind, now, reminder)
		if err != nil {
			return err
		}
		batch = append(batch, job)
	}
	_, err := jobs.EnqueueMany(ctx, tx, n.db.Engine, now, batch)
	return err
}

// pingMail builds one check mail and the job that sends it.
func (n *Notifier) pingMail(c checks.Check, p checks.ChallengeMail, host, kind string, now time.Time, reminder bool) (jobs.New, error) {
	ch, poc := p.Challenge, p.POC
	sum := sha256.Sum256([]byte(ch.ID + "/" + kind))
	link := n.cfg.BaseURL + "/ping/" + p.Token
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: poc.Emails, Date: now,
		MessageID: "detente-ping-" + hex.EncodeToString(sum[:12]) + "@" + host,
		Subject:   "[detente] Communication check: please confirm you receive this"}
	if reminder {
		msg.Subject = "[detente] Reminder: communication check awaiting your confirmation"
	}
	msg.Text = fmt.Sprintf("This is a communication check of the Global Points-of-Contact Directory (%s).\n\n"+
		"It was sent to the %s point of contact of %s: %s, %s.\n\n"+
		"Please open this link and press Confirm. Opening the link alone does not confirm:\n%s\n\n"+
		"The check closes on %s.\n",
		c.Name, ch.Level, stateName(ch.State), poc.FunctionTitle, poc.Organisation, link, c.ClosesAt.UTC().Format("2 January 2006 at 15:04 UTC"))
	var raw []byte
	var err error
	if key, kerr := pgpkey.Parse(poc.PGPKey, now); poc.PGPKey != "" && kerr == nil && key.CanEncrypt {
		raw, err = mail.BuildEncrypted(msg, []pgpkey.Key{key})
	} else {
		raw, err = mail.Build(msg)
	}
	if err != nil {
		return jobs.New{}, fmt.Errorf("build check mail: %w", err)
	}
	return jobs.New{Kind: JobMail, DedupeKey: msg.MessageID,
		Payload: MailJob{From: n.cfg.From, To: poc.Emails, Raw: raw, State: ch.State, Challenge: ch.ID}}, nil
}
