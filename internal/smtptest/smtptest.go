// Package smtptest is a real SMTP server over TCP on 127.0.0.1 for tests:
// EHLO/HELO, STARTTLS with a throwaway certificate, AUTH PLAIN, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT. It records what it accepts and can be told to
// fail, so tests can show that mail survives a relay that is down for a
// while or refuses a recipient.
//
// Every read has a deadline and every line a length limit, and Close (run
// on t.Cleanup) ends all connections and waits for their goroutines, so a
// test cannot leak or hang on a client that stopped talking.
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
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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

// Limits from RFC 5321 §4.5.3.1, with some slack for command lines.
const (
	maxCommandLine = 2048 // the RFC says 512; clients with long addresses exceed it
	maxTextLine    = 1000 // including CRLF
	maxRecipients  = 100
)

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port

	opt     Options
	tls     *tls.Config
	pool    *x509.CertPool
	ln      net.Listener
	wg      sync.WaitGroup
	closing sync.Once

	mu      sync.Mutex
	closed  bool
	conns   map[net.Conn]struct{}
	msgs    []Message
	arrived chan struct{} // closed and replaced whenever a message is accepted
	down    bool
	fail    [2]struct{ n, code int } // indexed by Stage; code hangUp: no reply
	reject  map[string]bool
	epoch   int // sessions from before the current epoch are ended with 421
	dialed  int // connections accepted
	secured int // STARTTLS handshakes completed
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
	s := &Server{opt: opt, conns: map[net.Conn]struct{}{}, reject: map[string]bool{}, arrived: make(chan struct{})}
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
	// The accept loop counts in wg, so the counter cannot be zero while it
	// may still Add a connection: Close's Wait is then well defined.
	s.wg.Add(1)
	go s.accept()
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
		_ = s.ln.Close()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
	})
	s.wg.Wait()
}

// SetDown makes the server answer new connections, and the next command on
// open ones, with 421 and hang up, until SetDown(false).
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

// EndSessions makes every open connection answer its next command with 421
// and hang up, as a relay does when it restarts or ends idle sessions; new
// connections are served as usual.
func (s *Server) EndSessions() { s.mu.Lock(); s.epoch++; s.mu.Unlock() }

// DropConnections closes every open connection at once, without a word.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.Close()
	}
}

// Connections is how many connections the server has accepted.
func (s *Server) Connections() int { s.mu.Lock(); defer s.mu.Unlock(); return s.dialed }

// Handshakes is how many STARTTLS handshakes have completed.
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

func (s *Server) isDown() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.down }

func (ss *session) ended() bool {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	return ss.epoch != ss.s.epoch
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

// handle serves one connection, tracked so that Close can end it.
func (s *Server) handle(c net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.dialed++
	ss := &session{s: s, conn: c, r: bufio.NewReaderSize(c, 4096), w: bufio.NewWriter(c), epoch: s.epoch}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		// After STARTTLS ss.conn is the TLS wrapper; closing it closes c.
		s.mu.Unlock()
		_ = ss.conn.Close()
	}()
	ss.serve()
}

type session struct {
	s     *Server
	epoch int // the server's epoch when the connection opened
	conn  net.Conn
	r     *bufio.Reader
	w     *bufio.Writer
	tls   bool
	helo  bool
	auth  string
	from  string
	to    []string
	mail  bool // inside a transaction: MAIL accepted
}

var errLineTooLong = errors.New("line too long")

func (ss *session) reply(code int, lines ...string) bool {
	if len(lines) == 0 {
		lines = []string{""}
	}
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	_ = ss.conn.SetWriteDeadline(time.Now().Add(ss.s.opt.Timeout))
	return ss.w.Flush() == nil
}

// readLine reads one line, with its line end, of at most max octets. A
// longer line is read to its end and dropped, so that the session can
// answer it and carry on, and never holds more than max octets.
func (ss *session) readLine(max int) ([]byte, error) {
	_ = ss.conn.SetReadDeadline(time.Now().Add(ss.s.opt.Timeout))
	var line []byte
	tooLong := false
	for {
		chunk, err := ss.r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch {
		case err == nil && tooLong:
			return nil, errLineTooLong
		case err == nil:
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return nil, err
		}
	}
}

