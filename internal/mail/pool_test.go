package mail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/smtptest"
)

// numbered is a message with a Message-ID of its own, so that the server's
// log shows which mail arrived how often.
func numbered(t *testing.T, i int) []byte {
	t.Helper()
	m := message()
	m.MessageID = fmt.Sprintf("%d@detente.test.invalid", i)
	raw, err := mail.Build(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// copies counts the arrivals of each Message-ID.
func copies(msgs []smtptest.Message) map[string]int {
	n := map[string]int{}
	for _, m := range msgs {
		n[m.Header.Get("Message-Id")]++
	}
	return n
}

// exactlyOnce fails unless mails 0..n-1 each arrived once and nothing else did.
func exactlyOnce(t *testing.T, srv *smtptest.Server, n int) {
	t.Helper()
	got := copies(srv.WaitFor(n, 5*time.Second))
	for i := range n {
		if c := got[fmt.Sprintf("<%d@detente.test.invalid>", i)]; c != 1 {
			t.Errorf("mail %d arrived %d times", i, c)
		}
	}
	if len(got) != n {
		t.Errorf("%d distinct mails arrived, want %d: %v", len(got), n, got)
	}
}

// eventually waits for cond, which the server reaches only once it has
// noticed what the client did.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func send(t *testing.T, c *mail.SMTP, i int, to ...string) error {
	t.Helper()
	if len(to) == 0 {
		to = []string{"duty@cert.invalid"}
	}
	return c.Send(context.Background(), sender, to, numbered(t, i))
}

func TestSMTPReusesOneConnection(t *testing.T) {
	tests := []struct {
		name           string
		opts           smtptest.Options
		client         func(*smtptest.Server) *mail.SMTP
		wantHandshakes int
	}{
		{"STARTTLS and AUTH", smtptest.Options{StartTLS: true, RequireTLS: true, Username: relayUser, Password: relayPassword}, client, 1},
		{"in clear", smtptest.Options{}, func(s *smtptest.Server) *mail.SMTP {
			return &mail.SMTP{Host: s.Host(), Port: s.Port(), TLS: mail.NoTLS, Timeout: 5 * time.Second}
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opts)
			c := tc.client(srv)
			defer c.Close()
			const n = 20
			for i := range n {
				if err := send(t, c, i); err != nil {
					t.Fatalf("mail %d: %v", i, err)
				}
			}
			exactlyOnce(t, srv, n)
			if got := srv.Connections(); got != 1 {
				t.Errorf("%d connections for %d mails, want 1", got, n)
			}
			if got := srv.Handshakes(); got != tc.wantHandshakes {
				t.Errorf("%d TLS handshakes, want %d", got, tc.wantHandshakes)
			}
			for _, m := range srv.Messages() {
				if m.TLS != (tc.wantHandshakes > 0) || m.Auth != tc.opts.Username {
					t.Fatalf("a reused session lost its TLS or login: %+v", m)
				}
			}
		})
	}
}

