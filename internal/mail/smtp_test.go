package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/smtptest"
)

const (
	relayUser     = "detente"
	relayPassword = "relay-secret"
	sender        = "notices@detente.test.invalid"
)

// client is a sender for srv that trusts its certificate and logs in.
func client(srv *smtptest.Server) *mail.SMTP {
	return &mail.SMTP{Host: srv.Host(), Port: srv.Port(), Username: relayUser, Password: relayPassword,
		TLS: mail.StartTLSRequired, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
}

func built(t *testing.T) []byte {
	t.Helper()
	raw, err := mail.Build(message())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSMTPDeliversExactBytesOverTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, RequireTLS: true, Username: relayUser, Password: relayPassword})
	raw := built(t)
	to := []string{"duty@cert.ke.test.invalid", "cc@cert.ke.test.invalid"}
	if err := client(srv).Send(context.Background(), sender, to, raw); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	m := got[0]
	if string(m.Data) != string(raw) {
		t.Errorf("received bytes differ from the built ones:\n%q\n%q", m.Data, raw)
	}
	if !m.TLS || m.Auth != relayUser || m.From != sender || len(m.To) != 2 || m.To[0] != to[0] || m.To[1] != to[1] {
		t.Errorf("envelope/session %+v", m)
	}
	if m.Header.Get("Message-Id") != "<"+message().MessageID+">" {
		t.Errorf("Message-Id %q", m.Header.Get("Message-Id"))
	}
}

// TestSMTPDotStuffing sends lines a server would take for the end of DATA
// if the client did not stuff them.
func TestSMTPDotStuffing(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m := message()
	m.Text = ".\n.\r\n..two dots\n. space\n"
	raw, err := mail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	c := &mail.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: mail.NoTLS, Timeout: 5 * time.Second}
	if err := c.Send(context.Background(), sender, m.To, raw); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(1, 5*time.Second); len(got) != 1 || string(got[0].Data) != string(raw) {
		t.Fatalf("received %+v, want %q", got, raw)
	}
}

func TestSMTPErrors(t *testing.T) {
	tests := []struct {
		name      string
		opts      *smtptest.Options // nil: STARTTLS and AUTH
		setup     func(*smtptest.Server)
		client    func(*smtptest.Server) *mail.SMTP
		to        []string
		permanent bool
	}{
		{name: "STARTTLS required but not offered", opts: &smtptest.Options{}, client: func(s *smtptest.Server) *mail.SMTP {
			c := client(s)
			c.Username = ""
			return c
		}},
		{name: "certificate not trusted", client: func(s *smtptest.Server) *mail.SMTP {
			c := client(s)
			c.TLSConfig = nil // system roots do not know the test certificate
			return c
		}},
		{name: "certificate for another name", client: func(s *smtptest.Server) *mail.SMTP {
			c := client(s)
			c.TLSConfig = &tls.Config{RootCAs: s.RootCAs(), ServerName: "relay.example.invalid"}
			return c
		}},
		{name: "wrong password", permanent: true, client: func(s *smtptest.Server) *mail.SMTP {
			c := client(s)
			c.Password = "nope"
			return c
		}},
		{name: "recipient refused", permanent: true, to: []string{"gone@cert.invalid"},
			setup: func(s *smtptest.Server) { s.Reject("gone@cert.invalid") }},
		{name: "every recipient refused", permanent: true, to: []string{"gone@cert.invalid", "left@cert.invalid"},
			setup: func(s *smtptest.Server) { s.Reject("gone@cert.invalid"); s.Reject("left@cert.invalid") }},
		{name: "server down (421 greeting)", setup: func(s *smtptest.Server) { s.SetDown(true) }},
		{name: "451 after DATA", setup: func(s *smtptest.Server) { s.FailNext(1, 451) }},
		{name: "452 at RCPT", setup: func(s *smtptest.Server) { s.FailNextAt(smtptest.AtRcpt, 1, 452) }},
		{name: "554 after DATA", permanent: true, setup: func(s *smtptest.Server) { s.FailNext(1, 554) }},
		{name: "message too large", permanent: true, opts: &smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword, MaxSize: 100}},
		{name: "nothing listening", client: func(*smtptest.Server) *mail.SMTP {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			return &mail.SMTP{Host: "127.0.0.1", Port: port, TLS: mail.NoTLS, Timeout: 2 * time.Second}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword}
			if tc.opts != nil {
				opts = *tc.opts
			}
			srv := smtptest.Start(t, opts)
			if tc.setup != nil {
				tc.setup(srv)
			}
			c := client(srv)
			if tc.client != nil {
				c = tc.client(srv)
			}
			to := tc.to
			if to == nil {
				to = []string{"duty@cert.ke.test.invalid"}
			}
			err := c.Send(context.Background(), sender, to, built(t))
			if err == nil {
				t.Fatal("sent")
			}
			if mail.IsPermanent(err) != tc.permanent {
				t.Errorf("IsPermanent = %v for %v", !tc.permanent, err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server accepted %d messages", n)
			}
		})
	}
}

