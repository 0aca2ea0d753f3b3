package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
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

// SMTP sends through a relay.
type SMTP struct {
	Host      string
	Port      int
	Username  string
	Password  string
	TLS       TLSMode
	TLSConfig *tls.Config // nil: system roots, ServerName = Host
	HelloName string      // default "localhost"
	Timeout   time.Duration
}

// permanentError is a 5xx reply: retrying the same message will not help.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err is a permanent SMTP refusal (5xx).
// Network errors and 4xx replies are temporary.
func IsPermanent(err error) bool { var p permanentError; return errors.As(err, &p) }

func classify(step string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("smtp %s: %w", step, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return permanentError{err}
	}
	return err
}

// Send delivers raw to the recipients in one SMTP transaction.
func (s SMTP) Send(ctx context.Context, from string, to []string, raw []byte) error {
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
		return classify("dial", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
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
	if s.TLS != NoTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			cfg := s.TLSConfig
			if cfg == nil {
				cfg = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
			}
			if err := c.StartTLS(cfg); err != nil {
				return classify("STARTTLS", err)
			}
		} else if s.TLS == StartTLSRequired {
			// Not a 5xx from the server, but retrying cannot fix it either.
			return permanentError{fmt.Errorf("smtp: %s does not offer STARTTLS, which is required", addr)}
		}
	}
	if s.Username != "" {
		// net/smtp refuses PLAIN without TLS except to localhost, which is
		// what we want.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return classify("AUTH", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return classify("MAIL FROM", err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return classify("RCPT TO "+r, err)
		}
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
	return classify("QUIT", c.Quit())
}
