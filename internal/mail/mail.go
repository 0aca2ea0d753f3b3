// Package mail builds the notifications detente sends (plain, or
// OpenPGP/MIME per RFC 3156 for POCs with a key) and sends them over SMTP.
//
// Built messages are 7-bit: headers use RFC 2047 encoded words for
// anything beyond ASCII, the body is UTF-8 text in quoted-printable, every
// line ends in CRLF and none is longer than 998 octets, so any relay
// carries them unchanged. Values that could end a header early are refused,
// not cleaned up, so a caller's bug cannot become a header injection.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/pgpkey"
)

// Message is a notification before it is encoded.
type Message struct {
	From      string   // address, e.g. notices@detente.example
	FromName  string   // display name, may be non-ASCII
	To        []string // addresses, ASCII only (no SMTPUTF8)
	Subject   string
	MessageID string // without <>; the same notification keeps the same id, so resends are recognisable
	Date      time.Time
	Headers   map[string]string // extra headers, e.g. X-Detente-Thread; never encrypted
	Text      string            // the body, UTF-8; any line-end convention
	// Marking goes before EncryptedSubject outside an encrypted message,
	// for a marking that must show before it is opened ("[EXERCISE]").
	Marking string
}

// EncryptedSubject replaces the subject outside an encrypted message, so
// nothing of the content shows to a server on the way.
const EncryptedSubject = "Encrypted message from detente"

const (
	maxLine   = 998 // RFC 5322 §2.1.1: the hard limit, without CRLF
	foldWidth = 78  // RFC 5322 §2.1.1: the recommended one
	// The longest encoded word is 75 characters (RFC 2047 §2).
	maxWord   = 75
	wordFrame = len("=?utf-8?q?") + len("?=")
)

// reserved headers are the ones Build writes itself, plus those that would
// change who receives the mail or how it is read. Callers may not set them
// through Message.Headers.
var reserved = map[string]bool{
	"from": true, "sender": true, "to": true, "cc": true, "bcc": true, "subject": true,
	"date": true, "message-id": true, "mime-version": true, "auto-submitted": true,
	"x-auto-response-suppress": true, "return-path": true,
}

func invalid(field, problem string) error {
	return &errs.Error{Code: errs.Invalid, Message: "the mail cannot be built", Fields: map[string]string{field: problem}}
}

// checkValue refuses what could end a header early or confuse a mail
// client: line breaks (header injection), other control characters and
// bytes that are not UTF-8.
func checkValue(field, v string) error {
	if !utf8.ValidString(v) {
		return invalid(field, "is not valid UTF-8")
	}
	for _, r := range v {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return invalid(field, "may not contain line breaks or control characters")
		}
	}
	return nil
}

// needsEncoding reports whether v must be sent as encoded words: it has
// non-ASCII characters, or text a reader would take for an encoded word.
func needsEncoding(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 {
			return true
		}
	}
	return strings.Contains(v, "=?")
}

// encodeWords writes v as RFC 2047 Q-encoded UTF-8 words separated by
// single spaces, splitting only between characters. Only letters, digits
// and !*+-/ stay as they are, which is safe in every header (RFC 2047 §5).
// The first word is at most first characters long, so that it fits on the
// line after the header name; the others at most maxWord.
func encodeWords(v string, first int) string {
	limit := min(max(first, 30), maxWord) - wordFrame
	var words []string
	var cur strings.Builder
	var buf [utf8.UTFMax]byte
	for _, r := range v {
		var enc string
		switch {
		case r == ' ':
			enc = "_"
		case r < 0x80 && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("!*+-/", r)):
			enc = string(r)
		default:
			n := utf8.EncodeRune(buf[:], r)
			for _, c := range buf[:n] {
				enc += fmt.Sprintf("=%02X", c)
			}
		}
		if cur.Len()+len(enc) > limit && cur.Len() > 0 {
			words = append(words, "=?utf-8?q?"+cur.String()+"?=")
			cur.Reset()
			limit = maxWord - wordFrame
		}
		cur.WriteString(enc)
	}
	if cur.Len() > 0 || len(words) == 0 {
		words = append(words, "=?utf-8?q?"+cur.String()+"?=")
	}
	return strings.Join(words, " ")
}

