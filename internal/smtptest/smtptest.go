// Package smtptest is a real SMTP server over TCP on 127.0.0.1 for tests:
// EHLO, STARTTLS with a throwaway certificate, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT. It records what it accepts and can be told to fail,
// so tests can show that mail survives a server that is down for a while.
package smtptest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one accepted mail.
type Message struct {
	From   string
	To     []string
	Data   []byte // as received, dot-unstuffed, CRLF line ends
	Header mail.Header
	TLS    bool
	Auth   string // user name that authenticated, if any
}

// Options configure a server.
type Options struct {
	StartTLS bool   // offer STARTTLS
	Username string // require AUTH PLAIN with these credentials when set
	Password string
	MaxSize  int // bytes; default 10 MiB
}

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port
	opt  Options
	tls  *tls.Config
	pool *x509.CertPool
	ln   net.Listener

	mu       sync.Mutex
	msgs     []Message
	down     bool
	failNext int
	failCode int
	reject   map[string]bool
	arrived  chan struct{}
	conns    sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves until the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.MaxSize == 0 {
		opt.MaxSize = 10 << 20
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), opt: opt, ln: ln, reject: map[string]bool{}, arrived: make(chan struct{}, 1<<16)}
	if opt.StartTLS {
		s.tls, s.pool = selfSigned(t)
	}
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t testing.TB) (*tls.Config, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}

// RootCAs trusts the server's certificate, for the client's TLS config.
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	var n int
	fmt.Sscanf(p, "%d", &n)
	return n
}

// Close stops the server and waits for its connections to end.
func (s *Server) Close() {
	s.ln.Close()
	s.conns.Wait()
}

// SetDown makes the server answer every new connection with 421 until
// SetDown(false).
func (s *Server) SetDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

// FailNext makes the next n transactions fail at DATA with code (4xx or 5xx).
func (s *Server) FailNext(n, code int) { s.mu.Lock(); s.failNext, s.failCode = n, code; s.mu.Unlock() }

// Reject refuses a recipient permanently (550).
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// Messages returns what the server has accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits until n messages have arrived or the timeout passes, and
// returns what arrived.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Messages()
		}
	}
}

