package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sender delivers an encoded message.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// TLSMode says how the SMTP connection is protected.
type TLSMode string

const (
	StartTLSRequired      TLSMode = "required"      // fail if the server does not offer STARTTLS
	StartTLSOpportunistic TLSMode = "opportunistic" // use it when offered
	NoTLS                 TLSMode = "none"          // only for a relay on the same host
)

// SMTP sends through a relay. The zero TLS mode means StartTLSRequired:
// mail about incidents must not cross the network in clear because a
// setting was left out.
//
// Connections are kept open between messages, up to MaxIdle of them, so
// that a campaign does not pay a TCP and TLS handshake per mail. Use an
// SMTP by pointer, from any number of goroutines, with its fields set
// before the first Send; Close ends the idle connections.
type SMTP struct {
	Host        string
	Port        int
	Username    string // AUTH PLAIN when set; only over TLS, or to a loopback host
	Password    string
	TLS         TLSMode
	TLSConfig   *tls.Config   // nil: system roots; an empty ServerName is set to Host
	HelloName   string        // EHLO name; default "localhost"
	Timeout     time.Duration // bounds one Send; default 30s
	MaxIdle     int           // idle connections kept; 0: 4; negative: none, one connection per message
	IdleTimeout time.Duration // an idle connection is closed after this; default 30s

	mu     sync.Mutex
	idle   []*conn     // oldest first
	sweep  *time.Timer // pending expiry of idle connections, if any
	closed bool
}

// permanentError is a 5xx reply: sending the same message again will not
// help, so it should be given up.
type permanentError struct{ err error }

// Permanent marks err as a permanent failure, for senders other than SMTP
// (a mail provider's HTTP API, an in-memory outbox) that know a retry
// cannot succeed, e.g. because the mailbox does not exist.
func Permanent(err error) error { return permanentError{err} }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// RecipientError says the server refused some recipients while the message
// went to the others: Delivered got it, Refused (address → reply) did not.
// Sending again would give Delivered a second copy.
type RecipientError struct {
	Delivered []string
	Refused   map[string]error
}

func (e *RecipientError) Error() string {
	addrs := make([]string, 0, len(e.Refused))
	for a := range e.Refused {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	var b strings.Builder
	fmt.Fprintf(&b, "smtp: delivered to %d recipient(s), refused", len(e.Delivered))
	for _, a := range addrs {
		fmt.Fprintf(&b, "; %s: %v", a, e.Refused[a])
	}
	return b.String()
}

// IsPermanent reports whether err is a permanent SMTP refusal (a 5xx
// reply), which retrying will not change. Network errors, timeouts, 4xx
// replies and a missing STARTTLS are temporary. A RecipientError is
// permanent when every refusal was: the others have the message already.
func IsPermanent(err error) bool {
	var re *RecipientError
	if errors.As(err, &re) {
		for _, e := range re.Refused {
			if !IsPermanent(e) {
				return false
			}
		}
		return true
	}
	var p permanentError
	return errors.As(err, &p)
}

func classify(step string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("smtp %s: %w", step, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return permanentError{err}
	}
	return err
}

// Send delivers raw to the recipients in one SMTP transaction. If the
// server refuses some recipients but accepts others, the message goes to
// those and Send returns a *RecipientError.
//
// Send reuses an idle connection when there is one. If that connection
// turns out to be gone (a network error, or 421 because the server ended
// the session) before the server has begun taking the message, Send tries
// once more on a fresh connection; after the server has answered DATA with
// 354 it never does, since the server may have queued the message and
// only its reply was lost.
func (s *SMTP) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if len(to) == 0 {
		return permanentError{errors.New("smtp: no recipients")}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	if err := ctx.Err(); err != nil {
		// Cancellation reaches a pooled connection only a moment later,
		// in which a whole transaction could slip through.
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	if c := s.takeIdle(); c != nil {
		stale, err := s.run(ctx, c, from, to, raw)
		if !stale {
			return withContext(ctx, addr, err)
		}
	}
	c, err := s.open(ctx, addr)
	if err == nil {
		_, err = s.run(ctx, c, from, to, raw)
	}
	return withContext(ctx, addr, err)
}

// withContext says so when the context, not the server, ended the attempt.
func withContext(ctx context.Context, addr string, err error) error {
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("smtp %s: %w (%w)", addr, ctx.Err(), err)
	}
	return err
}

func (s *SMTP) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 30 * time.Second
}

