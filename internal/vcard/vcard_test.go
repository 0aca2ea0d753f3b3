package vcard

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func sampleCard() Card {
	return Card{
		UID:            "urn:uuid:0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b",
		Kind:           "individual",
		FormattedName:  "Head of National CERT",
		Org:            "Ministry of Digital Affairs; CERT",
		Title:          "Head, Incident Response",
		Emails:         []string{"cert@example.invalid", "duty@example.invalid"},
		Phones:         []string{"+41229171234"},
		Languages:      []string{"en", "fr"},
		TimeZone:       "Europe/Zurich",
		Note:           "Reachable 24/7, via the duty officer.",
		KeyURI:         "https://directory.example.invalid/keys/0123.asc",
		KeyFingerprint: "0123456789ABCDEF0123456789ABCDEF01234567",
		Categories:     []string{"technical", "CERT, national"},
		Rev:            time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestWriteGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sampleCard()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "card.vcf")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("output differs from %s (run with -update after checking):\n%s", golden, b.String())
	}
	checkPhysicalLines(t, b.Bytes())
}

func TestRoundTrip(t *testing.T) {
	minimal := Card{FormattedName: "Policy POC"}
	textUID := Card{UID: "poc-42", FormattedName: "x"}
	fprOnly := Card{FormattedName: "x", KeyFingerprint: strings.Repeat("AB12", 10)}
	v6fpr := Card{FormattedName: "x", Note: "line one\nline two", KeyFingerprint: strings.Repeat("c0de", 16)}
	tests := []struct {
		name string
		in   []Card
		want []Card // nil means same as in
	}{
		{name: "full card", in: []Card{sampleCard()}},
		{name: "minimal card", in: []Card{minimal}},
		{name: "two cards", in: []Card{sampleCard(), minimal}},
		{name: "text UID", in: []Card{textUID}},
		{name: "fingerprint without note", in: []Card{fprOnly}},
		{name: "fingerprint upper-cased", in: []Card{v6fpr}, want: []Card{{FormattedName: "x", Note: "line one\nline two", KeyFingerprint: strings.Repeat("C0DE", 16)}}},
		{name: "non-E.164 phone kept as text", in: []Card{{FormattedName: "x", Phones: []string{"022 917 12 34 (switchboard)"}}}},
		{name: "CRLF in note becomes LF", in: []Card{{FormattedName: "x", Note: "a\r\nb\rc"}}, want: []Card{{FormattedName: "x", Note: "a\nb\nc"}}},
		{name: "empty category", in: []Card{{FormattedName: "x", Categories: []string{"a", "", "b"}}}},
		{name: "org kind", in: []Card{{Kind: "org", FormattedName: "National CERT"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.in...); err != nil {
				t.Fatal(err)
			}
			got, err := Parse(&b)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				want = tc.in
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip:\n got %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "backslash", in: `C:\path`, want: `C:\\path`},
		{name: "comma", in: "a,b", want: `a\,b`},
		{name: "semicolon", in: "a;b", want: `a\;b`},
		{name: "newline", in: "a\nb", want: `a\nb`},
		{name: "CRLF", in: "a\r\nb", want: `a\nb`},
		{name: "all together", in: "\\,;\n", want: `\\\,\;\n`},
		{name: "colon untouched", in: "a:b", want: "a:b"},
		{name: "tab untouched", in: "a\tb", want: "a\tb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := escapeText(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("escapeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
			var b bytes.Buffer
			if err := Write(&b, Card{FormattedName: tc.in}); err != nil {
				t.Fatal(err)
			}
			cards, err := Parse(&b)
			if err != nil {
				t.Fatal(err)
			}
			back := strings.ReplaceAll(tc.in, "\r\n", "\n")
			if cards[0].FormattedName != back {
				t.Fatalf("round trip of %q gave %q", tc.in, cards[0].FormattedName)
			}
		})
	}
}