func (ss *session) serve() {
	if ss.s.isDown() {
		ss.reply(421, "smtptest down for maintenance")
		return
	}
	if !ss.reply(220, "smtptest ESMTP ready") {
		return
	}
	for {
		line, err := ss.readLine(maxCommandLine)
		if errors.Is(err, errLineTooLong) {
			if !ss.reply(500, "line too long") {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		if ss.s.isDown() {
			ss.reply(421, "smtptest down for maintenance")
			return
		}
		if ss.ended() {
			ss.reply(421, "smtptest closing the session")
			return
		}
		if !ss.command(strings.TrimRight(string(line), "\r\n")) {
			return
		}
	}
}

// command handles one command line; false ends the session.
func (ss *session) command(line string) bool {
	verb, arg, _ := strings.Cut(line, " ")
	s, opt := ss.s, ss.s.opt
	switch strings.ToUpper(verb) {
	case "EHLO", "HELO":
		if strings.TrimSpace(arg) == "" {
			return ss.reply(501, "say who you are")
		}
		ss.helo = true
		ss.reset()
		if strings.EqualFold(verb, "HELO") {
			return ss.reply(250, "smtptest")
		}
		ext := []string{"smtptest greets " + arg, "8BITMIME", "SIZE " + strconv.Itoa(opt.MaxSize)}
		if opt.StartTLS && !ss.tls {
			ext = append(ext, "STARTTLS")
		}
		if opt.Username != "" && (ss.tls || !opt.StartTLS) {
			ext = append(ext, "AUTH PLAIN")
		}
		return ss.reply(250, ext...)
	case "STARTTLS":
		switch {
		case !opt.StartTLS || ss.tls:
			return ss.reply(502, "STARTTLS not offered")
		case !ss.helo:
			return ss.reply(503, "say EHLO first")
		case ss.r.Buffered() > 0:
			// Commands sent before the handshake must not be run as if
			// they had come over TLS (the STARTTLS injection attack).
			ss.reply(503, "no pipelining over STARTTLS")
			return false
		}
		if !ss.reply(220, "go ahead") {
			return false
		}
		tc := tls.Server(ss.conn, s.tls)
		_ = tc.SetDeadline(time.Now().Add(opt.Timeout))
		if err := tc.Handshake(); err != nil {
			return false
		}
		_ = tc.SetDeadline(time.Time{})
		s.mu.Lock()
		s.secured++
		s.mu.Unlock()
		// RFC 3207: forget everything learnt before the handshake.
		ss.conn, ss.r, ss.w = tc, bufio.NewReaderSize(tc, 4096), bufio.NewWriter(tc)
		ss.tls, ss.helo, ss.auth = true, false, ""
		ss.reset()
		return true
	case "AUTH":
		return ss.authenticate(arg)
	case "MAIL":
		from, params, ok := path(arg, "FROM:")
		switch {
		case !ss.helo:
			return ss.reply(503, "say EHLO first")
		case opt.RequireTLS && !ss.tls:
			return ss.reply(530, "must issue a STARTTLS command first")
		case opt.Username != "" && ss.auth == "":
			return ss.reply(530, "authentication required")
		case ss.mail:
			return ss.reply(503, "nested MAIL command")
		case !ok:
			return ss.reply(501, "syntax: MAIL FROM:<address>")
		}
		for _, p := range strings.Fields(params) {
			if k, v, _ := strings.Cut(p, "="); strings.EqualFold(k, "SIZE") {
				if n, err := strconv.Atoi(v); err == nil && n > opt.MaxSize {
					return ss.reply(552, "message size exceeds fixed maximum message size")
				}
			}
		}
		ss.from, ss.mail = from, true
		return ss.reply(250, "ok")
	case "RCPT":
		to, _, ok := path(arg, "TO:")
		switch {
		case !ss.mail:
			return ss.reply(503, "need MAIL before RCPT")
		case !ok || to == "":
			return ss.reply(501, "syntax: RCPT TO:<address>")
		case len(ss.to) >= maxRecipients:
			return ss.reply(452, "too many recipients")
		}
		if code, ok := s.injected(AtRcpt); ok {
			return code != hangUp && ss.reply(code, "injected failure")
		}
		s.mu.Lock()
		rejected := s.reject[strings.ToLower(to)]
		s.mu.Unlock()
		if rejected {
			return ss.reply(550, "no such user here")
		}
		ss.to = append(ss.to, to)
		return ss.reply(250, "ok")
	case "DATA":
		if !ss.mail || len(ss.to) == 0 {
			return ss.reply(503, "need RCPT before DATA")
		}
		if !ss.reply(354, "end with <CRLF>.<CRLF>") {
			return false
		}
		return ss.data()
	case "RSET":
		ss.reset()
		return ss.reply(250, "ok")
	case "NOOP":
		return ss.reply(250, "ok")
	case "QUIT":
		ss.reply(221, "bye")
		return false
	default:
		return ss.reply(500, "command not recognised")
	}
}

func (ss *session) reset() { ss.from, ss.to, ss.mail = "", nil, false }

// authenticate handles AUTH PLAIN (RFC 4616), with or without an initial
// response.
func (ss *session) authenticate(arg string) bool {
	opt := ss.s.opt
	mech, initial, hasInitial := strings.Cut(strings.TrimSpace(arg), " ")
	switch {
	case opt.Username == "" || !strings.EqualFold(mech, "PLAIN"):
		return ss.reply(504, "unrecognised authentication type")
	case !ss.helo:
		return ss.reply(503, "say EHLO first")
	case ss.auth != "":
		return ss.reply(503, "already authenticated")
	case ss.mail:
		return ss.reply(503, "not during a mail transaction")
	case opt.StartTLS && !ss.tls:
		return ss.reply(538, "encryption required for requested authentication mechanism")
	}
	if !hasInitial {
		if !ss.reply(334) {
			return false
		}
		line, err := ss.readLine(maxCommandLine)
		if err != nil {
			return errors.Is(err, errLineTooLong) && ss.reply(500, "line too long")
		}
		initial = strings.TrimRight(string(line), "\r\n")
	}
	switch initial {
	case "*":
		return ss.reply(501, "authentication cancelled")
	case "=":
		initial = ""
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return ss.reply(501, "cannot decode response")
	}
	parts := bytes.Split(raw, []byte{0})
	if len(parts) != 3 || (len(parts[0]) > 0 && string(parts[0]) != string(parts[1])) ||
		string(parts[1]) != opt.Username || string(parts[2]) != opt.Password {
		return ss.reply(535, "authentication credentials invalid")
	}
	ss.auth = opt.Username
	return ss.reply(235, "authenticated")
}

// data reads the message up to the lone dot, undoing dot-stuffing, and
// records it unless it breaks a limit or a failure is injected.
func (ss *session) data() bool {
	s, opt := ss.s, ss.s.opt
	var b bytes.Buffer
	tooBig, tooLong := false, false
	for {
		line, err := ss.readLine(maxTextLine)
		if errors.Is(err, errLineTooLong) {
			tooLong = true
			continue
		}
		if err != nil {
			return false
		}
		if string(line) == ".\r\n" || string(line) == ".\n" {
			break
		}
		if line[0] == '.' {
			line = line[1:]
		}
		if b.Len()+len(line) > opt.MaxSize {
			tooBig = true
			continue
		}
		b.Write(line)
	}
	defer ss.reset()
	switch {
	case tooLong:
		return ss.reply(500, "line too long")
	case tooBig:
		return ss.reply(552, "message size exceeds fixed maximum message size")
	}
	code, failing := s.injected(AtData)
	if failing && code != hangUp {
		return ss.reply(code, "injected failure")
	}
	m := Message{From: ss.from, To: ss.to, Data: b.Bytes(), TLS: ss.tls, Auth: ss.auth}
	if pm, err := mail.ReadMessage(bytes.NewReader(m.Data)); err == nil {
		m.Header = pm.Header
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()
	return !failing && ss.reply(250, "queued")
}

// path parses "FROM:<a@b> PARAMS" (prefix "FROM:") into the address and
// the parameters. A space after the colon is tolerated, as many servers do.
func path(arg, prefix string) (addr, params string, ok bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", "", false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", "", false
	}
	addr = rest[1:end]
	if strings.ContainsAny(addr, " \t<") {
		return "", "", false
	}
	return addr, strings.TrimSpace(rest[end+1:]), true
}
