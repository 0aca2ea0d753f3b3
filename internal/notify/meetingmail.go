package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/ical"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/pgpkey"
)

// EnqueueMeetingMails writes the mails of a meeting inside tx, one per
// invited POC, in the POC's language: an invitation or update with the
// iCalendar REQUEST attached and the POC's answer link, a cancellation
// with the CANCEL, or a reminder. A POC with a key gets it encrypted. The
// venue and video link are in them: the mail goes to the invitee.
func (n *Notifier) EnqueueMeetingMails(ctx context.Context, tx *sql.Tx, m meeting.Meeting, mails []meeting.Mail) error {
	now := n.clock.Now()
	host := n.mailHost()
	batch := make([]jobs.New, 0, len(mails))
	for _, ml := range mails {
		job, err := n.meetingMail(m, ml, host, now)
		if err != nil {
			return err
		}
		batch = append(batch, job)
	}
	_, err := jobs.EnqueueMany(ctx, tx, n.db.Engine, now, batch)
	return err
}

// MeetingAnswerPath is where a mailed answer link points; the page there
// shows the meeting and records the answer its form posts.
const MeetingAnswerPath = "/meetings/answer/"

func (n *Notifier) meetingMail(m meeting.Meeting, ml meeting.Mail, host string, now time.Time) (jobs.New, error) {
	poc := ml.POC
	pr := n.printerFor(poc)
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d/%s", m.ID, poc.ID, m.Sequence, ml.Kind)))
	if ml.Kind == meeting.MailReminder {
		sum = sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%s", m.ID, poc.ID, m.Start.Format(time.RFC3339), ml.Kind)))
	}
	msg := mail.Message{From: n.cfg.From, FromName: "detente", To: poc.Emails, Date: now,
		MessageID: "detente-meeting-" + hex.EncodeToString(sum[:12]) + "@" + host,
		Headers:   map[string]string{"X-Detente-Meeting": m.ID}}
	switch ml.Kind {
	case meeting.MailInvite:
		msg.Subject = subjectLine(pr, pr.TC("mail", "Invitation: {title}", "title", m.Title))
	case meeting.MailUpdate:
		msg.Subject = subjectLine(pr, pr.TC("mail", "Updated invitation: {title}", "title", m.Title))
	case meeting.MailCancel:
		msg.Subject = subjectLine(pr, pr.TC("mail", "Cancelled: {title}", "title", m.Title))
	default:
		msg.Subject = subjectLine(pr, pr.TC("mail", "Reminder: {title}", "title", m.Title))
	}
	msg.Text = meetingText(pr, m, ml, zoneOf(poc), n.cfg.BaseURL)
	var cal []byte
	method := ical.Request
	if ml.Kind != meeting.MailReminder {
		e := meeting.Event(m, n.cfg.BaseURL, now, true)
		att := ical.Attendee{Person: ical.Person{Name: attendeeName(poc.PersonName, poc.FunctionTitle), Email: poc.Emails[0]},
			PartStat: partStat(ml.Invitation.Answer), RSVP: true}
		if ml.Kind == meeting.MailCancel {
			method, e.Status = ical.Cancel, ical.Cancelled
		}
		e.Attendees = []ical.Attendee{att}
		var err error
		if cal, err = (ical.Calendar{ProdID: meeting.ProdID, Method: method, Events: []ical.Event{e}}).Bytes(); err != nil {
			return jobs.New{}, fmt.Errorf("write meeting calendar: %w", err)
		}
	}
	key := encryptionKey(poc.PGPKey, now)
	raw, err := buildWithCalendar(msg, cal, method, key)
	if err != nil {
		return jobs.New{}, fmt.Errorf("build meeting mail: %w", err)
	}
	return jobs.New{Kind: JobMail, DedupeKey: msg.MessageID,
		Payload: MailJob{From: n.cfg.From, To: poc.Emails, Raw: raw, State: poc.State}}, nil
}