func TestFolding(t *testing.T) {
	tests := []struct {
		name string
		note string
	}{
		{name: "ASCII", note: strings.Repeat("abcdefghij", 30)},
		{name: "two-byte runes", note: strings.Repeat("é", 200)},
		{name: "three-byte runes", note: strings.Repeat("中文", 100)},
		{name: "four-byte runes", note: strings.Repeat("🛡", 90)},
		{name: "mixed with escapes", note: strings.Repeat("a,é;中\n🛡\\", 40)},
		{name: "exactly one line", note: strings.Repeat("x", 75-len("NOTE:"))},
		{name: "one octet over", note: strings.Repeat("x", 76-len("NOTE:"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, Card{FormattedName: "x", Note: tc.note}); err != nil {
				t.Fatal(err)
			}
			checkPhysicalLines(t, b.Bytes())
			cards, err := Parse(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if cards[0].Note != tc.note {
				t.Fatalf("note changed in round trip:\n got %q\nwant %q", cards[0].Note, tc.note)
			}
		})
	}
}

func TestFoldBoundary(t *testing.T) {
	var b bytes.Buffer
	fold(&b, strings.Repeat("x", 75))
	if got := b.String(); got != strings.Repeat("x", 75)+"\r\n" {
		t.Fatalf("75 octets must stay on one line, got %q", got)
	}
	b.Reset()
	fold(&b, strings.Repeat("x", 76))
	if got := b.String(); got != strings.Repeat("x", 75)+"\r\n x\r\n" {
		t.Fatalf("76 octets must fold after 75, got %q", got)
	}
	b.Reset()
	fold(&b, strings.Repeat("x", 74)+"é") // é would straddle the boundary
	if got := b.String(); got != strings.Repeat("x", 74)+"\r\n é\r\n" {
		t.Fatalf("multi-octet rune must move to the next line whole, got %q", got)
	}
}

// checkPhysicalLines asserts RFC 6350 §3.2: CRLF line ends, at most 75
// octets per line, and every line valid UTF-8 on its own.
func checkPhysicalLines(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatal("output does not end with CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Fatalf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Fatalf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
	}
}

func TestWriteRejects(t *testing.T) {
	tests := []struct {
		name string
		card Card
		want string
	}{
		{name: "no FN", card: Card{}, want: "FN"},
		{name: "unknown kind", card: Card{FormattedName: "x", Kind: "person"}, want: "KIND"},
		{name: "control character", card: Card{FormattedName: "x\x00"}, want: "control character"},
		{name: "invalid UTF-8", card: Card{FormattedName: "x", Note: "\xff"}, want: "UTF-8"},
		{name: "KEY not a URI", card: Card{FormattedName: "x", KeyURI: "not a uri"}, want: "KEY"},
		{name: "KEY with newline", card: Card{FormattedName: "x", KeyURI: "https://x/\nNOTE:injected"}, want: "KEY"},
		{name: "UID URI with backslash", card: Card{FormattedName: "x", UID: `urn:x\y`}, want: "UID"},
		{name: "bad fingerprint", card: Card{FormattedName: "x", KeyFingerprint: "ABCD"}, want: "fingerprint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, Card{FormattedName: "fine"}, tc.card)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write error = %v, want one mentioning %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Fatalf("Write wrote %d bytes despite the error", b.Len())
			}
		})
	}
}

func TestParseForeign(t *testing.T) {
	// Input as another program might write it: LF endings, lower-case
	// names, groups, quoted parameters, tab folding, unknown properties.
	in := "begin:vcard\nversion:4.0\nitem1.fn;LANGUAGE=\"en:GB\":Jane\n\t Doe\nX-CUSTOM:ignored\nemail;type=work:j@example.invalid\ntel:+1 212 555 0100\nend:vcard\n"
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Card{{FormattedName: "Jane Doe", Emails: []string{"j@example.invalid"}, Phones: []string{"+1 212 555 0100"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{name: "missing END", in: "BEGIN:VCARD\r\nFN:x\r\n"},
		{name: "nested BEGIN", in: "BEGIN:VCARD\r\nBEGIN:VCARD\r\n"},
		{name: "property outside card", in: "FN:x\r\n"},
		{name: "line without colon", in: "BEGIN:VCARD\r\nFN\r\nEND:VCARD\r\n"},
		{name: "bad REV", in: "BEGIN:VCARD\r\nFN:x\r\nREV:yesterday\r\nEND:VCARD\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(tc.in)); err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error", tc.in)
			}
		})
	}
}

// FuzzParse checks that Parse never panics and that whatever it reads and
// Write accepts survives another round trip unchanged.
func FuzzParse(f *testing.F) {
	var b bytes.Buffer
	_ = Write(&b, sampleCard(), Card{FormattedName: "x", Phones: []string{"text"}})
	f.Add(b.String())
	f.Add("BEGIN:VCARD\nFN;X=\"a:b\":c\\,d\n e\nNOTE:x\\nOpenPGP fingerprint: " + strings.Repeat("ab", 20) + "\nEND:VCARD\n")
	f.Add("BEGIN:VCARD\r\nCATEGORIES:a\\,b,,c\\\r\nTEL;VALUE=uri:tel:tel:+1\r\nEND:VCARD")
	f.Fuzz(func(t *testing.T, s string) {
		cards, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, cards...); err != nil {
			return
		}
		checkPhysicalLines(t, append([]byte("x\r\n"), out.Bytes()...))
		again, err := Parse(&out)
		if err != nil {
			t.Fatalf("re-reading our own output: %v", err)
		}
		if !reflect.DeepEqual(again, cards) {
			t.Fatalf("round trip changed cards:\n got %#v\nwant %#v", again, cards)
		}
	})
}