func TestSMTPConcurrentSends(t *testing.T) {
	tests := []struct {
		name    string
		maxIdle int
	}{
		{"pool as large as the senders", 8},
		{"pool smaller than the senders", 2},
		{"no pool", -1},
	}
	const senders, each = 8, 15
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
			c := client(srv)
			c.MaxIdle = tc.maxIdle
			defer c.Close()
			var wg sync.WaitGroup
			errs := make(chan error, senders*each)
			for g := range senders {
				wg.Go(func() {
					for i := range each {
						if err := send(t, c, g*each+i); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			exactlyOnce(t, srv, senders*each)
			conns := srv.Connections()
			switch {
			case tc.maxIdle >= senders && conns > senders:
				t.Errorf("%d connections for %d senders", conns, senders)
			case tc.maxIdle < 0 && conns != senders*each:
				t.Errorf("%d connections without a pool, want one per mail (%d)", conns, senders*each)
			}
			limit := max(tc.maxIdle, 0)
			eventually(t, fmt.Sprintf("at most %d connections stay open", limit), func() bool { return srv.Open() <= limit })
		})
	}
}

// TestSMTPStaleConnection: a pooled connection the server has given up is
// replaced by a fresh one, and the mail goes exactly once.
func TestSMTPStaleConnection(t *testing.T) {
	tests := []struct {
		name  string
		opts  smtptest.Options
		setup func(*smtptest.Server)
	}{
		{name: "server ends the session with 421", setup: (*smtptest.Server).EndSessions},
		{name: "server drops the connection", setup: (*smtptest.Server).DropConnections},
		{name: "server times the idle session out", opts: smtptest.Options{Timeout: time.Second},
			setup: func(*smtptest.Server) { time.Sleep(1500 * time.Millisecond) }},
		{name: "connection lost at RCPT", setup: func(s *smtptest.Server) { s.HangUpNext(smtptest.AtRcpt, 1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.StartTLS, opts.Username, opts.Password = true, relayUser, relayPassword
			srv := smtptest.Start(t, opts)
			c := client(srv)
			defer c.Close()
			if err := send(t, c, 0); err != nil {
				t.Fatal(err)
			}
			tc.setup(srv)
			if err := send(t, c, 1); err != nil {
				t.Fatalf("the stale connection showed: %v", err)
			}
			exactlyOnce(t, srv, 2)
			if got := srv.Connections(); got != 2 {
				t.Errorf("%d connections, want 2", got)
			}
			if err := send(t, c, 2); err != nil || srv.Connections() != 2 {
				t.Errorf("the fresh connection was not kept: %v, %d connections", err, srv.Connections())
			}
		})
	}
}

// TestSMTPRetriesOnce: a stale connection earns one fresh attempt, not a
// loop, and the failure of that attempt is what the caller sees.
func TestSMTPRetriesOnce(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	c := client(srv)
	defer c.Close()
	if err := send(t, c, 0); err != nil {
		t.Fatal(err)
	}
	srv.SetDown(true) // 421 on the pooled session, and on the greeting of a new one
	err := send(t, c, 1)
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
	if got := srv.Connections(); got != 2 {
		t.Errorf("%d connections, want 2", got)
	}
	srv.SetDown(false)
	if err := send(t, c, 1); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, srv, 2)
}

// TestSMTPNoResendAfterData: once the server has taken the message data,
// no failure makes Send try again, as the server may have queued it.
func TestSMTPNoResendAfterData(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*smtptest.Server)
		permanent bool
		arrived   int  // copies of mail 1 the server holds
		kept      bool // the connection serves the next mail
	}{
		{name: "reply to the data lost", setup: func(s *smtptest.Server) { s.HangUpNext(smtptest.AtData, 1) }, arrived: 1},
		{name: "421 after the data", setup: func(s *smtptest.Server) { s.FailNext(1, 421) }},
		{name: "451 after the data", setup: func(s *smtptest.Server) { s.FailNext(1, 451) }, kept: true},
		{name: "554 after the data", setup: func(s *smtptest.Server) { s.FailNext(1, 554) }, permanent: true, kept: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
			c := client(srv)
			defer c.Close()
			if err := send(t, c, 0); err != nil {
				t.Fatal(err)
			}
			tc.setup(srv)
			err := send(t, c, 1)
			if err == nil || mail.IsPermanent(err) != tc.permanent {
				t.Fatalf("err = %v, want permanent %v", err, tc.permanent)
			}
			if got := srv.Connections(); got != 1 {
				t.Errorf("%d connections: Send tried again after DATA", got)
			}
			if got := copies(srv.Messages())["<1@detente.test.invalid>"]; got != tc.arrived {
				t.Errorf("mail 1 arrived %d times, want %d", got, tc.arrived)
			}
			if err := send(t, c, 2); err != nil {
				t.Fatal(err)
			}
			want := 2
			if tc.kept {
				want = 1
			}
			if got := srv.Connections(); got != want {
				t.Errorf("%d connections after the next mail, want %d", got, want)
			}
		})
	}
}