func attendeeName(person, function string) string {
	if person != "" {
		return person
	}
	return function
}

func partStat(a meeting.Answer) ical.PartStat {
	switch a {
	case meeting.Accepted:
		return ical.Accepted
	case meeting.Declined:
		return ical.Declined
	case meeting.Tentative:
		return ical.Tentative
	}
	return ical.NeedsAction
}

var kindNames = map[meeting.Kind]i18n.Message{
	meeting.InPerson: i18n.MC("mail, kind of meeting", "in person"),
	meeting.Virtual:  i18n.MC("mail, kind of meeting", "virtual"),
	meeting.Hybrid:   i18n.MC("mail, kind of meeting", "hybrid: in person and by video"),
}

// meetingText is the body of a meeting mail, written by pr: what, when (in
// the meeting's zone, and in the POC's when it differs), where, the agenda
// and the answer link.
func meetingText(pr *i18n.Printer, m meeting.Meeting, ml meeting.Mail, pocZone *time.Location, base string) string {
	var b strings.Builder
	organiser := pr.TC("mail", "the secretariat")
	if m.OrganiserState != "" {
		organiser = stateIn(pr, m.OrganiserState)
	}
	switch ml.Kind {
	case meeting.MailInvite:
		b.WriteString(pr.TC("mail", "{organiser} invites you to a meeting of points of contact.", "organiser", organiser))
	case meeting.MailUpdate:
		b.WriteString(pr.TC("mail", "{organiser} has changed this meeting; your calendar entry is updated.", "organiser", organiser))
	case meeting.MailCancel:
		b.WriteString(pr.TC("mail", "This meeting no longer takes place for you; your calendar entry is removed."))
	default:
		b.WriteString(pr.TC("mail", "A reminder of this meeting of points of contact."))
	}
	b.WriteString("\n\n" + m.Title + "\n")
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	b.WriteString(pr.TC("mail", "When: {start} to {end} ({zone})", "start", pr.DateTime(m.Start, loc), "end", pr.DateTime(m.End, loc), "zone", m.TimeZone) + "\n")
	if pocZone.String() != loc.String() {
		b.WriteString(pr.TC("mail", "In your time zone: {start} to {end} ({zone})", "start", pr.DateTime(m.Start, pocZone), "end", pr.DateTime(m.End, pocZone), "zone", pocZone.String()) + "\n")
	}
	b.WriteString(pr.TC("mail", "How: {kind}", "kind", named(pr, kindNames, m.Kind)) + "\n")
	if m.Venue != "" {
		b.WriteString(pr.TC("mail", "Where: {venue}", "venue", m.Venue) + "\n")
	}
	if m.VideoURL != "" {
		b.WriteString(pr.TC("mail", "Video link: {url}", "url", m.VideoURL) + "\n")
	}
	if len(m.Agenda) > 0 {
		b.WriteString("\n" + pr.TC("mail", "Agenda:") + "\n")
		for k, it := range m.Agenda {
			fmt.Fprintf(&b, "%d. %s", k+1, it.Title)
			if len(it.Provisions) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(it.Provisions, ", "))
			}
			b.WriteString("\n")
			if it.Notes != "" {
				b.WriteString("   " + strings.ReplaceAll(it.Notes, "\n", "\n   ") + "\n")
			}
		}
	}
	b.WriteString("\n" + pr.TC("mail", "Contact: {name} <{email}>", "name", m.Contact.Name, "email", m.Contact.Email) + "\n")
	if ml.Token != "" {
		b.WriteString("\n" + pr.TC("mail", "Please answer (accept, tentative or decline) on the page this link opens; opening it alone does not answer:") + "\n")
		b.WriteString(base + MeetingAnswerPath + ml.Token + "\n")
	}
	return b.String()
}

// textType is how mail.Build starts the body of a plain message; the
// header fields it writes before it are reused as they are.
const textType = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"