// conn is an SMTP session that has been greeted, secured and logged in,
// between transactions.
type conn struct {
	nc    net.Conn // the TCP connection, whose deadlines also bound TLS
	c     *smtp.Client
	since time.Time // when it went idle
}

// watch bounds every read and write on nc by ctx, as net/smtp knows no
// contexts: the deadline is ctx's, and cancelling moves it to now, which
// unblocks them. The returned func undoes both, and reports false if
// cancellation may already have struck, leaving the connection unusable.
func watch(ctx context.Context, nc net.Conn) func() bool {
	deadline, _ := ctx.Deadline()
	_ = nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	return func() bool {
		if !stop() {
			return false
		}
		return nc.SetDeadline(time.Time{}) == nil
	}
}

// open dials and prepares a connection for transactions: greeting, EHLO,
// STARTTLS and AUTH as configured.
func (s *SMTP) open(ctx context.Context, addr string) (*conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, classify("dial "+addr, err)
	}
	unwatch := watch(ctx, nc)
	c, err := s.handshake(nc)
	if ok := unwatch(); err != nil || !ok {
		_ = nc.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	}
	return &conn{nc: nc, c: c}, nil
}

func (s *SMTP) handshake(nc net.Conn) (*smtp.Client, error) {
	c, err := smtp.NewClient(nc, s.Host)
	if err != nil {
		return nil, classify("greeting", err)
	}
	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return nil, classify("EHLO", err)
	}
	mode := s.TLS
	if mode == "" {
		mode = StartTLSRequired
	}
	if mode != NoTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			cfg := s.TLSConfig.Clone()
			if cfg == nil {
				cfg = &tls.Config{MinVersion: tls.VersionTLS12}
			}
			if cfg.ServerName == "" {
				cfg.ServerName = s.Host
			}
			if err := c.StartTLS(cfg); err != nil {
				return nil, classify("STARTTLS", err)
			}
		} else if mode == StartTLSRequired {
			// Temporary on purpose: it says nothing about this message,
			// and the relay may be fixed, or the attacker who stripped
			// STARTTLS from its reply may go away, before the retries end.
			return nil, fmt.Errorf("smtp: %s does not offer STARTTLS, which is required", s.Host)
		}
	}
	if s.Username != "" {
		// PlainAuth itself refuses to send the password without TLS,
		// except to localhost, 127.0.0.1 or ::1.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return nil, classify("AUTH", err)
		}
	}
	return c, nil
}

// outcome is what a transaction leaves of its connection.
type outcome int

const (
	clean  outcome = iota // ready for the next transaction
	dirty                 // the server answered normally, but RSET is due
	broken                // gone or out of step: close it
	stale                 // gone before the server could have the message: close it, and a retry is safe
)

// run performs one transaction on c and then pools or closes c. retry
// reports a connection that failed before the server could have taken
// the message, so that sending again cannot make a duplicate.
func (s *SMTP) run(ctx context.Context, c *conn, from string, to []string, raw []byte) (retry bool, err error) {
	unwatch := watch(ctx, c.nc)
	out, err := transact(c.c, from, to, raw)
	if out == dirty {
		out = broken
		if rerr := c.c.Reset(); rerr == nil {
			out = clean
		}
	}
	if !unwatch() || ctx.Err() != nil {
		out = broken
	}
	if out == clean {
		s.putIdle(c)
	} else {
		_ = c.c.Close()
	}
	return out == stale, err
}

// after says what an error reply or failure before the server took the
// message means for the connection: a 4xx or 5xx reply leaves the session
// usable once reset; 421 or a failure to talk at all means it is gone; any
// other reply is not one the command could get, so the two ends are out
// of step.
func after(err error) outcome {
	var te *textproto.Error
	switch {
	case !errors.As(err, &te) || te.Code == 421:
		return stale
	case te.Code >= 400 && te.Code < 600:
		return dirty
	default:
		return broken
	}
}

