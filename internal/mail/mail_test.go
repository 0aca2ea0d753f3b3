package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/gpgtest"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/smtptest"
)

func message() mail.Message {
	return mail.Message{
		From: "notices@detente.test.invalid", FromName: "detente", To: []string{"duty@cert.ke.test.invalid"},
		Subject: "Urgent: demande d’assistance — réseau électrique", MessageID: "01a20598-cca2-7d25@detente.test.invalid",
		Date: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC), Headers: map[string]string{"X-Detente-Thread": "thread-1"},
		Text: "A request for assistance reached your State.\nSign in to read it: https://detente.test.invalid/threads/1\n" + strings.Repeat("long line ", 200),
	}
}

func TestBuild(t *testing.T) {
	raw, err := mail.Build(message())
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line %d is %d octets", i, len(line))
		}
		if bytes.Contains(line, []byte("\n")) {
			t.Fatalf("bare LF in line %d", i)
		}
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != message().Subject {
		t.Errorf("subject %q, %v", subject, err)
	}
	for h, want := range map[string]string{"Message-Id": "<01a20598-cca2-7d25@detente.test.invalid>", "Auto-Submitted": "auto-generated",
		"X-Detente-Thread": "thread-1", "To": "duty@cert.ke.test.invalid"} {
		if got := m.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if !strings.Contains(strings.ReplaceAll(string(body), "\r\n", "\n"), message().Text) {
		t.Error("body does not round-trip")
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	tests := []struct {
		name   string
		change func(*mail.Message)
	}{
		{"subject with a line break", func(m *mail.Message) { m.Subject = "hi\r\nBcc: everyone@example.invalid" }},
		{"extra header with a line break", func(m *mail.Message) { m.Headers["X-Detente-Thread"] = "x\nBcc: a@b.invalid" }},
		{"malformed recipient", func(m *mail.Message) { m.To = []string{"a@b.invalid>\r\nBcc: c@d.invalid"} }},
		{"no message id", func(m *mail.Message) { m.MessageID = "" }},
		{"no recipients", func(m *mail.Message) { m.To = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := message()
			m.Headers = map[string]string{"X-Detente-Thread": "t"}
			tc.change(&m)
			if raw, err := mail.Build(m); err == nil {
				t.Fatalf("built:\n%s", raw)
			}
		})
	}
}

func TestSMTPDelivery(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: "detente", Password: "relay-secret"})
	client := func() mail.SMTP {
		return mail.SMTP{Host: srv.Host(), Port: srv.Port(), Username: "detente", Password: "relay-secret", TLS: mail.StartTLSRequired,
			TLSConfig: tlsFor(srv), Timeout: 5 * time.Second}
	}
	raw, _ := mail.Build(message())
	ctx := context.Background()
	if err := client().Send(ctx, "notices@detente.test.invalid", []string{"duty@cert.ke.test.invalid"}, raw); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(1, 5*time.Second)
	if len(got) != 1 || !got[0].TLS || got[0].Auth != "detente" || !bytes.Equal(got[0].Data, raw) {
		t.Fatalf("received %+v", got)
	}

	t.Run("wrong password is permanent", func(t *testing.T) {
		c := client()
		c.Password = "nope"
		if err := c.Send(ctx, "a@b.invalid", []string{"c@d.invalid"}, raw); !mail.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("rejected recipient is permanent", func(t *testing.T) {
		srv.Reject("gone@cert.invalid")
		if err := client().Send(ctx, "a@b.invalid", []string{"gone@cert.invalid"}, raw); !mail.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("down server is temporary, and delivery works once it is back", func(t *testing.T) {
		srv.SetDown(true)
		err := client().Send(ctx, "a@b.invalid", []string{"c@d.invalid"}, raw)
		if err == nil || mail.IsPermanent(err) {
			t.Fatalf("err = %v, want a temporary error", err)
		}
		srv.SetDown(false)
		if err := client().Send(ctx, "a@b.invalid", []string{"c@d.invalid"}, raw); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("4xx at DATA is temporary", func(t *testing.T) {
		srv.FailNext(1, 451)
		if err := client().Send(ctx, "a@b.invalid", []string{"c@d.invalid"}, raw); err == nil || mail.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("STARTTLS required but not offered", func(t *testing.T) {
		plain := smtptest.Start(t, smtptest.Options{})
		c := mail.SMTP{Host: plain.Host(), Port: plain.Port(), TLS: mail.StartTLSRequired, Timeout: 5 * time.Second}
		if err := c.Send(ctx, "a@b.invalid", []string{"c@d.invalid"}, raw); !mail.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
		if len(plain.Messages()) != 0 {
			t.Fatal("sent without TLS")
		}
	})
}

func TestOpenPGPMIMEDecryptsWithGPG(t *testing.T) {
	home := gpgtest.NewKey(t, "KE duty officer <duty@cert.ke.test.invalid>")
	key, err := pgpkey.Parse(home.Armored, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	m := message()
	m.Subject = "TLP:AMBER wiper indicators"
	m.Text = "Indicators: 203.0.113.7, evil.example.invalid"
	raw, err := mail.BuildEncrypted(m, []pgpkey.Key{key})
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, smtptest.Options{})
	if err := (mail.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: mail.NoTLS, Timeout: 5 * time.Second}).Send(context.Background(), m.From, m.To, raw); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(1, 5*time.Second)[0]
	for _, secret := range []string{"203.0.113.7", "wiper", "TLP:AMBER"} {
		if bytes.Contains(got.Data, []byte(secret)) {
			t.Errorf("the mail on the wire shows %q", secret)
		}
	}
	if s := got.Header.Get("Subject"); s != mail.EncryptedSubject {
		t.Errorf("outer subject %q", s)
	}
	mt, params, err := mime.ParseMediaType(got.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/encrypted" || params["protocol"] != "application/pgp-encrypted" {
		t.Fatalf("content type %q", got.Header.Get("Content-Type"))
	}
	msg, _ := netmail.ReadMessage(bytes.NewReader(got.Data))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	first, err := mr.NextPart()
	if err != nil || first.Header.Get("Content-Type") != "application/pgp-encrypted" {
		t.Fatalf("first part: %v %v", first, err)
	}
	if b, _ := io.ReadAll(first); !strings.Contains(string(b), "Version: 1") {
		t.Errorf("version part %q", b)
	}
	second, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	armored, _ := io.ReadAll(second)
	plain := home.Decrypt(armored)
	for _, want := range []string{"Subject: TLP:AMBER wiper indicators", "203.0.113.7"} {
		if !strings.Contains(decodeQP(string(plain)), want) {
			t.Errorf("decrypted text lacks %q:\n%s", want, plain)
		}
	}
}

func decodeQP(s string) string {
	head, body, ok := strings.Cut(s, "\r\n\r\n")
	if !ok {
		return s
	}
	b, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	return head + "\n\n" + string(b)
}

func FuzzBuild(f *testing.F) {
	f.Add("Urgent: assistance", "body\nline two", "x-value")
	f.Add("réseau\r\nBcc: x@y", "", "")
	f.Add(strings.Repeat("é", 300), strings.Repeat("a", 5000), "=?utf-8?q?x?=")
	f.Fuzz(func(t *testing.T, subject, text, extra string) {
		m := message()
		m.Subject, m.Text, m.Headers = subject, text, map[string]string{"X-Detente-Thread": extra}
		raw, err := mail.Build(m)
		if err != nil {
			return
		}
		parsed, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("built a message that does not parse: %v", err)
		}
		if len(parsed.Header["Bcc"]) > 0 {
			t.Fatal("a Bcc header was injected")
		}
		for _, line := range bytes.Split(raw, []byte("\r\n")) {
			if bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, '\r') >= 0 {
				t.Fatal("bare line break in output")
			}
			if len(line) > 998 {
				t.Fatalf("line of %d octets", len(line))
			}
		}
		// Header parsing trims surrounding blanks; the rest must survive.
		if got, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject")); err != nil || got != strings.Trim(subject, " \t") {
			t.Fatalf("subject %q came back as %q (%v)", subject, got, err)
		}
	})
}
