// Package mail builds the notifications detente sends (plain, or
// OpenPGP/MIME per RFC 3156 for POCs with a key) and sends them over SMTP.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/detente/detente/internal/pgpkey"
)

// Message is a notification before it is encoded.
type Message struct {
	From      string // address
	FromName  string
	To        []string
	Subject   string
	MessageID string // without <>; the same notification keeps the same id
	Date      time.Time
	Headers   map[string]string // extra headers, e.g. X-Detente-Thread
	Text      string
}

// maxLine is the RFC 5322 limit on a line, without CRLF.
const maxLine = 998

var errHeader = errors.New("header values may not contain line breaks or control characters")

// clean refuses what could end a header early or confuse a mail client:
// line breaks (header injection) and other control characters.
func clean(v string) (string, error) {
	if !utf8.ValidString(v) {
		return "", errors.New("header values must be valid UTF-8")
	}
	for _, r := range v {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return "", errHeader
		}
	}
	return v, nil
}

// header writes one header field, encoding non-ASCII with RFC 2047.
func header(b *bytes.Buffer, name, value string) error {
	v, err := clean(strings.Trim(value, " \t"))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, r := range v {
		if r >= 0x80 {
			// Encoded words are at most 75 characters and separated by a
			// space; folding there keeps every line short.
			v = strings.ReplaceAll(mime.QEncoding.Encode("utf-8", v), "?= =?", "?=\r\n =?")
			break
		}
	}
	for _, line := range strings.Split(name+": "+v, "\r\n") {
		if len(line) > maxLine {
			return fmt.Errorf("%s: header line longer than %d octets", name, maxLine)
		}
	}
	fmt.Fprintf(b, "%s: %s\r\n", name, v)
	return nil
}

func (m Message) headers(b *bytes.Buffer, subject string) error {
	if m.MessageID == "" {
		return errors.New("a message needs a Message-ID")
	}
	if len(m.To) == 0 {
		return errors.New("a message needs recipients")
	}
	from := (&mail.Address{Name: m.FromName, Address: m.From}).String()
	var to []string
	for _, a := range m.To {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("recipient %q: %w", a, err)
		}
		to = append(to, a)
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	for _, h := range [][2]string{
		{"From", from}, {"To", strings.Join(to, ", ")}, {"Subject", subject},
		{"Date", date.UTC().Format(time.RFC1123Z)}, {"Message-ID", "<" + m.MessageID + ">"},
		{"MIME-Version", "1.0"}, {"Auto-Submitted", "auto-generated"},
	} {
		if err := header(b, h[0], h[1]); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := header(b, k, m.Headers[k]); err != nil {
			return err
		}
	}
	return nil
}

// textPart is a complete MIME entity holding the body as UTF-8 text.
func textPart(b *bytes.Buffer, text string) {
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	w := quotedprintable.NewWriter(b)
	// Quoted-printable keeps every line short and the bytes 7-bit; CRLF
	// line ends are what SMTP carries.
	_, _ = w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")))
	w.Close()
	b.WriteString("\r\n")
}

// Build encodes m as a plain text message.
func Build(m Message) ([]byte, error) {
	var b bytes.Buffer
	if err := m.headers(&b, m.Subject); err != nil {
		return nil, err
	}
	textPart(&b, m.Text)
	return b.Bytes(), nil
}

// EncryptedSubject replaces the subject outside an encrypted message, so
// nothing of the content shows to a server on the way.
const EncryptedSubject = "Encrypted message from detente"

// BuildEncrypted encodes m as OpenPGP/MIME (RFC 3156) to recipients. The
// real subject travels inside, as a protected header of the encrypted part.
func BuildEncrypted(m Message, recipients []pgpkey.Key) ([]byte, error) {
	var inner bytes.Buffer
	// The inner entity carries the subject for clients that show protected
	// headers.
	if err := header(&inner, "Subject", m.Subject); err != nil {
		return nil, err
	}
	textPart(&inner, m.Text)
	armored, err := pgpkey.Encrypt(recipients, inner.Bytes())
	if err != nil {
		return nil, err
	}
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	boundary := "detente-" + hex.EncodeToString(rnd[:])
	var b bytes.Buffer
	if err := m.headers(&b, EncryptedSubject); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"%s\"\r\n\r\n", boundary)
	b.WriteString("This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\nContent-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n", boundary)
	b.Write(bytes.ReplaceAll(bytes.ReplaceAll(armored, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes(), nil
}
