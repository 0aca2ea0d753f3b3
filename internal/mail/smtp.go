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

// SMTP sends through a relay, one connection per message. The zero TLS
// mode means StartTLSRequired: mail about incidents must not cross the
// network in clear because a setting was left out.
type SMTP struct {
	Host      string
	Port      int
	Username  string // AUTH PLAIN when set; only over TLS, or to a loopback host
	Password  string
	TLS       TLSMode
	TLSConfig *tls.Config // nil: system roots; an empty ServerName is set to Host
	HelloName string      // EHLO name; default "localhost"
	Timeout   time.Duration
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
func (s SMTP) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if len(to) == 0 {
		return permanentError{errors.New("smtp: no recipients")}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return classify("dial "+addr, err)
	}
	defer conn.Close()
	// net/smtp knows no contexts: the deadline bounds every read and write,
	// and cancelling moves it to now, which unblocks them.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	err = s.transact(conn, from, to, raw)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("smtp %s: %w (%w)", addr, ctx.Err(), err)
	}
	return err
}

func (s SMTP) transact(conn net.Conn, from string, to []string, raw []byte) error {
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return classify("greeting", err)
	}
	defer c.Close()
	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return classify("EHLO", err)
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
				return classify("STARTTLS", err)
			}
		} else if mode == StartTLSRequired {
			// Temporary on purpose: it says nothing about this message,
			// and the relay may be fixed, or the attacker who stripped
			// STARTTLS from its reply may go away, before the retries end.
			return fmt.Errorf("smtp: %s does not offer STARTTLS, which is required", s.Host)
		}
	}
	if s.Username != "" {
		// PlainAuth itself refuses to send the password without TLS,
		// except to localhost, 127.0.0.1 or ::1.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return classify("AUTH", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return classify("MAIL FROM", err)
	}
	var accepted []string
	refused := map[string]error{}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			var te *textproto.Error
			if !errors.As(err, &te) {
				return classify("RCPT TO", err) // the connection is gone
			}
			refused[r] = classify("RCPT TO <"+r+">", err)
			continue
		}
		accepted = append(accepted, r)
	}
	if len(accepted) == 0 {
		if len(to) == 1 {
			return refused[to[0]]
		}
		return &RecipientError{Refused: refused}
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("end of DATA", err)
	}
	// The server has taken the message: a failing QUIT must not make the
	// caller send it again.
	_ = c.Quit()
	if len(refused) > 0 {
		return &RecipientError{Delivered: accepted, Refused: refused}
	}
	return nil
}