func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.conns.Add(1)
		go func() {
			defer s.conns.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

type session struct {
	s      *Server
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	tls    bool
	helo   bool
	auth   string
	from   string
	to     []string
	inMail bool
}

func (ss *session) reply(code int, lines ...string) {
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	ss.w.Flush()
}

func (ss *session) readLine() (string, error) {
	ss.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := ss.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(line) > 4096 {
		return "", fmt.Errorf("line too long")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (s *Server) serve(c net.Conn) {
	ss := &session{s: s, conn: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		ss.reply(421, "smtptest down for maintenance")
		return
	}
	ss.reply(220, "smtptest ESMTP ready")
	for {
		line, err := ss.readLine()
		if err != nil {
			return
		}
		if !ss.command(line) {
			return
		}
	}
}

// command handles one line; false ends the session.
func (ss *session) command(line string) bool {
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	s := ss.s
	switch verb {
	case "EHLO", "HELO":
		ss.helo = true
		ss.reset()
		ext := []string{"smtptest greets " + arg, "8BITMIME", fmt.Sprintf("SIZE %d", s.opt.MaxSize)}
		if s.opt.StartTLS && !ss.tls {
			ext = append(ext, "STARTTLS")
		}
		if s.opt.Username != "" && (ss.tls || !s.opt.StartTLS) {
			ext = append(ext, "AUTH PLAIN")
		}
		ss.reply(250, ext...)
	case "STARTTLS":
		if !s.opt.StartTLS || ss.tls {
			ss.reply(502, "not offered")
			return true
		}
		ss.reply(220, "go ahead")
		tc := tls.Server(ss.conn, s.tls)
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			return false
		}
		tc.SetDeadline(time.Time{})
		ss.conn, ss.r, ss.w, ss.tls, ss.helo = tc, bufio.NewReader(tc), bufio.NewWriter(tc), true, false
		ss.reset()
	case "AUTH":
		mech, initial, _ := strings.Cut(arg, " ")
		if !strings.EqualFold(mech, "PLAIN") || s.opt.Username == "" {
			ss.reply(504, "unrecognised authentication type")
			return true
		}
		if initial == "" {
			ss.reply(334, "")
			l, err := ss.readLine()
			if err != nil {
				return false
			}
			initial = l
		}
		raw, err := base64.StdEncoding.DecodeString(initial)
		parts := bytes.Split(raw, []byte{0})
		if err != nil || len(parts) != 3 || string(parts[1]) != s.opt.Username || string(parts[2]) != s.opt.Password {
			ss.reply(535, "authentication credentials invalid")
			return true
		}
		ss.auth = s.opt.Username
		ss.reply(235, "authenticated")
	case "MAIL":
		switch {
		case !ss.helo:
			ss.reply(503, "say EHLO first")
		case s.opt.Username != "" && ss.auth == "":
			ss.reply(530, "authentication required")
		case !strings.HasPrefix(strings.ToUpper(arg), "FROM:"):
			ss.reply(501, "syntax: MAIL FROM:<address>")
		default:
			ss.reset()
			ss.from, ss.inMail = addr(arg[5:]), true
			ss.reply(250, "ok")
		}
	case "RCPT":
		switch {
		case !ss.inMail:
			ss.reply(503, "MAIL first")
		case !strings.HasPrefix(strings.ToUpper(arg), "TO:"):
			ss.reply(501, "syntax: RCPT TO:<address>")
		default:
			to := addr(arg[3:])
			s.mu.Lock()
			rejected := s.reject[strings.ToLower(to)]
			s.mu.Unlock()
			if rejected {
				ss.reply(550, "no such user: "+to)
				return true
			}
			ss.to = append(ss.to, to)
			ss.reply(250, "ok")
		}
	case "DATA":
		if !ss.inMail || len(ss.to) == 0 {
			ss.reply(503, "RCPT first")
			return true
		}
		ss.reply(354, "end with <CRLF>.<CRLF>")
		data, ok := ss.readData()
		if !ok {
			return false
		}
		s.mu.Lock()
		if s.failNext > 0 {
			s.failNext--
			code := s.failCode
			s.mu.Unlock()
			ss.reply(code, "injected failure")
			ss.reset()
			return true
		}
		s.mu.Unlock()
		if len(data) > s.opt.MaxSize {
			ss.reply(552, "message too large")
			ss.reset()
			return true
		}
		m := Message{From: ss.from, To: ss.to, Data: data, TLS: ss.tls, Auth: ss.auth}
		if pm, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
			m.Header = pm.Header
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, m)
		s.mu.Unlock()
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		ss.reset()
		ss.reply(250, "queued")
	case "RSET":
		ss.reset()
		ss.reply(250, "ok")
	case "NOOP":
		ss.reply(250, "ok")
	case "QUIT":
		ss.reply(221, "bye")
		return false
	default:
		ss.reply(502, "command not implemented")
	}
	return true
}

func (ss *session) reset() { ss.from, ss.to, ss.inMail = "", nil, false }

// readData reads the message up to the lone dot, undoing dot-stuffing.
func (ss *session) readData() ([]byte, bool) {
	var b bytes.Buffer
	for {
		line, err := ss.readLine()
		if err != nil {
			return nil, false
		}
		if line == "." {
			return b.Bytes(), true
		}
		line = strings.TrimPrefix(line, ".")
		if b.Len() <= ss.s.opt.MaxSize {
			b.WriteString(line)
			b.WriteString("\r\n")
		}
	}
}

// addr takes the address out of "<a@b> PARAMS".
func addr(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '>'); strings.HasPrefix(s, "<") && i > 0 {
		return s[1:i]
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
