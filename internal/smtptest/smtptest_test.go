package smtptest

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"
)

// peer is a client that shows every reply, for the faults a real client
// would hide behind its own handling.
type peer struct {
	t  *testing.T
	nc net.Conn
	tp *textproto.Conn
}

// dial connects and returns the greeting's code.
func dial(t *testing.T, s *Server) (*peer, int) {
	t.Helper()
	nc, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	p := &peer{t: t, nc: nc, tp: textproto.NewConn(nc)}
	code, _, err := p.tp.ReadResponse(0)
	if err != nil {
		t.Fatalf("greeting: %v", err)
	}
	return p, code
}

// noReply is a step's code for "the server closes without a reply".
const noReply = -1

// send writes lines (a command, or message data ending in ".") and returns
// the reply's code, or noReply if the server closed the connection.
func (p *peer) send(lines string) int {
	p.t.Helper()
	if _, err := p.tp.W.WriteString(lines + "\r\n"); err != nil {
		return noReply
	}
	if err := p.tp.W.Flush(); err != nil {
		return noReply
	}
	code, msg, err := p.tp.ReadResponse(0)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			p.t.Fatalf("%q: no reply: %v", lines, err)
		}
		return noReply
	}
	p.t.Logf("%q → %d %s", lines, code, msg)
	return code
}

