// Package validate checks and normalises the small values people type into
// forms: email addresses, phone numbers, time zones, language tags, free
// text and web addresses.
//
// Every validator returns the normalised value and a problem: "" when the
// value is acceptable, otherwise a short sentence telling a person what to
// fix, ready for errs.Fields.Add. Validating a normalised value again
// returns it unchanged, so stored values can be re-checked at any time.
package validate

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // time zones must resolve on hosts without a zoneinfo database
	"unicode"
	"unicode/utf8"
)

// Limits from RFC 5321 §4.5.3.1: what a mail server will relay.
const (
	maxEmail      = 254
	maxLocalPart  = 64
	maxLabel      = 63
	maxURL        = 2048
	maxZoneName   = 64
	minPhoneDigit = 8
	maxPhoneDigit = 15 // E.164 §6.1
)

const emailHint = "enter an address like name@example.org"

// Email checks a single RFC 5322 addr-spec: no display name, no angle
// brackets, no comments. It lower-cases the domain; the local part keeps its
// case because only the receiving server may interpret it.
//
// Quoted local parts, domain literals and non-ASCII addresses are refused:
// they are legal but rarely deliverable, and a directory of contact points
// must only hold addresses that work.
func Email(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", emailHint
	case len(s) > maxEmail:
		return s, fmt.Sprintf("the address is too long: use at most %d characters", maxEmail)
	case !isASCII(s):
		return s, "use only ASCII letters, digits and punctuation; write an international domain in its xn-- form"
	}
	if strings.Contains(s, `"`) {
		return s, "quoted mailbox names are not supported; " + emailHint
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		if strings.ContainsAny(s, ",;") {
			return s, "enter one address only"
		}
		return s, emailHint
	}
	if addr.Name != "" || addr.Address != s {
		// ParseAddress accepts "Name <a@b>" and comments; we store bare addresses.
		return s, "enter the address only, without a name or brackets, like name@example.org"
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if !isDotAtom(local) || len(local) > maxLocalPart {
		return s, "the part before @ is not a usable mailbox name; " + emailHint
	}
	domain = strings.ToLower(domain)
	if problem := checkDomain(domain); problem != "" {
		return s, problem
	}
	return local + "@" + domain, ""
}

// atext from RFC 5322 §3.2.3, without the letters and digits.
const atextSpecials = "!#$%&'*+-/=?^_`{|}~"

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r != '.' && !isAlnum(r) && !strings.ContainsRune(atextSpecials, r) {
			return false
		}
	}
	return true
}

// checkDomain wants a DNS host name with at least two labels and an
// alphabetic top-level label, so that reserved names such as example.invalid
// or poc.test pass but "localhost", IP addresses and typos like "gov" fail.
func checkDomain(d string) string {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "the domain after @ needs a dot, like example.org"
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return "the domain after @ is not valid; " + emailHint
		}
		for _, r := range l {
			if !isAlnum(r) && r != '-' {
				return "the domain after @ may only contain letters, digits, hyphens and dots"
			}
		}
	}
	tld := labels[len(labels)-1]
	if !strings.HasPrefix(tld, "xn--") && (len(tld) < 2 || !allLetters(tld)) {
		return "the domain after @ must end in a name such as .org or .int"
	}
	return ""
}

const phoneHint = "use international format, like +41 22 917 12 34"

// Phone normalises a number to E.164: "+" and 8 to 15 digits, the first of
// which (the country code) is never 0. Spaces, dashes, dots and parentheses
// are removed; the "(0)" trunk prefix common in European notation is dropped
// because it must not be dialled from abroad.
func Phone(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", phoneHint
	}
	s = strings.ReplaceAll(s, "(0)", "")
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '-', r == '.', r == '(', r == ')', r == '/':
			// visual separators
		default:
			b.WriteRune(r)
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "00") {
		return n, "start with + and the country code instead of 00; " + phoneHint
	}
	if !strings.HasPrefix(n, "+") {
		return n, "start with + and the country code; " + phoneHint
	}
	digits := n[1:]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return n, "use digits only, no letters or extensions; " + phoneHint
		}
	}
	switch {
	case len(digits) < minPhoneDigit:
		return n, "the number is too short; " + phoneHint
	case len(digits) > maxPhoneDigit:
		return n, fmt.Sprintf("the number is too long: at most %d digits after +", maxPhoneDigit)
	case digits[0] == '0':
		return n, "country codes never start with 0; " + phoneHint
	}
	return n, ""
}

