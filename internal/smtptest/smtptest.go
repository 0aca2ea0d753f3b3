// Package smtptest is a real SMTP server over TCP on 127.0.0.1 for tests.
// The protocol is github.com/emersion/go-smtp's, a well-kept server, so
// that our client (internal/mail) is tested against someone else's reading
// of the RFCs: EHLO/HELO, STARTTLS with a throwaway certificate, AUTH
// PLAIN, MAIL, RCPT, DATA with dot-unstuffing, SIZE, RSET, NOOP, QUIT.
//
// This package adds what a relay does to the mail it is given, and what
// goes wrong with relays: it records what it accepts, refuses recipients,
// fails transactions at RCPT or after DATA with any reply, hangs up
// mid-session, ends or drops sessions, refuses connections while down,
// and counts connections and TLS sessions. Faults go-smtp has no word for
// are made in a net.Listener and net.Conn wrapped around its own, and say
// so where they are.
//
// Every read has a deadline and every line a length limit, and Close (run
// on t.Cleanup) ends all connections and waits for their goroutines, so a
// test cannot leak or hang on a client that stopped talking.
package smtptest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted mail.
type Message struct {
	From   string   // envelope sender (MAIL FROM), without <>
	To     []string // envelope recipients (RCPT TO) that were accepted
	Data   []byte   // as received after dot-unstuffing, line ends untouched
	Header mail.Header
	TLS    bool   // the transaction ran after STARTTLS
	Auth   string // user name that authenticated, if any
}

// Options configure a server. The zero value is a plain server without
// TLS or authentication.
type Options struct {
	StartTLS   bool   // offer STARTTLS
	RequireTLS bool   // refuse MAIL and AUTH before STARTTLS; implies StartTLS
	Username   string // require AUTH PLAIN with these credentials when set
	Password   string
	MaxSize    int           // message size limit in bytes; default 10 MiB
	Timeout    time.Duration // per read and write; default 10s
}

// Stage is where an injected failure happens.
type Stage int

const (
	AtData Stage = iota // after the message data, as a relay does when its queue is full
	AtRcpt              // on each RCPT TO
)

// maxRecipients is RFC 5321's minimum (§4.5.3.1.8); go-smtp answers 452
// beyond it.
const maxRecipients = 100

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port

	opt     Options
	tls     *tls.Config
	pool    *x509.CertPool
	ln      net.Listener
	smtp    *smtp.Server
	served  chan struct{} // closed when go-smtp's accept loop has returned
	closing sync.Once

	mu      sync.Mutex
	closed  bool
	conns   map[*conn]struct{}
	msgs    []Message
	arrived chan struct{} // closed and replaced whenever a message is accepted
	down    bool
	fail    [2]struct{ n, code int } // indexed by Stage; code hangUp: no reply
	reject  map[string]bool
	epoch   int // sessions from before the current epoch are ended with 421
	dialed  int // connections accepted
	secured int // TLS sessions begun
}

// hangUp as an injected code ends the connection without a reply.
const hangUp = -1

// Start listens on 127.0.0.1 and serves until the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	s, err := newServer(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newServer(opt Options) (*Server, error) {
	if opt.RequireTLS {
		opt.StartTLS = true
	}
	if opt.MaxSize <= 0 {
		opt.MaxSize = 10 << 20
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	s := &Server{opt: opt, conns: map[*conn]struct{}{}, reject: map[string]bool{}, arrived: make(chan struct{}), served: make(chan struct{})}
	if opt.StartTLS {
		var err error
		if s.tls, s.pool, err = selfSigned(); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln, s.Addr = ln, ln.Addr().String()

	srv := smtp.NewServer(backend{s})
	srv.Domain = "smtptest"
	srv.TLSConfig = s.tls // nil: no STARTTLS
	// AUTH in clear only where there is no TLS to be had, as a relay on
	// the same host; otherwise go-smtp refuses it before STARTTLS.
	srv.AllowInsecureAuth = !opt.StartTLS
	srv.MaxMessageBytes = int64(opt.MaxSize)
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout, srv.WriteTimeout = opt.Timeout, opt.Timeout
	// Broken connections are what these tests make on purpose.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.smtp = srv
	go func() {
		defer close(s.served)
		_ = srv.Serve(listener{ln, s})
	}()
	return s, nil
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and the pool
// that trusts it.
func selfSigned() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	return cfg, pool, nil
}

// RootCAs trusts the server's certificate; nil without StartTLS.
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// TLSConfig returns a client configuration that trusts the server's
// certificate and checks it for 127.0.0.1; nil without StartTLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.pool == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Host is the address the server listens on, "127.0.0.1".
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port is the TCP port the server listens on.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// Close stops listening, ends every connection and waits for the server's
// goroutines. It is safe to call more than once.
func (s *Server) Close() {
	s.closing.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		_ = s.ln.Close()
		s.DropConnections()
		// go-smtp's Close ends connections but does not wait for their
		// goroutines; Shutdown waits, once its accept loop has returned
		// (so that no connection is added while it waits) and the
		// connections are closed (so that the wait ends).
		<-s.served
		_ = s.smtp.Shutdown(context.Background())
	})
}

