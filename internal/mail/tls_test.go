package mail_test

import (
	"crypto/tls"

	"github.com/detente/detente/internal/smtptest"
)

func tlsFor(s *smtptest.Server) *tls.Config {
	return &tls.Config{RootCAs: s.RootCAs(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}