// closed reports whether the server has closed the connection: a read
// ends in an error other than a timeout.
func (p *peer) closed() bool {
	_ = p.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := p.tp.ReadLine()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func plain(user, pass string) string {
	return "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass))
}

// step sends a line and expects a reply, or does something to the server.
type step struct {
	send string
	want int // a reply code; 4 or 5 for any of that class; noReply for none
	do   func(*Server)
}

func at(f func(*Server)) step { return step{do: f} }

const body = "Subject: test\r\n\r\n..stuffed\r\nbare\nline\r\n."

func TestFaults(t *testing.T) {
	var (
		mail = step{send: "MAIL FROM:<a@x.invalid>", want: 250}
		rcpt = step{send: "RCPT TO:<b@x.invalid>", want: 250}
		data = step{send: "DATA", want: 354}
		sent = step{send: body, want: 250}
	)
	tests := []struct {
		name   string
		opts   Options
		steps  []step   // after the greeting and EHLO
		closed bool     // the server has hung up by the end
		to     []string // the recipients of the one message recorded; nil: none recorded
	}{
		{name: "a transaction goes through, dot-unstuffed, line ends untouched",
			steps: []step{mail, rcpt, data, sent},
			to:    []string{"b@x.invalid"}},
		{name: "a rejected recipient is refused whatever its case, and not recorded",
			steps: []step{at(func(s *Server) { s.Reject("gone@x.invalid") }),
				mail, {send: "RCPT TO:<Gone@X.invalid>", want: 550}, rcpt, data, sent},
			to: []string{"b@x.invalid"}},
		{name: "an injected refusal at RCPT hits the next n recipients only",
			steps: []step{at(func(s *Server) { s.FailNextAt(AtRcpt, 2, 452) }),
				mail, {send: "RCPT TO:<c@x.invalid>", want: 452}, {send: "RCPT TO:<d@x.invalid>", want: 452}, rcpt, data, sent},
			to: []string{"b@x.invalid"}},
		{name: "an injected failure after DATA drops the message but not the session",
			steps: []step{at(func(s *Server) { s.FailNext(1, 451) }),
				mail, {send: "RCPT TO:<c@x.invalid>", want: 250}, data, {send: body, want: 451},
				mail, rcpt, data, sent},
			to: []string{"b@x.invalid"}},
		{name: "hang-up at RCPT: no reply, nothing recorded",
			steps:  []step{at(func(s *Server) { s.HangUpNext(AtRcpt, 1) }), mail, {send: "RCPT TO:<b@x.invalid>", want: noReply}},
			closed: true},
		{name: "hang-up after DATA: no reply, but the message was taken",
			steps:  []step{at(func(s *Server) { s.HangUpNext(AtData, 1) }), mail, rcpt, data, {send: body, want: noReply}},
			closed: true, to: []string{"b@x.invalid"}},
		{name: "down: an open session gets 421 at MAIL and the connection ends",
			steps:  []step{at(func(s *Server) { s.SetDown(true) }), {send: "MAIL FROM:<a@x.invalid>", want: 421}},
			closed: true},
		{name: "down: 421 at RCPT in the middle of a transaction",
			steps:  []step{mail, at(func(s *Server) { s.SetDown(true) }), {send: "RCPT TO:<b@x.invalid>", want: 421}},
			closed: true},
		{name: "down: 421 at AUTH",
			steps:  []step{at(func(s *Server) { s.SetDown(true) }), {send: "AUTH PLAIN", want: 421}},
			closed: true, opts: Options{Username: "u", Password: "p"}},
		{name: "sessions ended: 421 at MAIL and the connection ends",
			steps:  []step{at((*Server).EndSessions), {send: "MAIL FROM:<a@x.invalid>", want: 421}},
			closed: true},
		{name: "dropped: the connection ends without a word",
			steps:  []step{at((*Server).DropConnections), {send: "NOOP", want: noReply}},
			closed: true},
		{name: "authentication required before MAIL; wrong credentials are refused",
			opts: Options{Username: "u", Password: "p"},
			steps: []step{{send: "MAIL FROM:<a@x.invalid>", want: 530}, {send: plain("u", "wrong"), want: 535}, {send: plain("other", "p"), want: 535},
				{send: "AUTH LOGIN", want: 504}, {send: plain("u", "p"), want: 235}, mail}},
		{name: "STARTTLS required: MAIL and AUTH refused in clear",
			opts:  Options{RequireTLS: true, Username: "u", Password: "p"},
			steps: []step{{send: "MAIL FROM:<a@x.invalid>", want: 530}, {send: plain("u", "p"), want: 5}}},
		{name: "size limit: announced and actual sizes over it are refused",
			opts: Options{MaxSize: 20},
			steps: []step{{send: "MAIL FROM:<a@x.invalid> SIZE=21", want: 552}, {send: "MAIL FROM:<a@x.invalid> SIZE=10", want: 250}, rcpt,
				data, {send: strings.Repeat("x", 30) + "\r\n.", want: 552}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Start(t, tc.opts)
			p, code := dial(t, s)
			if code != 220 {
				t.Fatalf("greeting %d", code)
			}
			if got := p.send("EHLO client.invalid"); got != 250 {
				t.Fatalf("EHLO: %d", got)
			}
			for _, st := range tc.steps {
				if st.do != nil {
					st.do(s)
					continue
				}
				got := p.send(st.send)
				if got != st.want && !(st.want > 0 && st.want < 10 && got/100 == st.want) {
					t.Fatalf("%q: reply %d, want %d", st.send, got, st.want)
				}
			}
			if tc.closed && !p.closed() {
				t.Error("the connection is still open")
			}
			if !tc.closed && p.send("NOOP") != 250 {
				t.Error("the session ended; it should go on")
			}
			msgs := s.Messages()
			switch {
			case tc.to == nil && len(msgs) != 0:
				t.Errorf("recorded %+v, want nothing", msgs)
			case tc.to != nil && len(msgs) != 1:
				t.Fatalf("recorded %d messages, want 1", len(msgs))
			case tc.to != nil:
				m := msgs[0]
				if strings.Join(m.To, ",") != strings.Join(tc.to, ",") || m.From != "a@x.invalid" {
					t.Errorf("envelope %q → %q, want a@x.invalid → %q", m.From, m.To, tc.to)
				}
				if want := "Subject: test\r\n\r\n.stuffed\r\nbare\nline\r\n"; string(m.Data) != want {
					t.Errorf("data %q, want %q", m.Data, want)
				}
				if m.Header.Get("Subject") != "test" || m.TLS || m.Auth != "" {
					t.Errorf("message %+v", m)
				}
			}
		})
	}
}

// TestDownGreeting: while down, a new connection is greeted with 421 and
// closed, and counted; once up again it is greeted with 220.
func TestDownGreeting(t *testing.T) {
	s := Start(t, Options{})
	s.SetDown(true)
	p, code := dial(t, s)
	if code != 421 || !p.closed() {
		t.Errorf("greeting %d, closed %v; want 421 and closed", code, p.closed())
	}
	s.SetDown(false)
	if _, code := dial(t, s); code != 220 {
		t.Errorf("greeting %d once up again, want 220", code)
	}
	if got := s.Connections(); got != 2 {
		t.Errorf("%d connections counted, want 2", got)
	}
}

// TestEndSessionsSparesNewOnes: ending the open sessions leaves the
// connections made afterwards alone.
func TestEndSessionsSparesNewOnes(t *testing.T) {
	s := Start(t, Options{})
	old, _ := dial(t, s)
	old.send("EHLO client.invalid")
	s.EndSessions()
	fresh, _ := dial(t, s)
	for _, st := range []struct {
		p    *peer
		line string
		want int
	}{{fresh, "EHLO client.invalid", 250}, {fresh, "MAIL FROM:<a@x.invalid>", 250}, {old, "MAIL FROM:<a@x.invalid>", 421}} {
		if got := st.p.send(st.line); got != st.want {
			t.Errorf("%q: %d, want %d", st.line, got, st.want)
		}
	}
}

// TestTLSSessions: the certificate is trusted through TLSConfig, a TLS
// session and its login show on the message, handshakes are counted once
// per connection and a failed one not at all.
func TestTLSSessions(t *testing.T) {
	s := Start(t, Options{RequireTLS: true, Username: "u", Password: "p"})
	c, err := smtp.Dial(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@x.invalid"); err == nil {
		t.Fatal("MAIL accepted before STARTTLS")
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered before STARTTLS")
	}
	if err := c.StartTLS(s.TLSConfig()); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "u", "p", s.Host())); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := c.Mail("a@x.invalid"); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("b@x.invalid"); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("Subject: " + strconv.Itoa(i) + "\r\n\r\nhi\r\n"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}

	bad, err := smtp.Dial(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.StartTLS(&tls.Config{RootCAs: s.RootCAs(), ServerName: "relay.example.invalid"}); err == nil {
		t.Fatal("handshake for a name the certificate does not have")
	}

	msgs := s.WaitFor(2, 5*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	for _, m := range msgs {
		if !m.TLS || m.Auth != "u" {
			t.Errorf("TLS %v, Auth %q; want true, u", m.TLS, m.Auth)
		}
	}
	if got := s.Handshakes(); got != 1 {
		t.Errorf("%d handshakes, want 1: one per connection, none for the failed one", got)
	}
	if got := s.Connections(); got != 2 {
		t.Errorf("%d connections, want 2", got)
	}
}

// TestOpenAndClose: Open follows the connections as the server notices
// them end, and Close ends a client in the middle of a message, waits,
// and may be called again.
func TestOpenAndClose(t *testing.T) {
	s := Start(t, Options{})
	a, _ := dial(t, s)
	b, _ := dial(t, s)
	if got := s.Open(); got != 2 {
		t.Errorf("%d open, want 2", got)
	}
	a.nc.Close()
	for deadline := time.Now().Add(5 * time.Second); s.Open() != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d open after a client left, want 1", s.Open())
		}
	}
	for _, line := range []string{"EHLO client.invalid", "MAIL FROM:<a@x.invalid>", "RCPT TO:<b@x.invalid>", "DATA"} {
		b.send(line)
	}
	b.tp.W.WriteString("Subject: half a message\r\n")
	b.tp.W.Flush()
	done := make(chan struct{})
	go func() { s.Close(); s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a client in the middle of DATA")
	}
	if !b.closed() || s.Open() != 0 || len(s.Messages()) != 0 {
		t.Errorf("after Close: client closed %v, %d open, %d messages; want true, 0, 0", b.closed(), s.Open(), len(s.Messages()))
	}
	if _, err := net.Dial("tcp", s.Addr); err == nil {
		t.Error("still listening after Close")
	}
}