const zoneHint = "choose a time zone name, like Europe/Zurich or America/New_York"

// zoneAreas are the IANA tz database's geographic areas. Names outside them
// (Factory, posixrules, localtime, CET, US/Eastern, posix/… and right/…
// copies) exist in zoneinfo directories but are not places a person is in.
var zoneAreas = map[string]bool{"Africa": true, "America": true, "Antarctica": true, "Arctic": true, "Asia": true,
	"Atlantic": true, "Australia": true, "Europe": true, "Indian": true, "Pacific": true}

// TimeZone accepts an IANA time zone name of the form Area/Location that
// this program can load, UTC, and the fixed Etc/GMT±N offsets. It refuses
// "Local", which names the server's zone rather than the person's, and the
// other files a zoneinfo directory holds.
func TimeZone(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" || s == "Local" || len(s) > maxZoneName {
		return s, zoneHint
	}
	area, loc, _ := strings.Cut(s, "/")
	switch {
	case s == "UTC" || s == "Etc/UTC":
	case area == "Etc" && strings.HasPrefix(loc, "GMT"):
	case zoneAreas[area] && loc != "":
	default:
		return s, "not a place's time zone; " + zoneHint
	}
	// LoadLocation reads files named after its argument; keep to the
	// characters real zone names use so nothing else can be reached.
	for _, r := range s {
		if !isAlnum(r) && !strings.ContainsRune("/_+-", r) {
			return s, zoneHint
		}
	}
	if strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return s, zoneHint
	}
	if _, err := time.LoadLocation(s); err != nil {
		return s, "unknown time zone; " + zoneHint
	}
	return s, ""
}

const langHint = "use a language code like en, fr, zh-Hans or pt-BR"

// Language checks the common shape of a BCP 47 tag (RFC 5646):
// a 2–3 letter language, then optionally a 4-letter script, a 2-letter or
// 3-digit region and variants. Extensions and private use are not needed
// for "which languages does this contact speak" and are refused. Case is
// normalised as the RFC recommends (en, zh-Hans, pt-BR); "_" is accepted
// as a separator because POSIX locales use it.
func Language(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", langHint
	}
	if len(s) > 35 {
		return s, langHint
	}
	parts := strings.Split(strings.ReplaceAll(s, "_", "-"), "-")
	lang := parts[0]
	if len(lang) < 2 || len(lang) > 3 || !allLetters(lang) {
		return s, langHint
	}
	out := []string{strings.ToLower(lang)}
	rest := parts[1:]
	if len(rest) > 0 && len(rest[0]) == 4 && allLetters(rest[0]) {
		out = append(out, strings.ToUpper(rest[0][:1])+strings.ToLower(rest[0][1:]))
		rest = rest[1:]
	}
	if len(rest) > 0 && (len(rest[0]) == 2 && allLetters(rest[0]) || len(rest[0]) == 3 && allDigits(rest[0])) {
		out = append(out, strings.ToUpper(rest[0]))
		rest = rest[1:]
	}
	for _, v := range rest {
		// variant: 5–8 alphanumerics, or a digit followed by 3 alphanumerics
		ok := (len(v) >= 5 && len(v) <= 8 || len(v) == 4 && v[0] >= '0' && v[0] <= '9') && allAlnumASCII(v)
		if !ok {
			return s, langHint
		}
		out = append(out, strings.ToLower(v))
	}
	return strings.Join(out, "-"), ""
}