func transact(c *smtp.Client, from string, to []string, raw []byte) (outcome, error) {
	if err := c.Mail(from); err != nil {
		return after(err), classify("MAIL FROM", err)
	}
	var accepted []string
	refused := map[string]error{}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			if out := after(err); out != dirty {
				// The connection is gone, or will be after 421: the
				// recipients that follow cannot be asked.
				if errors.As(err, new(*textproto.Error)) {
					return out, classify("RCPT TO <"+r+">", err)
				}
				return out, classify("RCPT TO", err)
			}
			refused[r] = classify("RCPT TO <"+r+">", err)
			continue
		}
		accepted = append(accepted, r)
	}
	if len(accepted) == 0 {
		if len(to) == 1 {
			return dirty, refused[to[0]]
		}
		return dirty, &RecipientError{Refused: refused}
	}
	w, err := c.Data()
	if err != nil {
		return after(err), classify("DATA", err)
	}
	// From here the server may take the message: nothing is stale.
	if _, err := w.Write(raw); err != nil {
		return broken, classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		out := after(err)
		if out == stale {
			out = broken
		}
		return out, classify("end of DATA", err)
	}
	if len(refused) > 0 {
		return clean, &RecipientError{Delivered: accepted, Refused: refused}
	}
	return clean, nil
}

// takeIdle returns the most recently used idle connection, or nil. The
// newest is the least likely to have been closed by the server; the
// oldest are left to expire when fewer connections are needed.
func (s *SMTP) takeIdle() *conn {
	s.mu.Lock()
	var c *conn
	var expired []*conn
	if n := len(s.idle); n > 0 {
		c, s.idle = s.idle[n-1], s.idle[:n-1]
		if time.Since(c.since) >= s.idleTimeout() {
			// The sweep is late; the others waited longer still.
			expired, s.idle, c = append(s.idle, c), nil, nil
		}
	}
	s.mu.Unlock()
	retire(expired)
	return c
}

// putIdle keeps c for the next Send, unless the pool is full or closed.
func (s *SMTP) putIdle(c *conn) {
	limit := s.MaxIdle
	if limit == 0 {
		limit = 4
	}
	s.mu.Lock()
	if s.closed || len(s.idle) >= limit {
		s.mu.Unlock()
		retire([]*conn{c})
		return
	}
	c.since = time.Now()
	s.idle = append(s.idle, c) // the slice stays ordered by since
	if s.sweep == nil {
		s.sweep = time.AfterFunc(s.idleTimeout(), s.expire)
	}
	s.mu.Unlock()
}

// expire closes the connections that have waited IdleTimeout, and sets
// itself to run again when the oldest of the rest will have.
func (s *SMTP) expire() {
	timeout := s.idleTimeout()
	s.mu.Lock()
	now := time.Now()
	n := 0
	for n < len(s.idle) && now.Sub(s.idle[n].since) >= timeout {
		n++
	}
	expired := append([]*conn(nil), s.idle[:n]...)
	s.idle = append(s.idle[:0], s.idle[n:]...)
	s.sweep = nil
	if len(s.idle) > 0 && !s.closed {
		s.sweep = time.AfterFunc(timeout-now.Sub(s.idle[0].since), s.expire)
	}
	s.mu.Unlock()
	retire(expired)
}

func (s *SMTP) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return 30 * time.Second
}

// Close ends the idle connections and stops keeping any: a Send after
// Close, or one still running, closes its connection when done. Close is
// safe to call more than once and always returns nil.
func (s *SMTP) Close() error {
	s.mu.Lock()
	s.closed = true
	idle := s.idle
	s.idle = nil
	if s.sweep != nil {
		s.sweep.Stop()
		s.sweep = nil
	}
	s.mu.Unlock()
	retire(idle)
	return nil
}

// retire says QUIT on each connection, all at once, and closes them. The
// server's reply is not worth more than a moment's wait.
func retire(cs []*conn) {
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Go(func() {
			_ = c.nc.SetDeadline(time.Now().Add(2 * time.Second))
			if c.c.Quit() != nil {
				_ = c.c.Close()
			}
		})
	}
	wg.Wait()
}