// fold breaks a header line before single spaces between other characters
// so lines stay near foldWidth. Folding only there means unfolding, even
// by readers that join continuation lines with one space, gives the value
// back unchanged. from is where the value starts.
func fold(line string, from int) string {
	isWSP := func(c byte) bool { return c == ' ' || c == '\t' }
	var b strings.Builder
	start, last := 0, -1
	for i := from + 1; i < len(line)-1; i++ {
		if line[i] != ' ' || isWSP(line[i-1]) || isWSP(line[i+1]) {
			continue
		}
		if i-start > foldWidth && last > start {
			b.WriteString(line[start:last])
			b.WriteString("\r\n")
			start = last
		}
		last = i
	}
	if len(line)-start > foldWidth && last > start {
		b.WriteString(line[start:last])
		b.WriteString("\r\n")
		start = last
	}
	b.WriteString(line[start:])
	return b.String()
}

// header writes one header field. value is unstructured text unless
// structured is set, in which case the caller has encoded it already.
func header(b *bytes.Buffer, name, value string, structured bool) error {
	field := strings.ToLower(name)
	if err := checkValue(field, value); err != nil {
		return err
	}
	v := strings.Trim(value, " \t")
	if !structured && needsEncoding(v) {
		v = encodeWords(v, foldWidth-len(name+": "))
	}
	line := fold(name+": "+v, len(name)+1)
	for _, l := range strings.Split(line, "\r\n") {
		if len(l) > maxLine {
			return invalid(field, fmt.Sprintf("is too long for one line of %d octets", maxLine))
		}
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return nil
}

// headerName checks an extra header's name: a token of letters, digits
// and hyphens (stricter than RFC 5322, which is all we need), not one
// that Build writes or that changes where the mail goes.
func headerName(name string) error {
	if name == "" {
		return invalid("headers", "a header has no name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' && i > 0) {
			return invalid("headers", fmt.Sprintf("%q is not a valid header name", name))
		}
	}
	lower := strings.ToLower(name)
	if reserved[lower] || strings.HasPrefix(lower, "content-") || strings.HasPrefix(lower, "resent-") {
		return invalid("headers", fmt.Sprintf("%s is set by the mail builder, not by callers", name))
	}
	return nil
}

// address checks a plain ASCII address: the message is 7-bit and relays
// without SMTPUTF8 would refuse anything else.
func address(field, a string) (string, error) {
	if err := checkValue(field, a); err != nil {
		return "", err
	}
	if needsEncoding(a) || strings.ContainsAny(a, " \t<>\"") {
		return "", invalid(field, fmt.Sprintf("%q is not a plain ASCII address", a))
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a || p.Name != "" {
		return "", invalid(field, fmt.Sprintf("%q is not an email address", a))
	}
	return a, nil
}

// isAtext reports whether c may appear in an RFC 5322 atom.
func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// dotAtom reports whether s is an RFC 5322 dot-atom-text.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// messageID checks the id as RFC 5322 §3.6.4 has it (without the rarely
// used domain literal), with or without the angle brackets.
func messageID(id string) (string, error) {
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" {
		return "", invalid("message_id", "a message needs a Message-ID")
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok || !dotAtom(left) || !dotAtom(right) {
		return "", invalid("message_id", fmt.Sprintf("%q is not of the form local@domain", id))
	}
	return "<" + id + ">", nil
}

// headers writes the header fields common to both forms, with subject as
// the Subject.
func (m Message) headers(b *bytes.Buffer, subject string) error {
	id, err := messageID(m.MessageID)
	if err != nil {
		return err
	}
	if len(m.To) == 0 {
		return invalid("to", "a message needs recipients")
	}
	fromAddr, err := address("from", m.From)
	if err != nil {
		return err
	}
	if err := checkValue("from_name", m.FromName); err != nil {
		return err
	}
	from := (&mail.Address{Name: m.FromName, Address: fromAddr}).String()
	if name := strings.Trim(m.FromName, " \t"); needsEncoding(name) {
		from = encodeWords(name, foldWidth-len("From: ")) + " <" + fromAddr + ">"
	}
	to := make([]string, len(m.To))
	for i, a := range m.To {
		if to[i], err = address("to", a); err != nil {
			return err
		}
	}
	date := m.date()
	for _, h := range []struct {
		name, value string
		structured  bool
	}{
		{"From", from, true},
		{"To", strings.Join(to, ", "), true},
		{"Subject", subject, false},
		{"Date", date.UTC().Format(time.RFC1123Z), true},
		{"Message-ID", id, true},
		{"MIME-Version", "1.0", true},
		// RFC 3834: no vacation or out-of-office replies to notifications;
		// the second is what Exchange listens to.
		{"Auto-Submitted", "auto-generated", true},
		{"X-Auto-Response-Suppress", "All", true},
	} {
		if err := header(b, h.name, h.value, h.structured); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		if err := headerName(k); err != nil {
			return err
		}
		names = append(names, k)
	}
	sort.Strings(names) // the same message gives the same bytes
	for _, k := range names {
		if err := header(b, k, m.Headers[k], false); err != nil {
			return err
		}
	}
	return nil
}

// body writes text as quoted-printable UTF-8. Quoted-printable keeps every
// line short and the bytes 7-bit whatever the text holds; its writer turns
// CR, LF and CRLF alike into CRLF.
func body(b *bytes.Buffer, text string) error {
	if !utf8.ValidString(text) {
		return invalid("text", "is not valid UTF-8")
	}
	w := quotedprintable.NewWriter(b)
	_, _ = w.Write([]byte(text))
	_ = w.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return nil
}

const textType = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"

// date is when m is written: Date, set by the sender from its injected
// clock, or the wall clock for a message built without one.
func (m Message) date() time.Time {
	if m.Date.IsZero() {
		return time.Now()
	}
	return m.Date
}

// Build encodes m as a plain text message. The same m, with its Date set,
// gives the same bytes.
func Build(m Message) ([]byte, error) {
	var b bytes.Buffer
	if err := m.headers(&b, m.Subject); err != nil {
		return nil, err
	}
	b.WriteString(textType)
	b.WriteString("\r\n")
	if err := body(&b, m.Text); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// BuildEncrypted encodes m as OpenPGP/MIME (RFC 3156) to recipients. The
// encrypted part is a whole MIME entity carrying the real subject and the
// other header fields as protected headers (the "v1" scheme that
// Thunderbird and others show); outside there is only EncryptedSubject,
// the addresses, the date, the Message-ID and m.Headers.
func BuildEncrypted(m Message, recipients []pgpkey.Key) ([]byte, error) {
	var inner bytes.Buffer
	inner.WriteString("Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\r\nContent-Transfer-Encoding: quoted-printable\r\n")
	if err := m.headers(&inner, m.Subject); err != nil {
		return nil, err
	}
	inner.WriteString("\r\n")
	if err := body(&inner, m.Text); err != nil {
		return nil, err
	}
	armored, err := pgpkey.Encrypt(recipients, inner.Bytes(), m.date())
	if err != nil {
		return nil, err
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, errs.Internalf(err, "mail: boundary")
	}
	// Armor is base64 and "-----" lines, so a boundary of hex after
	// "detente-" cannot occur inside it.
	boundary := "detente-" + hex.EncodeToString(rnd[:])
	var b bytes.Buffer
	outside := EncryptedSubject
	if m.Marking != "" {
		outside = m.Marking + " " + outside
	}
	if err := m.headers(&b, outside); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n boundary=\"%s\"\r\n\r\n", boundary)
	b.WriteString("This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\nContent-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n", boundary)
	armored = bytes.ReplaceAll(armored, []byte("\r\n"), []byte("\n"))
	armored = bytes.TrimRight(armored, "\n")
	b.Write(bytes.ReplaceAll(armored, []byte("\n"), []byte("\r\n")))
	fmt.Fprintf(&b, "\r\n\r\n--%s--\r\n", boundary)
	return b.Bytes(), nil
}
