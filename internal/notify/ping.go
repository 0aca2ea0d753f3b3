package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/pingtest"
)

// EnqueuePing writes the mail of one communication check inside tx. A POC
// with a key gets it encrypted: a check then also shows that the POC can
// still read encrypted mail.
func (n *Notifier) EnqueuePing(ctx context.Context, tx *sql.Tx, c pingtest.Campaign, ch pingtest.Challenge, poc directory.POC, token string, reminder bool) error {
	host := "detente.invalid"
	if u, err := url.Parse(n.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	kind := "check"
	if reminder {
		kind = "reminder"
	}
	sum := sha256.Sum256([]byte(ch.ID + "/" + kind))
	link := n.cfg.BaseURL + "/ping/" + token
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: poc.Emails, Date: n.clock.Now(),
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
	if key, kerr := pgpkey.Parse(poc.PGPKey, n.clock.Now()); poc.PGPKey != "" && kerr == nil && key.CanEncrypt {
		raw, err = mail.BuildEncrypted(msg, []pgpkey.Key{key})
	} else {
		raw, err = mail.Build(msg)
	}
	if err != nil {
		return fmt.Errorf("build check mail: %w", err)
	}
	_, err = jobs.Enqueue(ctx, tx, n.clock.Now(), jobs.New{Kind: JobMail, DedupeKey: msg.MessageID,
		Payload: MailJob{From: n.cfg.From, To: poc.Emails, Raw: raw, State: ch.State, Challenge: ch.ID}})
	return err
}