func TestSMTPPartialRecipients(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	srv.Reject("gone@cert.invalid")
	err := client(srv).Send(context.Background(), sender, []string{"gone@cert.invalid", "duty@cert.invalid"}, built(t))
	var re *mail.RecipientError
	if !errors.As(err, &re) || len(re.Delivered) != 1 || re.Delivered[0] != "duty@cert.invalid" || re.Refused["gone@cert.invalid"] == nil {
		t.Fatalf("err = %#v", err)
	}
	if !mail.IsPermanent(err) {
		t.Error("a 550 refusal should not be retried")
	}
	if got := srv.WaitFor(1, 5*time.Second); len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "duty@cert.invalid" {
		t.Fatalf("received %+v", got)
	}

	srv.FailNextAt(smtptest.AtRcpt, 1, 450)
	err = client(srv).Send(context.Background(), sender, []string{"busy@cert.invalid", "duty@cert.invalid"}, built(t))
	if !errors.As(err, &re) || mail.IsPermanent(err) {
		t.Fatalf("a 450 refusal is temporary; err = %v", err)
	}
}

func TestSMTPRetryAfterOutage(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	raw := built(t)
	srv.SetDown(true)
	err := client(srv).Send(context.Background(), sender, []string{"duty@cert.invalid"}, raw)
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
	srv.SetDown(false)
	if err := client(srv).Send(context.Background(), sender, []string{"duty@cert.invalid"}, raw); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(1, 5*time.Second); len(got) != 1 || string(got[0].Data) != string(raw) {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPOpportunisticAndNone(t *testing.T) {
	tests := []struct {
		name    string
		offer   bool
		mode    mail.TLSMode
		wantTLS bool
	}{
		{"opportunistic uses STARTTLS when offered", true, mail.StartTLSOpportunistic, true},
		{"opportunistic goes on in clear without it", false, mail.StartTLSOpportunistic, false},
		{"none stays in clear even when offered", true, mail.NoTLS, false},
		{"the zero mode requires STARTTLS", true, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{StartTLS: tc.offer})
			c := &mail.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: tc.mode, TLSConfig: srv.TLSConfig(), Timeout: 5 * time.Second}
			if err := c.Send(context.Background(), sender, []string{"duty@cert.invalid"}, built(t)); err != nil {
				t.Fatal(err)
			}
			if got := srv.WaitFor(1, 5*time.Second); len(got) != 1 || got[0].TLS != tc.wantTLS {
				t.Fatalf("received %+v", got)
			}
		})
	}
}

// TestSMTPContext shows a stalled server does not hold a sender longer
// than its context allows.
func TestSMTPContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		<-done // accept and never greet
		c.Close()
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	c := &mail.SMTP{Host: "127.0.0.1", Port: port, TLS: mail.NoTLS, Timeout: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err = c.Send(ctx, sender, []string{"duty@cert.invalid"}, built(t))
	if err == nil || mail.IsPermanent(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v after cancel", d)
	}
}

func TestPermanentMarksOtherSendersFailures(t *testing.T) {
	base := errors.New("mailbox unavailable")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"plain error", base, false},
		{"marked", mail.Permanent(base), true},
		{"marked and wrapped", fmt.Errorf("send: %w", mail.Permanent(base)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mail.IsPermanent(tc.err); got != tc.want {
				t.Errorf("IsPermanent = %v, want %v", got, tc.want)
			}
			if !errors.Is(tc.err, base) {
				t.Error("the cause is lost")
			}
		})
	}
}
