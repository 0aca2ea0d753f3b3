package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
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
	host := n.mailHost()
	kind := "check"
	if reminder {
		kind = "reminder"
	}
	now := n.clock.Now()
	batch := make([]jobs.New, 0, len(ps))
	zones := map[string]*time.Location{} // a campaign's POCs share few zones
	for _, p := range ps {
		loc, ok := zones[p.POC.TimeZone]
		if !ok {
			loc = zoneOf(p.POC)
			zones[p.POC.TimeZone] = loc
		}
		job, err := n.pingMail(c, p, host, kind, now, loc, reminder)
		if err != nil {
			return err
		}
		batch = append(batch, job)
	}
	_, err := jobs.EnqueueMany(ctx, tx, n.db.Engine, now, batch)
	return err
}

// pingMail builds one check mail, in the POC's language with the closing
// time in its zone, and the job that sends it.
func (n *Notifier) pingMail(c checks.Check, p checks.ChallengeMail, host, kind string, now time.Time, loc *time.Location, reminder bool) (jobs.New, error) {
	ch, poc := p.Challenge, p.POC
	pr := n.printerFor(poc)
	sum := sha256.Sum256([]byte(ch.ID + "/" + kind))
	link := n.cfg.BaseURL + "/ping/" + p.Token
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: poc.Emails, Date: now,
		MessageID: "detente-ping-" + hex.EncodeToString(sum[:12]) + "@" + host,
		Subject:   subjectLine(pr, pr.TC("mail", "Communication check: please confirm you receive this"))}
	if reminder {
		msg.Subject = subjectLine(pr, pr.TC("mail", "Reminder: communication check awaiting your confirmation"))
	}
	msg.Text = pr.TC("mail", "This is a communication check of the Global Points-of-Contact Directory ({check}).", "check", c.NameIn(pr)) + "\n\n" +
		pr.TC("mail", "It was sent to a point of contact of {state} ({level} level): {function}, {organisation}.",
			"state", stateIn(pr, ch.State), "level", named(pr, levelNames, ch.Level), "function", poc.FunctionTitle, "organisation", poc.Organisation) + "\n\n" +
		pr.TC("mail", "Please open this link and confirm receipt on the page it opens. Opening the link alone does not confirm:") + "\n" + link + "\n\n" +
		pr.TC("mail", "The check closes on {date}.", "date", pr.DateTime(c.ClosesAt, loc)) + "\n"
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
