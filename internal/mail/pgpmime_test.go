package mail_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/gpgtest"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/pgpkey"
	"github.com/detente/detente/internal/smtptest"
)

// TestOpenPGPMIMEDecryptsWithGPG sends an RFC 3156 message through a real
// SMTP session and has the real gpg decrypt what arrived.
func TestOpenPGPMIMEDecryptsWithGPG(t *testing.T) {
	home := gpgtest.NewKey(t, "POC <poc@example.invalid>")
	key, err := pgpkey.Parse(home.Armored, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, subject, text string }{
		{"ASCII", "TLP:AMBER wiper indicators", "Indicators: 203.0.113.7, evil.example.invalid\n"},
		{"non-ASCII and long lines", "TLP:RED — réseau électrique: indicateurs", "Indicateurs : 198.51.100.23\n" + strings.Repeat("données ", 200) + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := message()
			m.To = []string{"poc@example.invalid"}
			m.Subject, m.Text = tc.subject, tc.text
			// The key is checked at the message's date; gpg made it now.
			m.Date = time.Now()
			raw, err := mail.BuildEncrypted(m, []pgpkey.Key{key})
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, raw)
			srv := smtptest.Start(t, smtptest.Options{StartTLS: true})
			c := &mail.SMTP{Host: srv.Host(), Port: srv.Port(), TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
			if err := c.Send(context.Background(), m.From, m.To, raw); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(1, 5*time.Second)
			if len(got) != 1 {
				t.Fatalf("received %d messages", len(got))
			}
			wire := got[0]

			// Outside: nothing of the subject or the body, in any encoding.
			outer, err := netmail.ReadMessage(bytes.NewReader(wire.Data))
			if err != nil {
				t.Fatal(err)
			}
			dec := new(mime.WordDecoder)
			if s, _ := dec.DecodeHeader(outer.Header.Get("Subject")); s != mail.EncryptedSubject {
				t.Errorf("outer subject %q", s)
			}
			for name, values := range outer.Header {
				for _, v := range values {
					if d, _ := dec.DecodeHeader(v); strings.Contains(d, tc.subject) {
						t.Errorf("outer header %s shows the subject: %q", name, v)
					}
				}
			}
			firstLine, _, _ := strings.Cut(tc.text, "\n")
			for _, secret := range []string{tc.subject, firstLine, "203.0.113.7", "198.51.100.23", "wiper", "TLP:"} {
				if bytes.Contains(wire.Data, []byte(secret)) {
					t.Errorf("the mail on the wire shows %q", secret)
				}
			}

			// RFC 3156 §4 structure.
			mt, params, err := mime.ParseMediaType(outer.Header.Get("Content-Type"))
			if err != nil || mt != "multipart/encrypted" || params["protocol"] != "application/pgp-encrypted" || params["boundary"] == "" {
				t.Fatalf("content type %q", outer.Header.Get("Content-Type"))
			}
			mr := multipart.NewReader(outer.Body, params["boundary"])
			first, err := mr.NextPart()
			if err != nil || first.Header.Get("Content-Type") != "application/pgp-encrypted" {
				t.Fatalf("first part: %v %v", first, err)
			}
			if b, _ := io.ReadAll(first); strings.TrimSpace(string(b)) != "Version: 1" {
				t.Errorf("version part %q", b)
			}
			second, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if mt, p, _ := mime.ParseMediaType(second.Header.Get("Content-Type")); mt != "application/octet-stream" || p["name"] != "encrypted.asc" {
				t.Errorf("second part type %q", second.Header.Get("Content-Type"))
			}
			armored, _ := io.ReadAll(second)
			if !bytes.HasPrefix(armored, []byte("-----BEGIN PGP MESSAGE-----")) {
				t.Fatalf("second part is not an armored message:\n%s", armored)
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Errorf("more than two parts: %v", err)
			}

			// Inside: a MIME entity with the real subject as a protected
			// header and the body.
			plain := home.Decrypt(armored)
			inner, subject, body := parse(t, plain)
			if subject != tc.subject {
				t.Errorf("inner subject %q, want %q", subject, tc.subject)
			}
			if body != tc.text {
				t.Errorf("inner body %q, want %q", body, tc.text)
			}
			mt, p, _ := mime.ParseMediaType(inner.Header.Get("Content-Type"))
			if mt != "text/plain" || p["charset"] != "utf-8" || p["protected-headers"] != "v1" {
				t.Errorf("inner content type %q", inner.Header.Get("Content-Type"))
			}
			if inner.Header.Get("Message-Id") != outer.Header.Get("Message-Id") || inner.Header.Get("From") != outer.Header.Get("From") {
				t.Errorf("protected headers differ from the outer ones: %v", inner.Header)
			}
		})
	}
}

func TestBuildEncryptedNeedsAKey(t *testing.T) {
	if raw, err := mail.BuildEncrypted(message(), nil); err == nil {
		t.Fatalf("built without a key:\n%s", raw)
	}
}
