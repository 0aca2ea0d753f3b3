package mail_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/mail"
)

func message() mail.Message {
	return mail.Message{
		From: "notices@detente.test.invalid", FromName: "detente", To: []string{"duty@cert.ke.test.invalid"},
		Subject: "Urgent: demande d’assistance — réseau électrique", MessageID: "01a20598-cca2-7d25@detente.test.invalid",
		Date: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC), Headers: map[string]string{"X-Detente-Thread": "thread-1"},
		Text: "A request for assistance reached your State.\nSign in to read it: https://detente.test.invalid/threads/1\n",
	}
}

// checkLines fails on a line end other than CRLF or a line over 998 octets.
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end in CRLF")
	}
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Errorf("line %d is %d octets", i+1, len(line))
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Errorf("line %d is not 7-bit: %q", i+1, line)
				break
			}
		}
	}
}

// parse reads raw with net/mail, decodes the subject and the
// quoted-printable body, and turns CRLF back into LF.
func parse(t *testing.T, raw []byte) (*netmail.Message, string, string) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	if cte := m.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return m, subject, strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		change func(*mail.Message)
	}{
		{"ASCII subject", func(m *mail.Message) { m.Subject = "[detente] Urgent request for assistance" }},
		{"French subject", func(m *mail.Message) {}},
		{"Arabic, Chinese and Russian subject", func(m *mail.Message) {
			m.Subject = "طلب مساعدة عاجل — 紧急援助请求 — срочный запрос о помощи"
		}},
		{"subject that looks like an encoded word", func(m *mail.Message) { m.Subject = "=?utf-8?q?not_encoded?= as typed" }},
		{"long ASCII subject folds", func(m *mail.Message) { m.Subject = strings.Repeat("incident notification ", 30) + "end" }},
		{"long non-ASCII subject folds", func(m *mail.Message) { m.Subject = strings.Repeat("réseau électrique ", 60) + "fin" }},
		{"subject with runs of blanks and a tab", func(m *mail.Message) { m.Subject = "a  b\tc " + strings.Repeat("x ", 60) + "  d" }},
		{"empty subject", func(m *mail.Message) { m.Subject = "" }},
		{"non-ASCII sender name", func(m *mail.Message) { m.FromName = "Détente — Secrétariat" }},
		{"many recipients", func(m *mail.Message) {
			m.To = nil
			for i := 0; i < 20; i++ {
				m.To = append(m.To, "poc"+strings.Repeat("x", i)+"@cert.example.invalid")
			}
		}},
		{"Message-ID in angle brackets", func(m *mail.Message) { m.MessageID = "<" + m.MessageID + ">" }},
		{"long body lines", func(m *mail.Message) { m.Text = strings.Repeat("long line ", 300) + "\n" + strings.Repeat("ü", 2000) }},
		{"body with dots, CRLF and CR", func(m *mail.Message) { m.Text = ".\n..leading dots\r\nfrom CRLF\rlone CR\n\nFrom here\n" }},
		{"body with trailing blanks and equals signs", func(m *mail.Message) { m.Text = "a = b \nc\t\n=41\n" }},
		{"empty body", func(m *mail.Message) { m.Text = "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := message()
			tc.change(&in)
			raw, err := mail.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, raw)
			m, subject, body := parse(t, raw)
			if want := strings.Trim(in.Subject, " \t"); subject != want {
				t.Errorf("subject came back as %q, want %q", subject, want)
			}
			wantBody := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(in.Text)
			if wantBody != "" && !strings.HasSuffix(wantBody, "\n") {
				wantBody += "\n"
			}
			if body != wantBody {
				t.Errorf("body came back as %q, want %q", body, wantBody)
			}
			from, err := netmail.ParseAddress(m.Header.Get("From"))
			if err != nil || from.Address != in.From || from.Name != in.FromName {
				t.Errorf("From %q parsed as %+v, %v", m.Header.Get("From"), from, err)
			}
			to, err := m.Header.AddressList("To")
			if err != nil || len(to) != len(in.To) {
				t.Fatalf("To %q: %v", m.Header.Get("To"), err)
			}
			for i, a := range to {
				if a.Address != in.To[i] {
					t.Errorf("To[%d] = %q, want %q", i, a.Address, in.To[i])
				}
			}
			for h, want := range map[string]string{
				"Message-Id": "<01a20598-cca2-7d25@detente.test.invalid>", "Auto-Submitted": "auto-generated",
				"X-Detente-Thread": "thread-1", "Mime-Version": "1.0", "Content-Type": "text/plain; charset=utf-8",
				"Date": "Mon, 04 May 2026 10:00:00 +0000",
			} {
				if got := m.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if len(m.Header["Subject"]) != 1 || len(m.Header["From"]) != 1 || len(m.Header["Message-Id"]) != 1 {
				t.Errorf("repeated headers: %v", m.Header)
			}
		})
	}
}