// TestSMTPRefusalsKeepConnection: a refusal is the server's answer about a
// message, not about the session, which goes on serving after RSET.
func TestSMTPRefusalsKeepConnection(t *testing.T) {
	tests := []struct {
		name      string
		to        []string
		setup     func(*smtptest.Server)
		partial   bool
		permanent bool
	}{
		{name: "one recipient of two refused", to: []string{"gone@cert.invalid", "duty@cert.invalid"}, partial: true, permanent: true,
			setup: func(s *smtptest.Server) { s.Reject("gone@cert.invalid") }},
		{name: "one recipient of two busy", to: []string{"busy@cert.invalid", "duty@cert.invalid"}, partial: true,
			setup: func(s *smtptest.Server) { s.FailNextAt(smtptest.AtRcpt, 1, 450) }},
		{name: "the only recipient refused", to: []string{"gone@cert.invalid"}, permanent: true,
			setup: func(s *smtptest.Server) { s.Reject("gone@cert.invalid") }},
		{name: "every recipient refused", to: []string{"gone@cert.invalid", "left@cert.invalid"}, permanent: true,
			setup: func(s *smtptest.Server) { s.Reject("gone@cert.invalid"); s.Reject("left@cert.invalid") }},
		{name: "452 at RCPT", to: []string{"duty@cert.invalid"}, setup: func(s *smtptest.Server) { s.FailNextAt(smtptest.AtRcpt, 1, 452) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
			c := client(srv)
			defer c.Close()
			if err := send(t, c, 0); err != nil {
				t.Fatal(err)
			}
			tc.setup(srv)
			err := send(t, c, 1, tc.to...)
			var re *mail.RecipientError
			if err == nil || mail.IsPermanent(err) != tc.permanent || (errors.As(err, &re) && len(re.Delivered) > 0) != tc.partial {
				t.Fatalf("err = %#v, want permanent %v, partial %v", err, tc.permanent, tc.partial)
			}
			if err := send(t, c, 2); err != nil {
				t.Fatalf("the mail after the refusal: %v", err)
			}
			if got := srv.Connections(); got != 1 {
				t.Errorf("%d connections, want 1", got)
			}
			want := 2
			if tc.partial {
				want = 3
			}
			if got := srv.WaitFor(want, 5*time.Second); len(got) != want {
				t.Errorf("%d mails arrived, want %d", len(got), want)
			}
		})
	}
}

func TestSMTPIdleTimeout(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	c := client(srv)
	c.IdleTimeout = 100 * time.Millisecond
	defer c.Close()
	if err := send(t, c, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the idle connection is closed", func() bool { return srv.Open() == 0 })
	if err := send(t, c, 1); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != 2 {
		t.Errorf("%d connections, want 2: the expired one was used", got)
	}
	exactlyOnce(t, srv, 2)
}

func TestSMTPClose(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	c := client(srv)
	// Several idle connections: senders that all start before any ends.
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 3 {
		wg.Go(func() {
			<-start
			if err := send(t, c, i); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if srv.Open() == 0 {
		t.Fatal("no connection kept")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Close ends the idle connections", func() bool { return srv.Open() == 0 })
	before := srv.Connections()
	// After Close a Send still goes out, but keeps nothing open.
	if err := send(t, c, 3); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != before+1 {
		t.Errorf("%d connections after Close, want %d", got, before+1)
	}
	eventually(t, "nothing is kept after Close", func() bool { return srv.Open() == 0 })
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, srv, 4)
}

// TestSMTPCancelledSend: a Send whose context is already done sends
// nothing, even on a pooled connection, and leaves that connection be.
func TestSMTPCancelledSend(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: relayUser, Password: relayPassword})
	c := client(srv)
	defer c.Close()
	if err := send(t, c, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Send(ctx, sender, []string{"duty@cert.invalid"}, numbered(t, 1))
	if err == nil || mail.IsPermanent(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if err := send(t, c, 2); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != 1 {
		t.Errorf("%d connections, want 1", got)
	}
	if n := copies(srv.WaitFor(2, 5*time.Second))["<1@detente.test.invalid>"]; n != 0 {
		t.Errorf("the cancelled mail arrived %d times", n)
	}
}
