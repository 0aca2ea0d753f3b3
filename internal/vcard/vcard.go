// Package vcard writes vCard 4.0 (RFC 6350) so that POC directory entries
// can be imported into address books.
package vcard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Card is one directory entry. Every field except FormattedName is optional.
type Card struct {
	UID           string // a URI such as "urn:uuid:…"; without a scheme it is written as text
	Kind          string // "", "individual", "org", "group" or "location"
	FormattedName string // FN, required by RFC 6350
	Org           string
	Title         string
	Emails        []string // in order of preference
	Phones        []string // E.164 numbers become tel: URIs; anything else is written as text
	Languages     []string // BCP 47 tags, in order of preference
	TimeZone      string   // IANA name
	Note          string
	// KeyURI is where the current OpenPGP public key can be fetched.
	KeyURI string
	// KeyFingerprint is the OpenPGP fingerprint (40 or 64 hex digits).
	KeyFingerprint string
	Categories     []string
	Rev            time.Time // last change; zero omits REV
}

// The OpenPGP key is not embedded as a data: URI: a whole armored key per
// card bloats an export of hundreds of POCs and goes stale on rotation.
// KEY carries a URI to fetch the current key instead, and the fingerprint
// goes into NOTE as readable text, because what a person must do with it
// is compare it out of band, and NOTE is the one field every address book
// shows. Parse recognises that last NOTE line and fills KeyFingerprint.
const fingerprintLabel = "OpenPGP fingerprint: "

const maxLine = 75 // octets per physical line, excluding CRLF (§3.2)

var kinds = map[string]bool{"": true, "individual": true, "org": true, "group": true, "location": true}

// Write encodes cards as vCard 4.0. It checks every card before writing
// anything, so w never receives a partial export.
func Write(w io.Writer, cards ...Card) error {
	var b bytes.Buffer
	for i, c := range cards {
		if err := c.encode(&b); err != nil {
			return fmt.Errorf("vcard: card %d: %w", i+1, err)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (c Card) encode(b *bytes.Buffer) error {
	if c.FormattedName == "" {
		return errors.New("FN (formatted name) is required")
	}
	if !kinds[c.Kind] {
		return fmt.Errorf("unknown KIND %q", c.Kind)
	}
	var lines []string
	add := func(nameParams, value string) { lines = append(lines, nameParams+":"+value) }
	var bad error
	text := func(field, s string) string {
		v, err := escapeText(s)
		if err != nil && bad == nil {
			bad = fmt.Errorf("%s: %w", field, err)
		}
		return v
	}
	uri := func(field, s string) string {
		if err := checkURI(s); err != nil && bad == nil {
			bad = fmt.Errorf("%s: %w", field, err)
		}
		return s
	}

	add("BEGIN", "VCARD")
	add("VERSION", "4.0")
	if c.UID != "" {
		if strings.Contains(c.UID, ":") {
			add("UID", uri("UID", c.UID))
		} else {
			add("UID;VALUE=text", text("UID", c.UID))
		}
	}
	if c.Kind != "" {
		add("KIND", c.Kind)
	}
	add("FN", text("FN", c.FormattedName))
	if c.Org != "" {
		add("ORG", text("ORG", c.Org))
	}
	if c.Title != "" {
		add("TITLE", text("TITLE", c.Title))
	}
	for i, e := range c.Emails {
		add("EMAIL;PREF="+pref(i), text("EMAIL", e))
	}
	for i, p := range c.Phones {
		if isE164(p) {
			add("TEL;VALUE=uri;PREF="+pref(i), "tel:"+p)
		} else {
			add("TEL;VALUE=text;PREF="+pref(i), text("TEL", p))
		}
	}
	for i, l := range c.Languages {
		add("LANG;PREF="+pref(i), text("LANG", l))
	}
	if c.TimeZone != "" {
		add("TZ", text("TZ", c.TimeZone))
	}
	if c.KeyURI != "" {
		add("KEY;MEDIATYPE=application/pgp-keys", uri("KEY", c.KeyURI))
	}
	if len(c.Categories) > 0 {
		vals := make([]string, len(c.Categories))
		for i, v := range c.Categories {
			vals[i] = text("CATEGORIES", v)
		}
		add("CATEGORIES", strings.Join(vals, ","))
	}
	note := c.Note
	if c.KeyFingerprint != "" {
		fpr := strings.ToUpper(c.KeyFingerprint)
		if !isFingerprint(fpr) {
			return fmt.Errorf("key fingerprint %q is not 40 or 64 hex digits", c.KeyFingerprint)
		}
		if note != "" {
			note += "\n"
		}
		note += fingerprintLabel + groupFingerprint(fpr)
	}
	if note != "" {
		add("NOTE", text("NOTE", note))
	}
	if !c.Rev.IsZero() {
		add("REV", c.Rev.UTC().Format(revLayout))
	}
	add("END", "VCARD")
	if bad != nil {
		return bad
	}
	for _, l := range lines {
		fold(b, l)
	}
	return nil
}

const revLayout = "20060102T150405Z"

// pref numbers list entries by position; RFC 6350 §5.3 allows 1–100.
func pref(i int) string { return strconv.Itoa(min(i+1, 100)) }

// escapeText applies §3.4. Line breaks of any style become \n; other
// control characters have no representation in a vCard and are refused.
func escapeText(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ',':
			b.WriteString(`\,`)
		case ';':
			b.WriteString(`\;`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteRune(r)
		default:
			if unicode.IsControl(r) {
				return "", fmt.Errorf("control character %U", r)
			}
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// checkURI guards values written without escaping: they must be URIs, and
// nothing in them may be taken for vCard syntax when read back.
func checkURI(s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, '\\') {
		return fmt.Errorf("%q is not a usable URI", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%q is not a usable URI", s)
		}
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" {
		return fmt.Errorf("%q is not an absolute URI", s)
	}
	return nil
}

func isE164(s string) bool {
	if len(s) < 2 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isFingerprint(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func groupFingerprint(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// fold writes one content line as physical lines of at most maxLine octets,
// each continuation starting with a space (§3.2). It breaks only between
// runes so that no line holds a partial UTF-8 sequence.
func fold(b *bytes.Buffer, line string) {
	n := 0
	for i := 0; i < len(line); {
		_, size := utf8.DecodeRuneInString(line[i:])
		if n+size > maxLine {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteString(line[i : i+size])
		n += size
		i += size
	}
	b.WriteString("\r\n")
}