// TestBuildFoldsHeaders checks the header section keeps to the 78-octet
// line RFC 5322 recommends where a value has blanks to fold at.
func TestBuildFoldsHeaders(t *testing.T) {
	m := message()
	m.Subject = strings.Repeat("réseau électrique ", 20)
	m.To = []string{"a@cert.example.invalid", "b@cert.example.invalid", "c@cert.example.invalid", "d@cert.example.invalid"}
	raw, err := mail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if len(line) > 78 {
			t.Errorf("header line of %d octets: %q", len(line), line)
		}
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	m := message()
	m.Headers = map[string]string{"X-B": "2", "X-A": "1", "X-C": "3"}
	first, err := mail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, _ := mail.Build(m)
		if !bytes.Equal(first, again) {
			t.Fatalf("two builds differ:\n%s\n---\n%s", first, again)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name   string
		field  string
		change func(*mail.Message)
	}{
		{"subject with CRLF and a Bcc", "subject", func(m *mail.Message) { m.Subject = "hi\r\nBcc: everyone@example.invalid" }},
		{"subject with a bare LF", "subject", func(m *mail.Message) { m.Subject = "hi\nBcc: everyone@example.invalid" }},
		{"subject with a bare CR", "subject", func(m *mail.Message) { m.Subject = "hi\rBcc: everyone@example.invalid" }},
		{"subject with NUL", "subject", func(m *mail.Message) { m.Subject = "hi\x00" }},
		{"subject not UTF-8", "subject", func(m *mail.Message) { m.Subject = "caf\xe9" }},
		{"subject one unbreakable word too long", "subject", func(m *mail.Message) { m.Subject = strings.Repeat("x", 1000) }},
		{"extra header value with a line break", "x-detente-thread", func(m *mail.Message) { m.Headers["X-Detente-Thread"] = "x\nBcc: a@b.invalid" }},
		{"extra header name with a line break", "headers", func(m *mail.Message) { m.Headers["X-A\r\nBcc"] = "a@b.invalid" }},
		{"extra header name with a colon", "headers", func(m *mail.Message) { m.Headers["Bcc: a@b.invalid\r\nX-A"] = "1" }},
		{"extra header name with a space", "headers", func(m *mail.Message) { m.Headers["X A"] = "1" }},
		{"empty extra header name", "headers", func(m *mail.Message) { m.Headers[""] = "1" }},
		{"extra Bcc header", "headers", func(m *mail.Message) { m.Headers["Bcc"] = "everyone@example.invalid" }},
		{"extra From header", "headers", func(m *mail.Message) { m.Headers["from"] = "ceo@example.invalid" }},
		{"extra Content-Type header", "headers", func(m *mail.Message) { m.Headers["Content-Type"] = "text/html" }},
		{"recipient with a line break", "to", func(m *mail.Message) { m.To = []string{"a@b.invalid>\r\nBcc: c@d.invalid"} }},
		{"recipient with a display name", "to", func(m *mail.Message) { m.To = []string{"Duty <duty@b.invalid>"} }},
		{"recipient list in one string", "to", func(m *mail.Message) { m.To = []string{"a@b.invalid, c@d.invalid"} }},
		{"non-ASCII recipient", "to", func(m *mail.Message) { m.To = []string{"délégué@cert.invalid"} }},
		{"recipient without a domain", "to", func(m *mail.Message) { m.To = []string{"duty"} }},
		{"no recipients", "to", func(m *mail.Message) { m.To = nil }},
		{"sender with a line break", "from", func(m *mail.Message) { m.From = "a@b.invalid\r\nBcc: c@d.invalid" }},
		{"sender name with a line break", "from_name", func(m *mail.Message) { m.FromName = "x\r\nBcc: c@d.invalid" }},
		{"no sender", "from", func(m *mail.Message) { m.From = "" }},
		{"no Message-ID", "message_id", func(m *mail.Message) { m.MessageID = "" }},
		{"Message-ID with a line break", "message_id", func(m *mail.Message) { m.MessageID = "a@b\r\nBcc: c@d.invalid" }},
		{"Message-ID with a space", "message_id", func(m *mail.Message) { m.MessageID = "a b@c" }},
		{"Message-ID without @", "message_id", func(m *mail.Message) { m.MessageID = "abc" }},
		{"body not UTF-8", "text", func(m *mail.Message) { m.Text = "caf\xe9" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := message()
			m.Headers = map[string]string{"X-Detente-Thread": "t"}
			tc.change(&m)
			raw, err := mail.Build(m)
			if err == nil {
				t.Fatalf("built:\n%s", raw)
			}
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
				t.Errorf("err = %v, want Invalid on field %q", err, tc.field)
			}
			if _, err := mail.BuildEncrypted(m, nil); err == nil {
				t.Error("BuildEncrypted accepted it")
			}
		})
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("Urgent: assistance", "body\nline two", "x-value", "detente")
	f.Add("réseau\r\nBcc: x@y", "", "", "")
	f.Add(strings.Repeat("é", 300), strings.Repeat("a", 5000), "=?utf-8?q?x?=", "Secrétariat")
	f.Add("a  b \t c", ".\r\n.\r\n", " padded ", "\"quoted\" <name>")
	f.Fuzz(func(t *testing.T, subject, text, extra, fromName string) {
		m := message()
		m.Subject, m.Text, m.FromName, m.Headers = subject, text, fromName, map[string]string{"X-Detente-Thread": extra}
		raw, err := mail.Build(m)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error is not Invalid: %v", err)
			}
			return
		}
		for _, line := range bytes.Split(raw, []byte("\r\n")) {
			if bytes.ContainsAny(line, "\r\n") {
				t.Fatal("bare line break in output")
			}
			if len(line) > 998 {
				t.Fatalf("line of %d octets", len(line))
			}
		}
		parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("built a message that does not parse: %v", err)
		}
		if len(parsed.Header["Bcc"]) > 0 || len(parsed.Header["From"]) != 1 || len(parsed.Header["Subject"]) != 1 {
			t.Fatalf("headers were injected: %v", parsed.Header)
		}
		// Header parsing trims surrounding blanks; the rest must survive.
		dec := new(mime.WordDecoder)
		if got, err := dec.DecodeHeader(parsed.Header.Get("Subject")); err != nil || got != strings.Trim(subject, " \t") {
			t.Fatalf("subject %q came back as %q (%v)", subject, got, err)
		}
		if got, err := dec.DecodeHeader(parsed.Header.Get("X-Detente-Thread")); err != nil || got != strings.Trim(extra, " \t") {
			t.Fatalf("header %q came back as %q (%v)", extra, got, err)
		}
		if from, err := netmail.ParseAddress(parsed.Header.Get("From")); err != nil || from.Address != m.From {
			t.Fatalf("From %q: %+v %v", parsed.Header.Get("From"), from, err)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(parsed.Body))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if got := strings.ReplaceAll(string(b), "\r\n", "\n"); got != want {
			t.Fatalf("body %q came back as %q", text, got)
		}
	})
}