// splitBuilt cuts a message from mail.Build into its header fields (the
// common ones, without the Content-Type) and its quoted-printable body.
func splitBuilt(raw []byte) (head, body []byte, err error) {
	i := bytes.Index(raw, []byte(textType+"\r\n"))
	if i < 0 {
		return nil, nil, errors.New("unexpected form of a built message")
	}
	return raw[:i], raw[i+len(textType)+2:], nil
}

// buildWithCalendar builds msg with the calendar cal attached (nil: the
// text alone) as multipart/mixed, and encrypted as OpenPGP/MIME (RFC 3156)
// when key is set, the calendar inside the encryption. The header fields
// are mail.Build's, so they are checked and encoded as every mail's are.
func buildWithCalendar(msg mail.Message, cal []byte, method ical.Method, key *pgpkey.Key) ([]byte, error) {
	if cal == nil && key == nil {
		return mail.Build(msg)
	}
	if cal == nil {
		return mail.BuildEncrypted(msg, []pgpkey.Key{*key})
	}
	plain, err := mail.Build(msg)
	if err != nil {
		return nil, err
	}
	head, body, err := splitBuilt(plain)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append(append([]byte(msg.MessageID), body...), cal...))
	boundary := "detente-" + hex.EncodeToString(sum[:16])
	var parts bytes.Buffer
	fmt.Fprintf(&parts, "--%s\r\n%s\r\n", boundary, textType)
	parts.Write(body)
	fmt.Fprintf(&parts, "--%s\r\nContent-Type: text/calendar; charset=UTF-8; method=%s\r\nContent-Transfer-Encoding: base64\r\n", boundary, method)
	fmt.Fprintf(&parts, "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n", icsName(method))
	enc := base64.StdEncoding.EncodeToString(cal)
	for len(enc) > 76 {
		parts.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	parts.WriteString(enc + "\r\n")
	fmt.Fprintf(&parts, "--%s--\r\n", boundary)
	mixed := fmt.Sprintf("Content-Type: multipart/mixed; boundary=\"%s\"\r\n", boundary)
	if key == nil {
		var b bytes.Buffer
		b.Write(head)
		b.WriteString(mixed + "\r\n")
		b.Write(parts.Bytes())
		return b.Bytes(), nil
	}
	// Encrypted: the whole entity, with the real subject as protected
	// headers, inside; outside only what mail.BuildEncrypted shows.
	var inner bytes.Buffer
	inner.WriteString(fmt.Sprintf("Content-Type: multipart/mixed; boundary=\"%s\"; protected-headers=\"v1\"\r\n", boundary))
	inner.Write(head)
	inner.WriteString("\r\n")
	inner.Write(parts.Bytes())
	armored, err := pgpkey.Encrypt([]pgpkey.Key{*key}, inner.Bytes(), msg.Date)
	if err != nil {
		return nil, err
	}
	outerMsg := msg
	outerMsg.Subject = mail.EncryptedSubject
	if msg.Marking != "" {
		outerMsg.Subject = msg.Marking + " " + mail.EncryptedSubject
	}
	outer, err := mail.Build(outerMsg)
	if err != nil {
		return nil, err
	}
	outerHead, _, err := splitBuilt(outer)
	if err != nil {
		return nil, err
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	ob := "detente-" + hex.EncodeToString(rnd[:])
	var b bytes.Buffer
	b.Write(outerHead)
	fmt.Fprintf(&b, "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n boundary=\"%s\"\r\n\r\n", ob)
	b.WriteString("This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n", ob)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\nContent-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n", ob)
	armored = bytes.ReplaceAll(armored, []byte("\r\n"), []byte("\n"))
	armored = bytes.TrimRight(armored, "\n")
	b.Write(bytes.ReplaceAll(armored, []byte("\n"), []byte("\r\n")))
	fmt.Fprintf(&b, "\r\n\r\n--%s--\r\n", ob)
	return b.Bytes(), nil
}

func icsName(m ical.Method) string {
	if m == ical.Cancel {
		return "cancel.ics"
	}
	return "invite.ics"
}