// SetDown makes the server answer new connections with 421 and hang up,
// and open ones at their next MAIL, RCPT, DATA, AUTH or first EHLO, until
// SetDown(false).
func (s *Server) SetDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

// FailNext makes the next n transactions fail after DATA with code, which
// should be 4xx (temporary) or 5xx (permanent).
func (s *Server) FailNext(n, code int) { s.FailNextAt(AtData, n, code) }

// FailNextAt makes the next n commands at stage fail with code.
func (s *Server) FailNextAt(stage Stage, n, code int) {
	s.mu.Lock()
	s.fail[stage].n, s.fail[stage].code = n, code
	s.mu.Unlock()
}

// HangUpNext makes the next n commands at stage end the connection without
// a reply. At AtData the message is accepted first: the client cannot tell
// that it went, the case where sending it again would duplicate it.
func (s *Server) HangUpNext(stage Stage, n int) { s.FailNextAt(stage, n, hangUp) }

// EndSessions makes every open connection answer its next MAIL, RCPT,
// DATA, AUTH or first EHLO with 421 and hang up, as a relay does when it
// restarts or ends idle sessions; new connections are served as usual.
func (s *Server) EndSessions() { s.mu.Lock(); s.epoch++; s.mu.Unlock() }

// DropConnections closes every open connection at once, without a word.
func (s *Server) DropConnections() {
	s.mu.Lock()
	open := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
}

// Connections is how many connections the server has accepted.
func (s *Server) Connections() int { s.mu.Lock(); defer s.mu.Unlock(); return s.dialed }

// Handshakes is how many STARTTLS handshakes have completed. go-smtp does
// not report the handshake itself, so one counts when the client greets
// over the new TLS session, as every client must before it can go on.
func (s *Server) Handshakes() int { s.mu.Lock(); defer s.mu.Unlock(); return s.secured }

// Open is how many connections are open now. A connection the client
// closed counts until the server has noticed.
func (s *Server) Open() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.conns) }

// Reject refuses a recipient permanently (550) from now on.
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// Messages returns what the server has accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits until at least n messages have arrived or the timeout
// passes, and returns what arrived.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		msgs, arrived := append([]Message(nil), s.msgs...), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-arrived:
		case <-timer.C:
			return s.Messages()
		}
	}
}

// injected consumes one injected failure at stage, if any is pending.
func (s *Server) injected(stage Stage) (code int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := &s.fail[stage]; f.n > 0 {
		f.n--
		return f.code, true
	}
	return 0, false
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// listener counts and tracks the connections it hands to go-smtp. While
// the server is down it answers them itself: go-smtp always greets with
// 220, and a relay that is down greets with 421 (RFC 5321 §3.1).
type listener struct {
	net.Listener
	s *Server
}

func (l listener) Accept() (net.Conn, error) {
	s := l.s
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.dialed++
		closed, down := s.closed, s.down
		c := &conn{Conn: nc, s: s, epoch: s.epoch}
		if !closed && !down {
			s.conns[c] = struct{}{}
		}
		s.mu.Unlock()
		switch {
		case closed:
			_ = nc.Close()
		case down:
			_ = nc.SetWriteDeadline(time.Now().Add(s.opt.Timeout))
			_, _ = io.WriteString(nc, "421 smtptest down for maintenance\r\n")
			_ = nc.Close()
		default:
			return c, nil
		}
	}
}

