package notify

import (
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/pgpkey"
)

// A point of contact's mail is written in the first of the POC's languages
// that the catalogue has, else English (i18n.FirstOf): the directory entry
// lists the languages its people work in, in their order. The messages are
// in the catalogue's area "mail", each in the context "mail" so that no
// page's message of the same words can clash with them.
//
// The TLP label, the PAP label and the EXERCISE marking stay in their
// standard English form in every language (TLP 2.0). Text that people
// wrote (a subject, an organisation) is isolated by the printer where its
// direction differs from the mail's, and in an Arabic mail the English
// markings at the head of the subject are isolated too, so that the line
// still reads right to left.

// printerFor is the printer of p's mail.
func (n *Notifier) printerFor(p directory.POC) *i18n.Printer {
	return n.text.Printer(i18n.FirstOf(p.Languages...))
}

// zoneOf is where p works, for the dates in its mail; UTC when the entry
// names no zone Go knows.
func zoneOf(p directory.POC) *time.Location {
	if p.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// stateIn names a State in p's language by the UN's short name, as the
// pages do (Printer.StateName).
func stateIn(p *i18n.Printer, code string) string {
	return p.StateName(code, stateName(code))
}

// exerciseMark is the marking of a communication sent in an exercise.
const exerciseMark = "EXERCISE"

// subjectLine puts "[detente]" and the markings before text. In a
// right-to-left language the English head is isolated, so that the
// direction of the line is that of text and the head stays at its start.
func subjectLine(p *i18n.Printer, text string, marks ...string) string {
	head := strings.Join(append([]string{"[detente]"}, marks...), " ")
	if p.Language().RTL() {
		head = i18n.Isolate(head)
	}
	if text == "" {
		return head
	}
	return head + " " + text
}

// upperFirst capitalises the first letter, for a word that starts a
// subject; scripts without case are left as they are.
func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// The names of the kinds of communication, urgencies and levels as a mail
// writes them inside a sentence.
var (
	typeNames = map[messaging.Type]i18n.Message{
		messaging.IncidentNotification: i18n.MC("mail, type of communication", "incident notification"),
		messaging.AssistanceRequest:    i18n.MC("mail, type of communication", "request for assistance"),
		messaging.MitigationRequest:    i18n.MC("mail, type of communication", "request to mitigate activity from your territory"),
		messaging.InformationRequest:   i18n.MC("mail, type of communication", "request for information"),
		messaging.VulnerabilityReport:  i18n.MC("mail, type of communication", "vulnerability report"),
		messaging.Acknowledgement:      i18n.MC("mail, type of communication", "acknowledgement"),
		messaging.Update:               i18n.MC("mail, type of communication", "update"),
		messaging.Closure:              i18n.MC("mail, type of communication", "closure"),
	}
	urgencyNames = map[messaging.Urgency]i18n.Message{
		messaging.Routine:  i18n.MC("mail, urgency", "routine"),
		messaging.Priority: i18n.MC("mail, urgency", "priority"),
		messaging.Urgent:   i18n.MC("mail, urgency", "urgent"),
	}
	levelNames = map[string]i18n.Message{
		"diplomatic": i18n.MC("mail, level of a point of contact", "diplomatic"),
		"policy":     i18n.MC("mail, level of a point of contact", "policy"),
		"technical":  i18n.MC("mail, level of a point of contact", "technical"),
	}
)

// named is the name of key in names, written by p; a key the table lacks
// (a value newer than this code) is shown as it is.
func named[K ~string](p *i18n.Printer, names map[K]i18n.Message, key K) string {
	if m, ok := names[key]; ok {
		return p.Msg(m)
	}
	return strings.ReplaceAll(string(key), "_", " ")
}

// mailHost is the host the Message-IDs are under: the base URL's, or
// detente.invalid when it names none.
func (n *Notifier) mailHost() string {
	if u, err := url.Parse(n.cfg.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "detente.invalid"
}

// encryptionKey is the key a mail to a POC with armored on file is
// encrypted to at now, or nil when it has none that parses and encrypts.
func encryptionKey(armored string, now time.Time) *pgpkey.Key {
	if armored == "" {
		return nil
	}
	k, err := pgpkey.Parse(armored, now)
	if err != nil || !k.CanEncrypt {
		return nil
	}
	return &k
}