// Text trims s, turns CRLF (as browsers submit textareas) into LF, and
// checks that it is valid UTF-8 without control characters other than
// newline and tab and that it has between min and max characters.
func Text(s string, min, max int) (string, string) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	return checkText(s, min, max, "\n\t")
}

// OneLine is Text for single-line fields: no newline or tab, and it may be
// empty (callers decide whether the field is required). Names, titles,
// subjects and file names are shown where nothing reveals hidden
// characters, so those that change how text reads (see Plain) are refused.
func OneLine(s string, max int) (string, string) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\r\n") {
		return s, "use a single line"
	}
	if problem := Plain(s); problem != "" {
		return s, problem
	}
	return checkText(s, 0, max, "")
}

// Encoding reports a value no database can store as text: one with a NUL
// character or bytes that are not UTF-8. Edges call it on every query
// parameter and body field so that such input is refused the same way on
// every engine (PostgreSQL refuses both, SQLite stores them).
func Encoding(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character (0x00); remove it"
	case !utf8.ValidString(s):
		return "is not valid UTF-8 text; send text encoded as UTF-8"
	}
	return ""
}

// hidden names the invisible formatting characters that make text read as
// something else: bidirectional embeddings, overrides and isolates (which
// turn "Invoice\u202Eexe.pdf" into "Invoicefdp.exe" on screen), zero-width
// characters and the byte order mark.
var hidden = map[rune]string{
	0x202A: "left-to-right embedding", 0x202B: "right-to-left embedding", 0x202C: "pop directional formatting",
	0x202D: "left-to-right override", 0x202E: "right-to-left override",
	0x2066: "left-to-right isolate", 0x2067: "right-to-left isolate", 0x2068: "first strong isolate", 0x2069: "pop directional isolate",
	0x200B: "zero-width space", 0x200C: "zero-width non-joiner", 0x200D: "zero-width joiner", 0x2060: "word joiner",
	0xFEFF: "byte order mark",
}

// Plain reports the first hidden character in s (see hidden), for
// one-line fields, which refuse them.
func Plain(s string) string {
	for _, r := range s {
		if name, ok := hidden[r]; ok {
			return fmt.Sprintf("contains an invisible character (U+%04X, %s) that can make text look like something else; retype it without that character", r, name)
		}
	}
	return ""
}

// Reveal replaces each hidden character in s with a visible marker such as
// ⟨U+202E⟩, for showing long text, which may keep them, without letting
// them act.
func Reveal(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := hidden[r]; return ok }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, ok := hidden[r]; ok {
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func checkText(s string, min, max int, allowed string) (string, string) {
	if !utf8.ValidString(s) {
		return s, "the text contains invalid characters; paste it as plain text"
	}
	for _, r := range s {
		if unicode.IsControl(r) && !strings.ContainsRune(allowed, r) {
			return s, "the text contains invisible control characters; paste it as plain text"
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		return s, "this field is required"
	case n < min:
		return s, fmt.Sprintf("use at least %d characters", min)
	case n > max:
		return s, fmt.Sprintf("use at most %d characters (now %d)", max, n)
	}
	return s, ""
}

const urlHint = "enter a full web address, like https://example.org/page"

// URL accepts an absolute http or https address with a host. It refuses
// user names and passwords in the address, which would leak credentials
// to everyone who can read the directory. Scheme and host are lower-cased.
func URL(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", urlHint
	case len(s) > maxURL:
		return s, fmt.Sprintf("the address is too long: use at most %d characters", maxURL)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return s, "the address must not contain spaces; " + urlHint
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return s, urlHint
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return s, "the address must start with https:// or http://"
	}
	if u.User != nil {
		return s, "remove the user name and password from the address"
	}
	if u.Hostname() == "" {
		return s, urlHint
	}
	if p := u.Port(); p != "" && !allDigits(p) {
		return s, urlHint
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func allLetters(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func allAlnumASCII(s string) bool {
	for _, r := range s {
		if !isAlnum(r) {
			return false
		}
	}
	return s != ""
}