// conn is one TCP connection as go-smtp sees it (under TLS after
// STARTTLS), tracked so that it can be counted, dropped and closed.
type conn struct {
	net.Conn
	s     *Server
	epoch int // the server's epoch when the connection opened

	// closeAfterWrite hangs up once the next reply is out: go-smtp
	// answers 421 from a session as any other error and reads on, where a
	// relay closes the connection (RFC 5321 §3.8). Each reply is one
	// Write (textproto flushes per line, a TLS record per Write).
	closeAfterWrite atomic.Bool
	secured         bool // a TLS session was counted; the connection's goroutine only
}

func (c *conn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if c.closeAfterWrite.Load() {
		_ = c.Close()
	}
	return n, err
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	return err
}

// tracked finds our conn under the TLS layer go-smtp adds on STARTTLS.
func tracked(nc net.Conn) *conn {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	return nc.(*conn)
}

type backend struct{ s *Server }

// NewSession runs on the first EHLO of a connection and again on the first
// after STARTTLS.
func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s, tc := b.s, tracked(c.Conn())
	_, isTLS := c.TLSConnectionState()
	if isTLS && !tc.secured {
		tc.secured = true
		s.mu.Lock()
		s.secured++
		s.mu.Unlock()
	}
	ss := &session{s: s, conn: c, tc: tc, tls: isTLS}
	if err := ss.alive(); err != nil {
		return nil, err
	}
	return ss, nil
}

// session is one SMTP session: from a connection's first EHLO, or from
// STARTTLS, which forgets everything learnt before (RFC 3207 §4.2).
type session struct {
	s    *Server
	conn *smtp.Conn
	tc   *conn
	tls  bool
	auth string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

var (
	errDown      = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "smtptest down for maintenance"}
	errEnded     = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "smtptest closing the session"}
	errNeedTLS   = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	errNeedAuth  = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errNoSuchBox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	errHungUp    = errors.New("smtptest: hung up")
)

// alive answers 421 and hangs up when the server is down or has ended the
// sessions that were open, the check a relay makes on each command. Only
// commands that reach the session can be refused: go-smtp answers RSET,
// NOOP, a later EHLO, STARTTLS and QUIT itself.
func (ss *session) alive() error {
	s := ss.s
	s.mu.Lock()
	down, ended := s.down, ss.tc.epoch != s.epoch
	s.mu.Unlock()
	switch {
	case down:
		ss.tc.closeAfterWrite.Store(true)
		return errDown
	case ended:
		ss.tc.closeAfterWrite.Store(true)
		return errEnded
	}
	return nil
}

// hangUp closes the connection without a reply; go-smtp's own reply to
// the error then goes nowhere.
func (ss *session) hangUp() error {
	_ = ss.conn.Conn().Close()
	return errHungUp
}

func injectedError(code int) error {
	return &smtp.SMTPError{Code: code, Message: "injected failure"}
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opt.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if err := ss.alive(); err != nil {
		return nil, err
	}
	opt := ss.s.opt
	if opt.Username == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) || username != opt.Username || password != opt.Password {
			return smtp.ErrAuthFailed
		}
		ss.auth = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.alive(); err != nil {
		return err
	}
	opt := ss.s.opt
	switch {
	case opt.RequireTLS && !ss.tls:
		return errNeedTLS
	case opt.Username != "" && ss.auth == "":
		return errNeedAuth
	}
	ss.from, ss.to = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.alive(); err != nil {
		return err
	}
	s := ss.s
	if code, ok := s.injected(AtRcpt); ok {
		if code == hangUp {
			return ss.hangUp()
		}
		return injectedError(code)
	}
	s.mu.Lock()
	rejected := s.reject[strings.ToLower(to)]
	s.mu.Unlock()
	if rejected {
		return errNoSuchBox
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data runs once go-smtp has answered DATA with 354; it refuses an
// oversized message (552) through the reader go-smtp gives it.
func (ss *session) Data(r io.Reader) error {
	if err := ss.alive(); err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	code, failing := ss.s.injected(AtData)
	if failing && code != hangUp {
		return injectedError(code)
	}
	m := Message{From: ss.from, To: slices.Clone(ss.to), Data: data, TLS: ss.tls, Auth: ss.auth}
	if pm, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		m.Header = pm.Header
	}
	ss.s.record(m)
	if failing {
		return ss.hangUp()
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
